import Foundation
import Testing
@testable import SouverainPolicy

@Suite struct BucketPolicyEvaluationTests {
    static let alice = PolicyIdentity.user(id: "u-alice", name: "alice")
    static let bob = PolicyIdentity.user(id: "u-bob", name: "bob")
    static let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15

    static func request(_ identity: PolicyIdentity, _ action: String, key: String? = "doc.txt", ip: String = "127.0.0.1") -> PolicyRequest {
        PolicyRequest(identity: identity, action: action, resource: PolicyRequest.arn(bucket: "photos", key: key),
                      sourceIP: ip, secureTransport: false, now: now)
    }

    static func policy(_ statements: String) throws -> BucketPolicy {
        try BucketPolicy.parse(#"{"Version": "2012-10-17", "Statement": [\#(statements)]}"#, bucket: "photos")
    }

    @Test func anExplicitDenyBeatsAnAllow() throws {
        let policy = try Self.policy(#"""
            {"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*"},
            {"Sid": "NoBob", "Effect": "Deny", "Principal": {"AWS": "bob"}, "Action": "s3:GetObject", "Resource": "*"}
            """#)
        #expect(policy.evaluate(Self.request(Self.alice, "s3:GetObject")) == .allow(sid: "All"))
        #expect(policy.evaluate(Self.request(Self.bob, "s3:GetObject")) == .deny(sid: "NoBob"))
        #expect(policy.evaluate(Self.request(.anonymous, "s3:GetObject")) == .allow(sid: "All"))
        // A bucket-level action on the bucket ARN: the object statement does not apply.
        #expect(policy.evaluate(Self.request(Self.alice, "s3:ListBucket", key: nil)) == .notApplicable)
    }

    @Test func principalsMatchUsersByIdOrNameAndNeverAnonymous() throws {
        let policy = try Self.policy(#"""
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:user/alice", "u-bob"]}, "Action": "s3:GetObject", "Resource": "*"}
            """#)
        #expect(policy.evaluate(Self.request(Self.alice, "s3:GetObject")) == .allow(sid: nil))
        #expect(policy.evaluate(Self.request(Self.bob, "s3:GetObject")) == .allow(sid: nil))
        #expect(policy.evaluate(Self.request(.user(id: "u-eve", name: "eve"), "s3:GetObject")) == .notApplicable)
        #expect(policy.evaluate(Self.request(.anonymous, "s3:GetObject")) == .notApplicable)
    }

    @Test func notPrincipalNotActionAndNotResourceAreComplements() throws {
        let policy = try Self.policy(#"""
            {"Effect": "Deny", "NotPrincipal": {"AWS": "alice"}, "NotAction": ["s3:Get*", "s3:ListBucket"], "NotResource": "arn:aws:s3:::photos/scratch/*"}
            """#)
        #expect(policy.evaluate(Self.request(Self.bob, "s3:PutObject")) == .deny(sid: nil))
        #expect(policy.evaluate(Self.request(.anonymous, "s3:DeleteObject")) == .deny(sid: nil))
        #expect(policy.evaluate(Self.request(Self.alice, "s3:PutObject")) == .notApplicable)
        #expect(policy.evaluate(Self.request(Self.bob, "s3:GetObject")) == .notApplicable)
        #expect(policy.evaluate(Self.request(Self.bob, "s3:PutObject", key: "scratch/x")) == .notApplicable)
    }

    @Test func actionsMatchWithoutCaseAndWithWildcards() throws {
        let policy = try Self.policy(#"{"Effect": "Allow", "Principal": "*", "Action": "S3:get*", "Resource": "arn:aws:s3:::photos/pub?ic/*"}"#)
        #expect(policy.evaluate(Self.request(Self.alice, "s3:GetObject", key: "public/a.png")) == .allow(sid: nil))
        #expect(policy.evaluate(Self.request(Self.alice, "s3:GetObjectTagging", key: "public/a/b")) == .allow(sid: nil))
        #expect(policy.evaluate(Self.request(Self.alice, "s3:PutObject", key: "public/a.png")) == .notApplicable)
        // Resources keep their case.
        #expect(policy.evaluate(Self.request(Self.alice, "s3:GetObject", key: "Public/a.png")) == .notApplicable)
    }

    static func conditioned(_ condition: String) throws -> BucketPolicy {
        try policy(#"{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"], "Condition": \#(condition)}"#)
    }

    static func allows(_ policy: BucketPolicy, _ request: PolicyRequest) -> Bool {
        if case .allow = policy.evaluate(request) { return true }
        return false
    }

    @Test func ipAddressConditionsOnTheSourceAddress() throws {
        let loopback = try Self.conditioned(#"{"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}}"#)
        #expect(Self.allows(loopback, Self.request(.anonymous, "s3:GetObject", ip: "127.0.0.1")))
        #expect(Self.allows(loopback, Self.request(.anonymous, "s3:GetObject", ip: "::1")))
        #expect(Self.allows(loopback, Self.request(.anonymous, "s3:GetObject", ip: "::ffff:127.0.0.9")))
        #expect(!Self.allows(loopback, Self.request(.anonymous, "s3:GetObject", ip: "10.1.2.3")))
        let notLoopback = try Self.conditioned(#"{"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}"#)
        #expect(!Self.allows(notLoopback, Self.request(.anonymous, "s3:GetObject", ip: "127.0.0.1")))
        #expect(Self.allows(notLoopback, Self.request(.anonymous, "s3:GetObject", ip: "192.0.2.1")))
        let v6 = try Self.conditioned(#"{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}"#)
        #expect(Self.allows(v6, Self.request(.anonymous, "s3:GetObject", ip: "2001:db8:1::5")))
        #expect(!Self.allows(v6, Self.request(.anonymous, "s3:GetObject", ip: "2001:db9::5")))
    }

    @Test func stringConditionsAndTheirIfExistsForms() throws {
        var listing = Self.request(Self.alice, "s3:ListBucket", key: nil)
        listing.set("s3:prefix", "home/alice/")
        let equals = try Self.conditioned(#"{"StringEquals": {"s3:prefix": ["home/alice/", "shared/"]}}"#)
        #expect(Self.allows(equals, listing))
        let notEquals = try Self.conditioned(#"{"StringNotEquals": {"s3:prefix": "home/alice/"}}"#)
        #expect(!Self.allows(notEquals, listing))
        let notLike = try Self.conditioned(#"{"StringNotLike": {"s3:prefix": "home/*"}}"#)
        #expect(!Self.allows(notLike, listing))
        let likeHome = try Self.conditioned(#"{"StringLike": {"s3:prefix": "home/*"}}"#)
        #expect(Self.allows(likeHome, listing))
        let ignoreCase = try Self.conditioned(#"{"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}"#)
        #expect(Self.allows(ignoreCase, listing))
        // An absent key fails a positive operator, satisfies a negated one and any IfExists.
        let read = Self.request(Self.alice, "s3:GetObject")
        #expect(!Self.allows(equals, read))
        #expect(Self.allows(notEquals, read))
        #expect(Self.allows(try Self.conditioned(#"{"StringEqualsIfExists": {"s3:prefix": "x"}}"#), read))
        #expect(!Self.allows(try Self.conditioned(#"{"StringEqualsIfExists": {"s3:prefix": "x"}}"#), listing))
        #expect(Self.allows(try Self.conditioned(#"{"Null": {"s3:prefix": "true"}}"#), read))
        #expect(!Self.allows(try Self.conditioned(#"{"Null": {"s3:prefix": "true"}}"#), listing))
    }

    @Test func serverSideEncryptionAndUserKeys() throws {
        let policy = try Self.policy(#"""
            {"Sid": "EncryptedOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::photos/*",
             "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::photos/*",
             "Condition": {"StringEquals": {"aws:userid": "u-alice"}}}
            """#)
        var plain = Self.request(Self.alice, "s3:PutObject")
        #expect(policy.evaluate(plain) == .deny(sid: "EncryptedOnly"))
        plain.set("s3:x-amz-server-side-encryption", "aws:kms")
        #expect(policy.evaluate(plain) == .allow(sid: nil))
        var byBob = Self.request(Self.bob, "s3:PutObject")
        byBob.set("s3:x-amz-server-side-encryption", "aws:kms")
        #expect(policy.evaluate(byBob) == .notApplicable)
    }

    @Test func secureTransportAndCurrentTime() throws {
        let insecure = Self.request(.anonymous, "s3:GetObject")
        #expect(Self.allows(try Self.conditioned(#"{"Bool": {"aws:SecureTransport": false}}"#), insecure))
        #expect(!Self.allows(try Self.conditioned(#"{"Bool": {"aws:SecureTransport": "true"}}"#), insecure))
        #expect(Self.allows(try Self.conditioned(#"{"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#), insecure))
        #expect(!Self.allows(try Self.conditioned(#"{"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#), insecure))
        #expect(Self.allows(try Self.conditioned(#"{"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}"#), insecure))
        #expect(Self.allows(try Self.conditioned(#"{"NumericLessThan": {"aws:EpochTime": 1900000000}}"#), insecure))
        // Every condition of a statement must hold.
        let both = try Self.conditioned(#"{"Bool": {"aws:SecureTransport": "false"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#)
        #expect(!Self.allows(both, insecure))
    }

    @Test func publicMeansAnonymousWithoutAPinningCondition() throws {
        #expect(try Self.conditioned(#"{"Bool": {"aws:SecureTransport": "true"}}"#).isPublic)
        #expect(try !Self.conditioned(#"{"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}"#).isPublic)
        #expect(try Self.conditioned(#"{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#).isPublic)
        // Not public, but still anonymous: a classification that forbids public access refuses it.
        #expect(try Self.conditioned(#"{"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}"#).allowsAnonymous)
        #expect(try !Self.policy(#"{"Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "s3:*", "Resource": "*"}"#).isPublic)
    }
}
