/// The S3 subresources (query keywords) and the AWS operation each method names, from the
/// S3 API reference (botocore's s3 2006-03-01 model).
enum S3Subresources {
    /// Bucket subresource → method → AWS operation name.
    static let bucket: [String: [String: String]] = [
        "abac": ["GET": "GetBucketAbac", "PUT": "PutBucketAbac"],
        "accelerate": ["GET": "GetBucketAccelerateConfiguration", "PUT": "PutBucketAccelerateConfiguration"],
        "acl": ["GET": "GetBucketAcl", "PUT": "PutBucketAcl"],
        "analytics": ["GET": "GetBucketAnalyticsConfiguration", "PUT": "PutBucketAnalyticsConfiguration",
                      "DELETE": "DeleteBucketAnalyticsConfiguration"],
        "cors": ["GET": "GetBucketCors", "PUT": "PutBucketCors", "DELETE": "DeleteBucketCors"],
        "delete": ["POST": "DeleteObjects"],
        "encryption": ["GET": "GetBucketEncryption", "PUT": "PutBucketEncryption", "DELETE": "DeleteBucketEncryption"],
        "intelligent-tiering": ["GET": "GetBucketIntelligentTieringConfiguration",
                                "PUT": "PutBucketIntelligentTieringConfiguration",
                                "DELETE": "DeleteBucketIntelligentTieringConfiguration"],
        "inventory": ["GET": "GetBucketInventoryConfiguration", "PUT": "PutBucketInventoryConfiguration",
                      "DELETE": "DeleteBucketInventoryConfiguration"],
        "lifecycle": ["GET": "GetBucketLifecycleConfiguration", "PUT": "PutBucketLifecycleConfiguration",
                      "DELETE": "DeleteBucketLifecycle"],
        "location": ["GET": "GetBucketLocation"],
        "logging": ["GET": "GetBucketLogging", "PUT": "PutBucketLogging"],
        "metadataConfiguration": ["GET": "GetBucketMetadataConfiguration", "POST": "CreateBucketMetadataConfiguration",
                                  "DELETE": "DeleteBucketMetadataConfiguration"],
        "metadataInventoryTable": ["PUT": "UpdateBucketMetadataInventoryTableConfiguration"],
        "metadataJournalTable": ["PUT": "UpdateBucketMetadataJournalTableConfiguration"],
        "metadataTable": ["GET": "GetBucketMetadataTableConfiguration", "POST": "CreateBucketMetadataTableConfiguration",
                          "DELETE": "DeleteBucketMetadataTableConfiguration"],
        "metrics": ["GET": "GetBucketMetricsConfiguration", "PUT": "PutBucketMetricsConfiguration",
                    "DELETE": "DeleteBucketMetricsConfiguration"],
        "notification": ["GET": "GetBucketNotificationConfiguration", "PUT": "PutBucketNotificationConfiguration"],
        "object-lock": ["GET": "GetObjectLockConfiguration", "PUT": "PutObjectLockConfiguration"],
        "ownershipControls": ["GET": "GetBucketOwnershipControls", "PUT": "PutBucketOwnershipControls",
                              "DELETE": "DeleteBucketOwnershipControls"],
        "policy": ["GET": "GetBucketPolicy", "PUT": "PutBucketPolicy", "DELETE": "DeleteBucketPolicy"],
        "policyStatus": ["GET": "GetBucketPolicyStatus"],
        "publicAccessBlock": ["GET": "GetPublicAccessBlock", "PUT": "PutPublicAccessBlock",
                              "DELETE": "DeletePublicAccessBlock"],
        "replication": ["GET": "GetBucketReplication", "PUT": "PutBucketReplication", "DELETE": "DeleteBucketReplication"],
        "requestPayment": ["GET": "GetBucketRequestPayment", "PUT": "PutBucketRequestPayment"],
        "session": ["GET": "CreateSession"],
        "tagging": ["GET": "GetBucketTagging", "PUT": "PutBucketTagging", "DELETE": "DeleteBucketTagging"],
        "uploads": ["GET": "ListMultipartUploads"],
        "versioning": ["GET": "GetBucketVersioning", "PUT": "PutBucketVersioning"],
        "versions": ["GET": "ListObjectVersions"],
        "website": ["GET": "GetBucketWebsite", "PUT": "PutBucketWebsite", "DELETE": "DeleteBucketWebsite"],
    ]

    /// Bucket subresources whose GET lists every configuration when no `id` is given.
    static let bucketConfigurationLists: [String: String] = [
        "analytics": "ListBucketAnalyticsConfigurations",
        "intelligent-tiering": "ListBucketIntelligentTieringConfigurations",
        "inventory": "ListBucketInventoryConfigurations",
        "metrics": "ListBucketMetricsConfigurations",
    ]

    /// Object subresource → method → AWS operation name (`uploadId` is handled apart).
    static let object: [String: [String: String]] = [
        "acl": ["GET": "GetObjectAcl", "PUT": "PutObjectAcl"],
        "attributes": ["GET": "GetObjectAttributes"],
        "encryption": ["PUT": "UpdateObjectEncryption"],
        "legal-hold": ["GET": "GetObjectLegalHold", "PUT": "PutObjectLegalHold"],
        "renameObject": ["PUT": "RenameObject"],
        "restore": ["POST": "RestoreObject"],
        "retention": ["GET": "GetObjectRetention", "PUT": "PutObjectRetention"],
        "select": ["POST": "SelectObjectContent"],
        "tagging": ["GET": "GetObjectTagging", "PUT": "PutObjectTagging", "DELETE": "DeleteObjectTagging"],
        "torrent": ["GET": "GetObjectTorrent"],
        "uploads": ["POST": "CreateMultipartUpload"],
    ]

    /// Request parameters that select nothing: listing and paging options, response header
    /// overrides (`response-*`), presigning (`X-Amz-*`, and SigV2's three), SDK hints (`x-id`).
    static let plainParameters: Set<String> = [
        "list-type", "prefix", "delimiter", "max-keys", "continuation-token", "start-after", "fetch-owner",
        "encoding-type", "marker", "key-marker", "upload-id-marker", "version-id-marker", "max-uploads",
        "max-parts", "part-number-marker", "partNumber", "uploadId", "versionId", "x-id", "id",
        "select-type", "max-buckets", "bucket-region", "allow-unordered",
        "AWSAccessKeyId", "Signature", "Expires",
    ]

    static func isPlain(_ name: String) -> Bool {
        if plainParameters.contains(name) || name.hasPrefix("response-") { return true }
        let prefix = name.utf8.prefix(6)
        return prefix.count == 6 && zip(prefix, "x-amz-".utf8).allSatisfy { ($0 | 0x20) == $1 }
    }
}
