import Testing
import SouverainS3

/// Every operation of botocore's S3 model (s3 2006-03-01; deprecated ones, ListDirectoryBuckets
/// and WriteGetObjectResponse left out), with its method, URI, required query parameters and
/// x-amz-copy-source when required. Generated from the model, kept here as data.
struct BotocoreOperation: Sendable, CustomTestStringConvertible {
    let method: String
    let target: String
    let copySource: Bool
    let name: String

    init(_ method: String, _ target: String, copySource: Bool, _ name: String) {
        self.method = method
        self.target = target
        self.copySource = copySource
        self.name = name
    }

    var testDescription: String { "\(name): \(method) \(target)" }

    static let all: [BotocoreOperation] = [
        BotocoreOperation("DELETE", "/bkt/some/key?uploadId=u1", copySource: false, "AbortMultipartUpload"),
        BotocoreOperation("POST", "/bkt/some/key?uploadId=u1", copySource: false, "CompleteMultipartUpload"),
        BotocoreOperation("PUT", "/bkt/some/key", copySource: true, "CopyObject"),
        BotocoreOperation("PUT", "/bkt", copySource: false, "CreateBucket"),
        BotocoreOperation("POST", "/bkt?metadataConfiguration", copySource: false, "CreateBucketMetadataConfiguration"),
        BotocoreOperation("POST", "/bkt?metadataTable", copySource: false, "CreateBucketMetadataTableConfiguration"),
        BotocoreOperation("POST", "/bkt/some/key?uploads", copySource: false, "CreateMultipartUpload"),
        BotocoreOperation("GET", "/bkt?session", copySource: false, "CreateSession"),
        BotocoreOperation("DELETE", "/bkt", copySource: false, "DeleteBucket"),
        BotocoreOperation("DELETE", "/bkt?analytics&id=cfg", copySource: false, "DeleteBucketAnalyticsConfiguration"),
        BotocoreOperation("DELETE", "/bkt?cors", copySource: false, "DeleteBucketCors"),
        BotocoreOperation("DELETE", "/bkt?encryption", copySource: false, "DeleteBucketEncryption"),
        BotocoreOperation("DELETE", "/bkt?intelligent-tiering&id=cfg", copySource: false, "DeleteBucketIntelligentTieringConfiguration"),
        BotocoreOperation("DELETE", "/bkt?inventory&id=cfg", copySource: false, "DeleteBucketInventoryConfiguration"),
        BotocoreOperation("DELETE", "/bkt?lifecycle", copySource: false, "DeleteBucketLifecycle"),
        BotocoreOperation("DELETE", "/bkt?metadataConfiguration", copySource: false, "DeleteBucketMetadataConfiguration"),
        BotocoreOperation("DELETE", "/bkt?metadataTable", copySource: false, "DeleteBucketMetadataTableConfiguration"),
        BotocoreOperation("DELETE", "/bkt?metrics&id=cfg", copySource: false, "DeleteBucketMetricsConfiguration"),
        BotocoreOperation("DELETE", "/bkt?ownershipControls", copySource: false, "DeleteBucketOwnershipControls"),
        BotocoreOperation("DELETE", "/bkt?policy", copySource: false, "DeleteBucketPolicy"),
        BotocoreOperation("DELETE", "/bkt?replication", copySource: false, "DeleteBucketReplication"),
        BotocoreOperation("DELETE", "/bkt?tagging", copySource: false, "DeleteBucketTagging"),
        BotocoreOperation("DELETE", "/bkt?website", copySource: false, "DeleteBucketWebsite"),
        BotocoreOperation("DELETE", "/bkt/some/key", copySource: false, "DeleteObject"),
        BotocoreOperation("DELETE", "/bkt/some/key?tagging", copySource: false, "DeleteObjectTagging"),
        BotocoreOperation("POST", "/bkt?delete", copySource: false, "DeleteObjects"),
        BotocoreOperation("DELETE", "/bkt?publicAccessBlock", copySource: false, "DeletePublicAccessBlock"),
        BotocoreOperation("GET", "/bkt?abac", copySource: false, "GetBucketAbac"),
        BotocoreOperation("GET", "/bkt?accelerate", copySource: false, "GetBucketAccelerateConfiguration"),
        BotocoreOperation("GET", "/bkt?acl", copySource: false, "GetBucketAcl"),
        BotocoreOperation("GET", "/bkt?analytics&id=cfg", copySource: false, "GetBucketAnalyticsConfiguration"),
        BotocoreOperation("GET", "/bkt?cors", copySource: false, "GetBucketCors"),
        BotocoreOperation("GET", "/bkt?encryption", copySource: false, "GetBucketEncryption"),
        BotocoreOperation("GET", "/bkt?intelligent-tiering&id=cfg", copySource: false, "GetBucketIntelligentTieringConfiguration"),
        BotocoreOperation("GET", "/bkt?inventory&id=cfg", copySource: false, "GetBucketInventoryConfiguration"),
        BotocoreOperation("GET", "/bkt?lifecycle", copySource: false, "GetBucketLifecycleConfiguration"),
        BotocoreOperation("GET", "/bkt?location", copySource: false, "GetBucketLocation"),
        BotocoreOperation("GET", "/bkt?logging", copySource: false, "GetBucketLogging"),
        BotocoreOperation("GET", "/bkt?metadataConfiguration", copySource: false, "GetBucketMetadataConfiguration"),
        BotocoreOperation("GET", "/bkt?metadataTable", copySource: false, "GetBucketMetadataTableConfiguration"),
        BotocoreOperation("GET", "/bkt?metrics&id=cfg", copySource: false, "GetBucketMetricsConfiguration"),
        BotocoreOperation("GET", "/bkt?notification", copySource: false, "GetBucketNotificationConfiguration"),
        BotocoreOperation("GET", "/bkt?ownershipControls", copySource: false, "GetBucketOwnershipControls"),
        BotocoreOperation("GET", "/bkt?policy", copySource: false, "GetBucketPolicy"),
        BotocoreOperation("GET", "/bkt?policyStatus", copySource: false, "GetBucketPolicyStatus"),
        BotocoreOperation("GET", "/bkt?replication", copySource: false, "GetBucketReplication"),
        BotocoreOperation("GET", "/bkt?requestPayment", copySource: false, "GetBucketRequestPayment"),
        BotocoreOperation("GET", "/bkt?tagging", copySource: false, "GetBucketTagging"),
        BotocoreOperation("GET", "/bkt?versioning", copySource: false, "GetBucketVersioning"),
        BotocoreOperation("GET", "/bkt?website", copySource: false, "GetBucketWebsite"),
        BotocoreOperation("GET", "/bkt/some/key", copySource: false, "GetObject"),
        BotocoreOperation("GET", "/bkt/some/key?acl", copySource: false, "GetObjectAcl"),
        BotocoreOperation("GET", "/bkt/some/key?attributes", copySource: false, "GetObjectAttributes"),
        BotocoreOperation("GET", "/bkt/some/key?legal-hold", copySource: false, "GetObjectLegalHold"),
        BotocoreOperation("GET", "/bkt?object-lock", copySource: false, "GetObjectLockConfiguration"),
        BotocoreOperation("GET", "/bkt/some/key?retention", copySource: false, "GetObjectRetention"),
        BotocoreOperation("GET", "/bkt/some/key?tagging", copySource: false, "GetObjectTagging"),
        BotocoreOperation("GET", "/bkt/some/key?torrent", copySource: false, "GetObjectTorrent"),
        BotocoreOperation("GET", "/bkt?publicAccessBlock", copySource: false, "GetPublicAccessBlock"),
        BotocoreOperation("HEAD", "/bkt", copySource: false, "HeadBucket"),
        BotocoreOperation("HEAD", "/bkt/some/key", copySource: false, "HeadObject"),
        BotocoreOperation("GET", "/bkt?analytics", copySource: false, "ListBucketAnalyticsConfigurations"),
        BotocoreOperation("GET", "/bkt?intelligent-tiering", copySource: false, "ListBucketIntelligentTieringConfigurations"),
        BotocoreOperation("GET", "/bkt?inventory", copySource: false, "ListBucketInventoryConfigurations"),
        BotocoreOperation("GET", "/bkt?metrics", copySource: false, "ListBucketMetricsConfigurations"),
        BotocoreOperation("GET", "/", copySource: false, "ListBuckets"),
        BotocoreOperation("GET", "/bkt?uploads", copySource: false, "ListMultipartUploads"),
        BotocoreOperation("GET", "/bkt?versions", copySource: false, "ListObjectVersions"),
        BotocoreOperation("GET", "/bkt", copySource: false, "ListObjects"),
        BotocoreOperation("GET", "/bkt?list-type=2", copySource: false, "ListObjectsV2"),
        BotocoreOperation("GET", "/bkt/some/key?uploadId=u1", copySource: false, "ListParts"),
        BotocoreOperation("PUT", "/bkt?abac", copySource: false, "PutBucketAbac"),
        BotocoreOperation("PUT", "/bkt?accelerate", copySource: false, "PutBucketAccelerateConfiguration"),
        BotocoreOperation("PUT", "/bkt?acl", copySource: false, "PutBucketAcl"),
        BotocoreOperation("PUT", "/bkt?analytics&id=cfg", copySource: false, "PutBucketAnalyticsConfiguration"),
        BotocoreOperation("PUT", "/bkt?cors", copySource: false, "PutBucketCors"),
        BotocoreOperation("PUT", "/bkt?encryption", copySource: false, "PutBucketEncryption"),
        BotocoreOperation("PUT", "/bkt?intelligent-tiering&id=cfg", copySource: false, "PutBucketIntelligentTieringConfiguration"),
        BotocoreOperation("PUT", "/bkt?inventory&id=cfg", copySource: false, "PutBucketInventoryConfiguration"),
        BotocoreOperation("PUT", "/bkt?lifecycle", copySource: false, "PutBucketLifecycleConfiguration"),
        BotocoreOperation("PUT", "/bkt?logging", copySource: false, "PutBucketLogging"),
        BotocoreOperation("PUT", "/bkt?metrics&id=cfg", copySource: false, "PutBucketMetricsConfiguration"),
        BotocoreOperation("PUT", "/bkt?notification", copySource: false, "PutBucketNotificationConfiguration"),
        BotocoreOperation("PUT", "/bkt?ownershipControls", copySource: false, "PutBucketOwnershipControls"),
        BotocoreOperation("PUT", "/bkt?policy", copySource: false, "PutBucketPolicy"),
        BotocoreOperation("PUT", "/bkt?replication", copySource: false, "PutBucketReplication"),
        BotocoreOperation("PUT", "/bkt?requestPayment", copySource: false, "PutBucketRequestPayment"),
        BotocoreOperation("PUT", "/bkt?tagging", copySource: false, "PutBucketTagging"),
        BotocoreOperation("PUT", "/bkt?versioning", copySource: false, "PutBucketVersioning"),
        BotocoreOperation("PUT", "/bkt?website", copySource: false, "PutBucketWebsite"),
        BotocoreOperation("PUT", "/bkt/some/key", copySource: false, "PutObject"),
        BotocoreOperation("PUT", "/bkt/some/key?acl", copySource: false, "PutObjectAcl"),
        BotocoreOperation("PUT", "/bkt/some/key?legal-hold", copySource: false, "PutObjectLegalHold"),
        BotocoreOperation("PUT", "/bkt?object-lock", copySource: false, "PutObjectLockConfiguration"),
        BotocoreOperation("PUT", "/bkt/some/key?retention", copySource: false, "PutObjectRetention"),
        BotocoreOperation("PUT", "/bkt/some/key?tagging", copySource: false, "PutObjectTagging"),
        BotocoreOperation("PUT", "/bkt?publicAccessBlock", copySource: false, "PutPublicAccessBlock"),
        BotocoreOperation("PUT", "/bkt/some/key?renameObject", copySource: false, "RenameObject"),
        BotocoreOperation("POST", "/bkt/some/key?restore", copySource: false, "RestoreObject"),
        BotocoreOperation("POST", "/bkt/some/key?select&select-type=2", copySource: false, "SelectObjectContent"),
        BotocoreOperation("PUT", "/bkt?metadataInventoryTable", copySource: false, "UpdateBucketMetadataInventoryTableConfiguration"),
        BotocoreOperation("PUT", "/bkt?metadataJournalTable", copySource: false, "UpdateBucketMetadataJournalTableConfiguration"),
        BotocoreOperation("PUT", "/bkt/some/key?encryption", copySource: false, "UpdateObjectEncryption"),
        BotocoreOperation("PUT", "/bkt/some/key?partNumber=1&uploadId=u1", copySource: false, "UploadPart"),
        BotocoreOperation("PUT", "/bkt/some/key?partNumber=1&uploadId=u1", copySource: true, "UploadPartCopy"),
    ]
}

@Suite("Every AWS operation parses to its AWS name")
struct BotocoreOperationTests {
    @Test(arguments: BotocoreOperation.all)
    func operationName(_ operation: BotocoreOperation) throws {
        let head = S3RequestHead(
            method: operation.method, target: operation.target, host: "127.0.0.1:9000",
            headers: operation.copySource ? [(name: "x-amz-copy-source", value: "/src/source-key")] : []
        )
        let parsed = try S3Operation.parse(head, addressing: S3Addressing(virtualHostBaseDomains: ["s3.example.org"]))
        #expect(parsed.name == operation.name)
        if operation.target != "/" {
            #expect(parsed.bucket == "bkt")
        }
        #expect(parsed.key == (operation.target.hasPrefix("/bkt/some/key") ? "some/key" : nil))
    }

    @Test func coversTheModel() {
        #expect(BotocoreOperation.all.count == 105)
        #expect(Set(BotocoreOperation.all.map(\.name)).count == 105)
    }
}
