/// One S3 request, parsed: which operation, on which bucket and key.
///
/// Parse with `S3Operation.parse(_:addressing:)`; check `requiredPermission` once, before
/// dispatch. Unsupported operations are `.notImplemented`, named as AWS names them.
public enum S3Operation: Sendable, Equatable {
    case listBuckets
    case createBucket(bucket: String)
    case headBucket(bucket: String)
    case deleteBucket(bucket: String)
    case getBucketLocation(bucket: String)
    case getBucketVersioning(bucket: String)
    case getBucketAcl(bucket: String)
    /// PUT ?acl: grants to named users (x-amz-grant-* headers or an AccessControlPolicy body).
    case putBucketAcl(bucket: String)
    /// GET, PUT and DELETE ?encryption: the bucket's default encryption.
    case getBucketEncryption(bucket: String)
    case putBucketEncryption(bucket: String)
    case deleteBucketEncryption(bucket: String)
    case listObjectsV1(bucket: String)
    case listObjectsV2(bucket: String)
    case listMultipartUploads(bucket: String)
    /// POST ?delete
    case deleteObjects(bucket: String)
    case putObject(bucket: String, key: String)
    /// PUT with x-amz-copy-source
    case copyObject(bucket: String, key: String, source: CopySource)
    case getObject(bucket: String, key: String)
    case headObject(bucket: String, key: String)
    case deleteObject(bucket: String, key: String)
    case getObjectAcl(bucket: String, key: String)
    /// PUT ?acl on an object: its group grants (docs/access.md).
    case putObjectAcl(bucket: String, key: String)
    /// GET ?attributes
    case getObjectAttributes(bucket: String, key: String)
    /// POST ?uploads
    case createMultipartUpload(bucket: String, key: String)
    case uploadPart(bucket: String, key: String, uploadID: String, partNumber: Int)
    case uploadPartCopy(bucket: String, key: String, uploadID: String, partNumber: Int, source: CopySource)
    /// POST ?uploadId=
    case completeMultipartUpload(bucket: String, key: String, uploadID: String)
    /// DELETE ?uploadId=
    case abortMultipartUpload(bucket: String, key: String, uploadID: String)
    /// GET ?uploadId=
    case listParts(bucket: String, key: String, uploadID: String)
    /// PUT, GET and DELETE ?lifecycle (docs/lifecycle.md).
    case putBucketLifecycleConfiguration(bucket: String)
    case getBucketLifecycleConfiguration(bucket: String)
    case deleteBucketLifecycle(bucket: String)
    /// PUT ?versioning
    case putBucketVersioning(bucket: String)
    /// GET ?versions
    case listObjectVersions(bucket: String)
    /// GET and PUT ?object-lock
    case getObjectLockConfiguration(bucket: String)
    case putObjectLockConfiguration(bucket: String)
    /// GET and PUT ?retention, ?legal-hold on an object
    case getObjectRetention(bucket: String, key: String)
    case putObjectRetention(bucket: String, key: String)
    case getObjectLegalHold(bucket: String, key: String)
    case putObjectLegalHold(bucket: String, key: String)
    /// GET, PUT and DELETE ?tagging on an object (docs/tagging.md)
    case getObjectTagging(bucket: String, key: String)
    case putObjectTagging(bucket: String, key: String)
    case deleteObjectTagging(bucket: String, key: String)
    /// Policies, public access blocks, ownership controls and CORS (docs/access.md).
    case bucketAccess(BucketAccessOperation, bucket: String)
    /// Tags, website, logging, notifications, request payment, acceleration, replication.
    case bucketConfiguration(BucketConfigurationOperation, bucket: String)
    /// Any other S3 operation, by its AWS name ("PutBucketPolicy", "PostObject", ...).
    case notImplemented(name: String, bucket: String?, key: String?)

    /// The longest key S3 accepts, in UTF-8 bytes.
    public static let maximumKeyLength = 1024

    /// The AWS operation name, e.g. "PutObject", for logs and metrics (low cardinality).
    public var name: String {
        switch self {
        case .listBuckets: "ListBuckets"
        case .createBucket: "CreateBucket"
        case .headBucket: "HeadBucket"
        case .deleteBucket: "DeleteBucket"
        case .getBucketLocation: "GetBucketLocation"
        case .getBucketVersioning: "GetBucketVersioning"
        case .getBucketAcl: "GetBucketAcl"
        case .putBucketAcl: "PutBucketAcl"
        case .getBucketEncryption: "GetBucketEncryption"
        case .putBucketEncryption: "PutBucketEncryption"
        case .deleteBucketEncryption: "DeleteBucketEncryption"
        case .listObjectsV1: "ListObjects"
        case .listObjectsV2: "ListObjectsV2"
        case .listMultipartUploads: "ListMultipartUploads"
        case .deleteObjects: "DeleteObjects"
        case .putObject: "PutObject"
        case .copyObject: "CopyObject"
        case .getObject: "GetObject"
        case .headObject: "HeadObject"
        case .deleteObject: "DeleteObject"
        case .getObjectAcl: "GetObjectAcl"
        case .putObjectAcl: "PutObjectAcl"
        case .getObjectAttributes: "GetObjectAttributes"
        case .createMultipartUpload: "CreateMultipartUpload"
        case .uploadPart: "UploadPart"
        case .uploadPartCopy: "UploadPartCopy"
        case .completeMultipartUpload: "CompleteMultipartUpload"
        case .abortMultipartUpload: "AbortMultipartUpload"
        case .listParts: "ListParts"
        case .putBucketLifecycleConfiguration: "PutBucketLifecycleConfiguration"
        case .getBucketLifecycleConfiguration: "GetBucketLifecycleConfiguration"
        case .deleteBucketLifecycle: "DeleteBucketLifecycle"
        case .putBucketVersioning: "PutBucketVersioning"
        case .listObjectVersions: "ListObjectVersions"
        case .getObjectLockConfiguration: "GetObjectLockConfiguration"
        case .putObjectLockConfiguration: "PutObjectLockConfiguration"
        case .getObjectRetention: "GetObjectRetention"
        case .putObjectRetention: "PutObjectRetention"
        case .getObjectLegalHold: "GetObjectLegalHold"
        case .putObjectLegalHold: "PutObjectLegalHold"
        case .getObjectTagging: "GetObjectTagging"
        case .putObjectTagging: "PutObjectTagging"
        case .deleteObjectTagging: "DeleteObjectTagging"
        case .bucketAccess(let operation, _): operation.rawValue
        case .bucketConfiguration(let operation, _): operation.rawValue
        case .notImplemented(let name, _, _): name
        }
    }

    /// The bucket the request addresses; nil for ListBuckets.
    public var bucket: String? {
        switch self {
        case .listBuckets:
            nil
        case .createBucket(let bucket), .headBucket(let bucket), .deleteBucket(let bucket),
             .getBucketLocation(let bucket), .getBucketVersioning(let bucket), .getBucketAcl(let bucket),
             .putBucketAcl(let bucket), .getBucketEncryption(let bucket), .putBucketEncryption(let bucket),
             .deleteBucketEncryption(let bucket),
             .listObjectsV1(let bucket), .listObjectsV2(let bucket), .listMultipartUploads(let bucket),
             .deleteObjects(let bucket), .putBucketLifecycleConfiguration(let bucket),
             .getBucketLifecycleConfiguration(let bucket), .deleteBucketLifecycle(let bucket),
             .putBucketVersioning(let bucket), .listObjectVersions(let bucket), .getObjectLockConfiguration(let bucket),
             .putObjectLockConfiguration(let bucket), .bucketAccess(_, let bucket),
             .bucketConfiguration(_, let bucket):
            bucket
        case .getObjectRetention(let bucket, _), .putObjectRetention(let bucket, _), .getObjectLegalHold(let bucket, _),
             .putObjectLegalHold(let bucket, _):
            bucket
        case .getObjectTagging(let bucket, _), .putObjectTagging(let bucket, _), .deleteObjectTagging(let bucket, _):
            bucket
        case .putObject(let bucket, _), .copyObject(let bucket, _, _), .getObject(let bucket, _),
             .headObject(let bucket, _), .deleteObject(let bucket, _), .getObjectAcl(let bucket, _),
             .putObjectAcl(let bucket, _), .getObjectAttributes(let bucket, _),
             .createMultipartUpload(let bucket, _), .uploadPart(let bucket, _, _, _),
             .uploadPartCopy(let bucket, _, _, _, _), .completeMultipartUpload(let bucket, _, _),
             .abortMultipartUpload(let bucket, _, _), .listParts(let bucket, _, _):
            bucket
        case .notImplemented(_, let bucket, _):
            bucket
        }
    }

    /// The object key; nil for bucket and service operations.
    public var key: String? {
        switch self {
        case .listBuckets, .createBucket, .headBucket, .deleteBucket, .getBucketLocation,
             .getBucketVersioning, .getBucketAcl, .putBucketAcl, .listObjectsV1, .listObjectsV2,
             .listMultipartUploads, .deleteObjects, .putBucketLifecycleConfiguration, .getBucketLifecycleConfiguration,
             .deleteBucketLifecycle, .getBucketEncryption, .putBucketEncryption, .deleteBucketEncryption,
             .putBucketVersioning, .listObjectVersions, .getObjectLockConfiguration, .putObjectLockConfiguration, .bucketAccess,
             .bucketConfiguration:
            nil
        case .getObjectRetention(_, let key), .putObjectRetention(_, let key), .getObjectLegalHold(_, let key),
             .putObjectLegalHold(_, let key):
            key
        case .getObjectTagging(_, let key), .putObjectTagging(_, let key), .deleteObjectTagging(_, let key):
            key
        case .putObject(_, let key), .copyObject(_, let key, _), .getObject(_, let key),
             .headObject(_, let key), .deleteObject(_, let key), .getObjectAcl(_, let key),
             .putObjectAcl(_, let key), .getObjectAttributes(_, let key),
             .createMultipartUpload(_, let key), .uploadPart(_, let key, _, _),
             .uploadPartCopy(_, let key, _, _, _), .completeMultipartUpload(_, let key, _),
             .abortMultipartUpload(_, let key, _), .listParts(_, let key, _):
            key
        case .notImplemented(_, _, let key):
            key
        }
    }

    /// The copy source of CopyObject and UploadPartCopy. The caller also needs `.read` on its bucket.
    public var copySource: CopySource? {
        switch self {
        case .copyObject(_, _, let source), .uploadPartCopy(_, _, _, _, let source): source
        default: nil
        }
    }

    /// The permission needed on `bucket` (see `S3Permission`):
    ///
    /// | operation | permission |
    /// |---|---|
    /// | ListBuckets, CreateBucket | authenticated |
    /// | HeadBucket, GetBucketLocation, ListObjects(V2), ListMultipartUploads, GetObject, HeadObject, GetObjectAttributes, ListParts | read |
    /// | PutObject, CopyObject, DeleteObject, DeleteObjects, multipart create/upload/copy/complete/abort | write |
    /// | ListObjectVersions, GetObjectLockConfiguration, GetObjectRetention, GetObjectLegalHold | read |
    /// | PutObjectRetention, PutObjectLegalHold | write |
    /// | GetObjectTagging | read |
    /// | PutObjectTagging, DeleteObjectTagging | write |
    /// | DeleteBucket, GetBucketAcl, PutBucketAcl, Get/PutObjectAcl, Get/PutBucketVersioning, PutObjectLockConfiguration | owner |
    /// | Get/Put/DeleteBucketEncryption, Put/Get/DeleteBucketLifecycle(Configuration) | owner |
    /// | policies, public access blocks, ownership controls, CORS (`bucketAccess`) | owner |
    /// | tags, website, logging, notifications, request payment, acceleration, replication (`bucketConfiguration`) | owner |
    /// | anything not implemented | authenticated (it only ever answers NotImplemented) |
    ///
    /// Copies also need `.read` on `copySource.bucket`.
    public var requiredPermission: S3Permission {
        switch self {
        case .listBuckets, .createBucket, .notImplemented:
            .authenticated
        case .headBucket, .getBucketLocation, .listObjectsV1, .listObjectsV2, .listMultipartUploads,
             .getObject, .headObject, .getObjectAttributes, .listParts, .listObjectVersions, .getObjectRetention,
             .getObjectLegalHold, .getObjectLockConfiguration, .getObjectTagging:
            .read
        case .putObject, .copyObject, .deleteObject, .deleteObjects, .createMultipartUpload,
             .uploadPart, .uploadPartCopy, .completeMultipartUpload, .abortMultipartUpload, .putObjectRetention,
             .putObjectLegalHold, .putObjectTagging, .deleteObjectTagging:
            .write
        case .deleteBucket, .getBucketAcl, .putBucketAcl, .getObjectAcl, .putObjectAcl, .getBucketVersioning, .putBucketVersioning,
             .putObjectLockConfiguration, .getBucketEncryption, .putBucketEncryption, .deleteBucketEncryption:
            .owner
        case .putBucketLifecycleConfiguration, .getBucketLifecycleConfiguration, .deleteBucketLifecycle, .bucketAccess,
             .bucketConfiguration:
            .owner
        }
    }
}
