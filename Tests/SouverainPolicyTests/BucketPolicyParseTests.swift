import Testing
@testable import SouverainPolicy

@Suite struct BucketPolicyParseTests {
    static func statement(_ body: String) -> String {
        #"{"Version": "2012-10-17", "Statement": [{"# + body + "}]}"
    }

    static let readAll = #""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*""#

    @Test func readsAPublicReadPolicyWithAStatementObject() throws {
        let policy = try BucketPolicy.parse(#"{"Version": "2012-10-17", "Id": "P1", "Statement": {"Sid": "Read", "# + Self.readAll + "}}", bucket: "photos")
        #expect(policy.version == "2012-10-17")
        #expect(policy.id == "P1")
        #expect(policy.statements.count == 1)
        #expect(policy.statements[0].sid == "Read")
        #expect(policy.statements[0].principal.values == .everyone)
        #expect(policy.isPublic)
        #expect(policy.allowsAnonymous)
    }

    @Test func readsPrincipalForms() throws {
        let policy = try BucketPolicy.parse(Self.statement(#"""
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::000000000000:user/team/bob", "u-123"],
                          "CanonicalUser": "c-9"},
            "Action": ["s3:Get*", "s3:ListBucket"], "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"]
            """#), bucket: "photos")
        #expect(policy.namedUsers == ["alice", "bob", "u-123", "c-9"])
        #expect(!policy.isPublic)
        let everyone = try BucketPolicy.parse(Self.statement(#""Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*""#), bucket: "photos")
        #expect(everyone.statements[0].principal.values == .everyone)
        #expect(!everyone.allowsAnonymous)
    }

    /// Every malformed policy names its reason, in AWS's words where AWS has some.
    @Test(arguments: [
        ("not json", "This policy contains invalid Json"),
        ("[1, 2]", "must be a JSON object"),
        (#"{"Version": "2012-10-17", "Statement": [], "Extra": 1}"#, "Unknown field Extra"),
        (#"{"Version": "2012-10-17"}"#, "Missing required field Statement"),
        (#"{"Version": "2012-10-17", "Statement": []}"#, "Statement is empty"),
        (#"{"Version": "2020-01-01", "Statement": {}}"#, "valid version string"),
        (statement(#""Principal": "*", "Action": "s3:GetObject", "Resource": "*""#), "Missing required field Effect"),
        (statement(#""Effect": "Maybe", "Principal": "*", "Action": "s3:GetObject", "Resource": "*""#), "Invalid effect"),
        (statement(#""Effect": "Allow", "Action": "s3:GetObject", "Resource": "*""#), "Missing required field Principal"),
        (statement(#""Effect": "Allow", "Principal": "*", "Resource": "*""#), "Missing required field Action"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject""#), "Missing required field Resource"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*""#), "both Action and NotAction"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObjects", "Resource": "*""#), "Policy has invalid action: s3:GetObjects"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "iam:CreateUser", "Resource": "*""#), "Policy has invalid action"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:Frob*", "Resource": "*""#), "matches no S3 action"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*""#), "Policy has invalid resource: arn:aws:s3:::other/* is outside the bucket photos"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:iam::1:user/x""#), "Policy has invalid resource"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos""#), "Action does not apply to any resource(s) in statement: s3:GetObject"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos/*""#), "Action does not apply to any resource(s) in statement: s3:ListBucket"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:ListAllMyBuckets", "Resource": "*""#), "Action does not apply"),
        (statement(#""Effect": "Allow", "Principal": "someone", "Action": "s3:GetObject", "Resource": "*""#), "Invalid principal in policy"),
        (statement(#""Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "*""#), "Invalid principal in policy: Service"),
        (statement(#""Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": "*""#), "Invalid principal in policy"),
        (statement(#""Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "s3:GetObject", "Resource": "*""#), "Souverain has no accounts"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": [], "Resource": "*""#), "non-empty list"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEqualz": {"s3:prefix": "a"}}"#), "Invalid Condition type : StringEqualz"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}}"#), "Invalid IP address"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "soon"}}"#), "Invalid date"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}"#), "Invalid boolean"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"foo:bar": "a"}}"#), "invalid condition key"),
        (#"{"Statement": [{"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "A", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}"#, "must be unique"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Unknown": 1"#), "Unknown field Unknown"),
        (statement(#""Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/home/${aws:username}/*""#), "Policy variables are not supported"),
        (statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}"#), "Policy variables are not supported"),
    ])
    func refusesMalformedPoliciesWithTheReason(policy: String, reason: String) {
        #expect {
            _ = try BucketPolicy.parse(policy, bucket: "photos")
        } throws: { error in
            (error as? PolicyError)?.message.contains(reason) == true
        }
    }

    @Test func refusesAPolicyOverTwentyKilobytes() {
        let big = Self.statement(#""Sid": "\#(String(repeating: "x", count: 21 * 1024))", "# + Self.readAll)
        #expect(throws: PolicyError.self) { try BucketPolicy.parse(big, bucket: "photos") }
    }

    @Test func acceptsWildcardBucketResourcesThatNameTheBucket() throws {
        _ = try BucketPolicy.parse(Self.statement(#""Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::pho*", "arn:aws:s3:::photos/public/*"]"#), bucket: "photos")
        _ = try BucketPolicy.parse(Self.statement(#""Effect": "Allow", "Principal": "*", "NotAction": "s3:DeleteObject", "NotResource": "arn:aws:s3:::photos/private/*""#), bucket: "photos")
    }
}
