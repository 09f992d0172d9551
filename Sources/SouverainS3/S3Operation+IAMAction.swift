import SouverainPolicy

extension S3Operation {
    /// The IAM action a bucket policy names this operation by (AWS's "actions, resources and
    /// condition keys for Amazon S3"); nil for the operations Souverain does not implement, which
    /// answer NotImplemented before any policy is read. Reads of a given version and multipart
    /// steps use the actions AWS uses: a part is `s3:PutObject`, a copy needs `s3:GetObject` on
    /// its source as well.
    public var iamAction: String? {
        switch self {
        case .listBuckets: "s3:ListAllMyBuckets"
        case .createBucket: "s3:CreateBucket"
        case .headBucket, .listObjectsV1, .listObjectsV2: "s3:ListBucket"
        case .deleteBucket: "s3:DeleteBucket"
        case .getBucketLocation: "s3:GetBucketLocation"
        case .getBucketVersioning: "s3:GetBucketVersioning"
        case .putBucketVersioning: "s3:PutBucketVersioning"
        case .getBucketAcl: "s3:GetBucketAcl"
        case .putBucketAcl: "s3:PutBucketAcl"
        case .getBucketEncryption: "s3:GetEncryptionConfiguration"
        case .putBucketEncryption, .deleteBucketEncryption: "s3:PutEncryptionConfiguration"
        case .listMultipartUploads: "s3:ListBucketMultipartUploads"
        case .listObjectVersions: "s3:ListBucketVersions"
        case .deleteObjects, .deleteObject: "s3:DeleteObject"
        case .putObject, .copyObject, .createMultipartUpload, .uploadPart, .uploadPartCopy, .completeMultipartUpload:
            "s3:PutObject"
        case .getObject, .headObject: "s3:GetObject"
        case .getObjectAcl: "s3:GetObjectAcl"
        case .putObjectAcl: "s3:PutObjectAcl"
        case .getObjectAttributes: "s3:GetObjectAttributes"
        case .abortMultipartUpload: "s3:AbortMultipartUpload"
        case .listParts: "s3:ListMultipartUploadParts"
        case .putBucketLifecycleConfiguration, .deleteBucketLifecycle: "s3:PutLifecycleConfiguration"
        case .getBucketLifecycleConfiguration: "s3:GetLifecycleConfiguration"
        case .getObjectLockConfiguration: "s3:GetBucketObjectLockConfiguration"
        case .putObjectLockConfiguration: "s3:PutBucketObjectLockConfiguration"
        case .getObjectRetention: "s3:GetObjectRetention"
        case .putObjectRetention: "s3:PutObjectRetention"
        case .getObjectLegalHold: "s3:GetObjectLegalHold"
        case .putObjectLegalHold: "s3:PutObjectLegalHold"
        case .getObjectTagging: "s3:GetObjectTagging"
        case .putObjectTagging: "s3:PutObjectTagging"
        case .deleteObjectTagging: "s3:DeleteObjectTagging"
        case .bucketAccess(let operation, _): operation.iamAction
        case .bucketConfiguration(let operation, _): operation.iamAction
        case .notImplemented: nil
        }
    }

    /// The resource ARN a policy matches: the object's for object operations, else the bucket's;
    /// nil for ListBuckets. DeleteObjects is checked key by key by its handler (one ARN per key),
    /// and is matched here against the bucket only to decide whether it may start.
    public var policyResource: String? {
        guard let bucket else { return nil }
        return PolicyRequest.arn(bucket: bucket, key: key)
    }
}
