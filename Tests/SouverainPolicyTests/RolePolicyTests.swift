import Foundation
import SouverainPolicy
import Testing

/// Roles' trust policies (who may assume) and permission policies (what a session may do).
struct RolePolicyTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let issuer = "http://127.0.0.1:8123/realms/staff"

    static func trust() throws -> TrustPolicy {
        try TrustPolicy.parse("""
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::souverain:user/alice", "bob"]}, "Action": "sts:AssumeRole"},
          {"Effect": "Allow", "Principal": {"Federated": "\(issuer)"}, "Action": "sts:AssumeRoleWithWebIdentity",
           "Condition": {"StringEquals": {"127.0.0.1:8123/realms/staff:aud": "souverain"},
                         "StringLike": {"127.0.0.1:8123/realms/staff:email": "*@example.org"}}},
          {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:*", "Condition": {"StringEquals": {"aws:username": "bob"}}}
        ]}
        """)
    }

    @Test func usersNamedByARNOrNameMayAssumeAndAnExplicitDenyWins() throws {
        let trust = try Self.trust()
        #expect(trust.allows(.user(id: "a1", name: "alice"), action: "sts:AssumeRole", sourceIP: nil, now: Self.now))
        #expect(!trust.allows(.user(id: "b1", name: "bob"), action: "sts:AssumeRole", sourceIP: nil, now: Self.now))
        #expect(!trust.allows(.user(id: "c1", name: "carol"), action: "sts:AssumeRole", sourceIP: nil, now: Self.now))
        // A user principal does not allow the web identity action.
        #expect(!trust.allows(.user(id: "a1", name: "alice"), action: "sts:AssumeRoleWithWebIdentity", sourceIP: nil, now: Self.now))
        #expect(trust.namedUsers == ["alice", "bob"])
    }

    @Test(arguments: [
        (["aud": ["souverain"], "email": ["ann@example.org"]], "http://127.0.0.1:8123/realms/staff", true),
        (["aud": ["other", "souverain"], "email": ["ann@example.org"]], "http://127.0.0.1:8123/realms/staff/", true),
        (["aud": ["other"], "email": ["ann@example.org"]], "http://127.0.0.1:8123/realms/staff", false),
        (["aud": ["souverain"], "email": ["ann@evil.example"]], "http://127.0.0.1:8123/realms/staff", false),
        (["aud": ["souverain"]], "http://127.0.0.1:8123/realms/staff", false),
        (["aud": ["souverain"], "email": ["ann@example.org"]], "http://127.0.0.1:9999/realms/staff", false),
    ])
    func webIdentitiesAreMatchedByIssuerAndClaimConditions(claims: [String: [String]], issuer: String, allowed: Bool) throws {
        let trust = try Self.trust()
        #expect(trust.allows(.webIdentity(issuer: issuer, claims: claims), action: "sts:AssumeRoleWithWebIdentity", sourceIP: nil, now: Self.now) == allowed)
    }

    @Test(arguments: [
        #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}}"#,
        #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}"#,
        #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "x"}, "Action": "sts:AssumeRole"}}"#,
        #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}}"#,
        #"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}"#,
        "not json",
    ])
    func malformedTrustPoliciesAreRefused(text: String) {
        #expect(throws: PolicyError.self) { try TrustPolicy.parse(text) }
    }

    static func permissions() throws -> PermissionPolicy {
        try PermissionPolicy.parse("""
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::reports/*"},
          {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports"},
          {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/locked/*"},
          {"Effect": "Allow", "Action": "souverain:ReadAuditTrail", "Resource": "*"}
        ]}
        """)
    }

    static func request(_ action: String, _ resource: String) -> PolicyRequest {
        PolicyRequest(identity: .user(id: "role:r", name: "r"), action: action, resource: resource, sourceIP: nil, secureTransport: false, now: now)
    }

    @Test(arguments: [
        ("s3:GetObject", "arn:aws:s3:::reports/a.csv", "allow"),
        ("s3:PutObject", "arn:aws:s3:::reports/a.csv", "allow"),
        ("s3:PutObject", "arn:aws:s3:::reports/locked/a.csv", "deny"),
        ("s3:DeleteObject", "arn:aws:s3:::reports/a.csv", "none"),
        ("s3:GetObject", "arn:aws:s3:::other/a.csv", "none"),
        ("s3:CreateBucket", "arn:aws:s3:::reports2", "none"),
        ("s3:ListAllMyBuckets", "arn:aws:s3:::*", "none"),
        ("souverain:ReadAuditTrail", "*", "allow"),
        ("souverain:RotateKeys", "*", "none"),
    ])
    func aSessionMayDoOnlyWhatItsPermissionPolicyAllows(action: String, resource: String, expected: String) throws {
        let decision = try Self.permissions().evaluate(Self.request(action, resource))
        switch (decision, expected) {
        case (.allow, "allow"), (.deny, "deny"), (.notApplicable, "none"): break
        default: Issue.record("\(action) on \(resource): \(decision), expected \(expected)")
        }
    }

    @Test(arguments: [
        #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}}"#,
        #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}}"#,
        #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:iam::x"}}"#,
        #"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject"}}"#,
    ])
    func malformedPermissionPoliciesAreRefused(text: String) {
        #expect(throws: PolicyError.self) { try PermissionPolicy.parse(text) }
    }
}
