import Testing
import SouverainS3

/// PutBucketEncryption and GetBucketEncryption bodies, and their parsing as operations.
@Suite struct ServerSideEncryptionConfigurationTests {
    static func body(_ rule: String) -> [UInt8] {
        Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\(rule)</ServerSideEncryptionConfiguration>
            """.utf8)
    }

    @Test func readsANamedKeyDefaultWithBucketKeys() throws {
        let parsed = try ServerSideEncryptionConfiguration.parse(Self.body("""
            <Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>
            <KMSMasterKeyID>alias/app-key</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>
            <BucketKeyEnabled>true</BucketKeyEnabled></Rule>
            """))
        #expect(parsed == ServerSideEncryptionConfiguration(algorithm: "aws:kms", kmsMasterKeyID: "alias/app-key", bucketKeyEnabled: true))
    }

    @Test func readsSSES3() throws {
        let parsed = try ServerSideEncryptionConfiguration.parse(Self.body(
            "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"))
        #expect(parsed == ServerSideEncryptionConfiguration(algorithm: "AES256"))
    }

    @Test(arguments: [
        ("no rule", "", S3ErrorCode.malformedXML),
        ("two rules", String(repeating: "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>", count: 2), .malformedXML),
        ("no algorithm", "<Rule><ApplyServerSideEncryptionByDefault/></Rule>", .malformedXML),
        ("dsse", "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms:dsse</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>", .invalidArgument),
        ("key with AES256", "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>alias/k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule>", .invalidArgument),
        ("bad bucket key flag", "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>yes</BucketKeyEnabled></Rule>", .malformedXML),
    ])
    func refuses(_ name: String, _ rule: String, _ code: S3ErrorCode) {
        do {
            _ = try ServerSideEncryptionConfiguration.parse(Self.body(rule))
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.code == code, "\(name)")
        }
    }

    @Test func writesTheAnswerAsAWSDoes() {
        let xml = ServerSideEncryptionConfiguration(
            algorithm: "aws:kms", kmsMasterKeyID: "arn:aws:kms:us-east-1:000000000000:key/k", bucketKeyEnabled: true).xml()
        #expect(xml.contains("<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:000000000000:key/k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>"))
        let plain = ServerSideEncryptionConfiguration(algorithm: "AES256").xml()
        #expect(plain.contains("<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled>"))
    }

    @Test(arguments: [
        ("GET", S3Operation.getBucketEncryption(bucket: "b")),
        ("PUT", .putBucketEncryption(bucket: "b")),
        ("DELETE", .deleteBucketEncryption(bucket: "b")),
    ])
    func encryptionIsABucketOperationForItsOwner(_ method: String, _ expected: S3Operation) throws {
        let head = S3RequestHead(method: method, target: "/b?encryption", host: "127.0.0.1", headers: [])
        let operation = try S3Operation.parse(head, addressing: S3Addressing(virtualHostBaseDomains: []))
        #expect(operation == expected)
        #expect(operation.requiredPermission == .owner)
        #expect(operation.bucket == "b" && operation.key == nil)
    }
}
