/// The S3 actions a bucket policy may name (AWS's service authorization reference for Amazon
/// S3), each with the resource it applies to, so that a policy naming an unknown action, or an
/// action with no resource it could apply to, is refused when it is set rather than ignored.
public enum S3Actions {
    public enum ResourceKind: Sendable {
        /// `arn:aws:s3:::bucket`
        case bucket
        /// `arn:aws:s3:::bucket/key`
        case object
        /// `*` only (account-level actions such as ListAllMyBuckets): never matched in a bucket policy.
        case account
    }

    static let objectActions = [
        "AbortMultipartUpload", "BypassGovernanceRetention", "DeleteObject", "DeleteObjectTagging", "DeleteObjectVersion",
        "DeleteObjectVersionTagging", "GetObject", "GetObjectAcl", "GetObjectAttributes", "GetObjectLegalHold",
        "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent", "GetObjectVersion", "GetObjectVersionAcl",
        "GetObjectVersionAttributes", "GetObjectVersionForReplication", "GetObjectVersionTagging", "GetObjectVersionTorrent",
        "InitiateReplication", "ListMultipartUploadParts", "ObjectOwnerOverrideToBucketOwner", "PutObject", "PutObjectAcl",
        "PutObjectLegalHold", "PutObjectRetention", "PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionTagging",
        "ReplicateDelete", "ReplicateObject", "ReplicateTags", "RestoreObject",
    ]

    static let bucketActions = [
        "CreateBucket", "DeleteBucket", "DeleteBucketOwnershipControls", "DeleteBucketPolicy", "DeleteBucketWebsite",
        "GetAccelerateConfiguration", "GetAnalyticsConfiguration", "GetBucketAcl", "GetBucketCORS", "GetBucketLocation",
        "GetBucketLogging", "GetBucketNotification", "GetBucketObjectLockConfiguration", "GetBucketOwnershipControls",
        "GetBucketPolicy", "GetBucketPolicyStatus", "GetBucketPublicAccessBlock", "GetBucketRequestPayment",
        "GetBucketTagging", "GetBucketVersioning", "GetBucketWebsite", "GetEncryptionConfiguration",
        "GetIntelligentTieringConfiguration", "GetInventoryConfiguration", "GetLifecycleConfiguration",
        "GetMetricsConfiguration", "GetReplicationConfiguration", "ListBucket", "ListBucketMultipartUploads",
        "ListBucketVersions", "PutAccelerateConfiguration", "PutAnalyticsConfiguration", "PutBucketAcl", "PutBucketCORS",
        "PutBucketLogging", "PutBucketNotification", "PutBucketObjectLockConfiguration", "PutBucketOwnershipControls",
        "PutBucketPolicy", "PutBucketPublicAccessBlock", "PutBucketRequestPayment", "PutBucketTagging",
        "PutBucketVersioning", "PutBucketWebsite", "PutEncryptionConfiguration", "PutIntelligentTieringConfiguration",
        "PutInventoryConfiguration", "PutLifecycleConfiguration", "PutMetricsConfiguration", "PutReplicationConfiguration",
    ]

    static let accountActions = [
        "ListAllMyBuckets", "GetAccountPublicAccessBlock", "PutAccountPublicAccessBlock", "ListAccessPoints", "ListJobs",
        "CreateJob",
    ]

    /// Lower-cased `s3:Name` → resource kind.
    static let kinds: [String: ResourceKind] = {
        var out: [String: ResourceKind] = [:]
        for name in objectActions { out["s3:" + name.lowercased()] = .object }
        for name in bucketActions { out["s3:" + name.lowercased()] = .bucket }
        for name in accountActions { out["s3:" + name.lowercased()] = .account }
        return out
    }()

    /// Every known action, as AWS spells it (`s3:GetObject`).
    public static let all: [String] = (objectActions + bucketActions + accountActions).map { "s3:" + $0 }

    /// The resource kind of a known action (any case); nil for an unknown one.
    public static func kind(of action: String) -> ResourceKind? { kinds[action.lowercased()] }

    /// The known actions a pattern (`s3:Get*`, `*`) matches.
    public static func matching(_ pattern: String) -> [String] {
        all.filter { WildcardPattern.matches(pattern, $0, ignoringCase: true) }
    }
}
