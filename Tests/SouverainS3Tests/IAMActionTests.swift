import Testing
import SouverainPolicy
import SouverainS3

/// The table from S3 operations to IAM actions, checked against every operation of the S3 model
/// so that none is forgotten: each implemented operation names a known S3 action that applies to
/// its resource (an object action for an object, a bucket action for a bucket).
@Suite struct IAMActionTests {
    @Test(arguments: BotocoreOperation.all)
    func everyImplementedOperationHasAnActionForItsResource(_ operation: BotocoreOperation) throws {
        let head = S3RequestHead(
            method: operation.method, target: operation.target, host: "127.0.0.1:9000",
            headers: operation.copySource ? [(name: "x-amz-copy-source", value: "/src/source-key")] : [])
        let parsed = try S3Operation.parse(head, addressing: S3Addressing(virtualHostBaseDomains: []))
        if case .notImplemented = parsed {
            #expect(parsed.iamAction == nil)
            return
        }
        let action = try #require(parsed.iamAction, "\(parsed.name) has no IAM action")
        let kind = try #require(S3Actions.kind(of: action), "\(action) is not a known S3 action")
        switch parsed {
        case .listBuckets:
            #expect(kind == .account)
            #expect(parsed.policyResource == nil)
        case .deleteObjects:
            #expect(kind == .object)  // checked per key by its handler
        default:
            #expect(kind == (parsed.key == nil ? .bucket : .object), "\(parsed.name) → \(action)")
            #expect(parsed.policyResource == "arn:aws:s3:::bkt" + (parsed.key.map { "/" + $0 } ?? ""))
        }
    }

    @Test func theAccessOperationsParseToTheirCase() throws {
        for access in BucketAccessOperation.allCases {
            let operation = try #require(BotocoreOperation.all.first { $0.name == access.rawValue })
            let parsed = try S3Operation.parse(
                S3RequestHead(method: operation.method, target: operation.target, host: "h", headers: []),
                addressing: S3Addressing(virtualHostBaseDomains: []))
            #expect(parsed == .bucketAccess(access, bucket: "bkt"))
            #expect(parsed.requiredPermission == .owner)
        }
    }

    @Test func theConfigurationOperationsParseToTheirCase() throws {
        for configuration in BucketConfigurationOperation.allCases {
            let operation = try #require(BotocoreOperation.all.first { $0.name == configuration.rawValue })
            let parsed = try S3Operation.parse(
                S3RequestHead(method: operation.method, target: operation.target, host: "h", headers: []),
                addressing: S3Addressing(virtualHostBaseDomains: []))
            #expect(parsed == .bucketConfiguration(configuration, bucket: "bkt"))
            #expect(parsed.requiredPermission == .owner)
        }
    }
}
