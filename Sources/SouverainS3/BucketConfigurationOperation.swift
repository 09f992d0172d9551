/// The operations on a bucket's other configurations (docs/s3-compatibility.md): its tags, its
/// website configuration, server access logging, event notifications, request payment, transfer
/// acceleration and replication. Each is the bucket's owner's (or an admin's) to read and change;
/// the raw value is AWS's operation name.
///
/// Tags and the website configuration are kept and answered as set. The others answer what this
/// server does (no access log delivery, no notifications, the owner pays, no acceleration, no
/// S3 replication: placement makes replicas), accept a configuration that asks for exactly that,
/// and refuse any other with NotImplemented and the reason, rather than keep a setting nothing
/// honours.
public enum BucketConfigurationOperation: String, Sendable, Equatable, CaseIterable {
    case getBucketTagging = "GetBucketTagging"
    case putBucketTagging = "PutBucketTagging"
    case deleteBucketTagging = "DeleteBucketTagging"
    case getBucketWebsite = "GetBucketWebsite"
    case putBucketWebsite = "PutBucketWebsite"
    case deleteBucketWebsite = "DeleteBucketWebsite"
    case getBucketLogging = "GetBucketLogging"
    case putBucketLogging = "PutBucketLogging"
    case getBucketNotificationConfiguration = "GetBucketNotificationConfiguration"
    case putBucketNotificationConfiguration = "PutBucketNotificationConfiguration"
    case getBucketRequestPayment = "GetBucketRequestPayment"
    case putBucketRequestPayment = "PutBucketRequestPayment"
    case getBucketAccelerateConfiguration = "GetBucketAccelerateConfiguration"
    case putBucketAccelerateConfiguration = "PutBucketAccelerateConfiguration"
    case getBucketReplication = "GetBucketReplication"
    case putBucketReplication = "PutBucketReplication"
    case deleteBucketReplication = "DeleteBucketReplication"

    /// The IAM action a policy names it by (AWS's "actions, resources and condition keys for
    /// Amazon S3": deleting tags is putting none, as in IAM).
    public var iamAction: String {
        switch self {
        case .getBucketTagging: "s3:GetBucketTagging"
        case .putBucketTagging, .deleteBucketTagging: "s3:PutBucketTagging"
        case .getBucketWebsite: "s3:GetBucketWebsite"
        case .putBucketWebsite: "s3:PutBucketWebsite"
        case .deleteBucketWebsite: "s3:DeleteBucketWebsite"
        case .getBucketLogging: "s3:GetBucketLogging"
        case .putBucketLogging: "s3:PutBucketLogging"
        case .getBucketNotificationConfiguration: "s3:GetBucketNotification"
        case .putBucketNotificationConfiguration: "s3:PutBucketNotification"
        case .getBucketRequestPayment: "s3:GetBucketRequestPayment"
        case .putBucketRequestPayment: "s3:PutBucketRequestPayment"
        case .getBucketAccelerateConfiguration: "s3:GetAccelerateConfiguration"
        case .putBucketAccelerateConfiguration: "s3:PutAccelerateConfiguration"
        case .getBucketReplication: "s3:GetReplicationConfiguration"
        case .putBucketReplication, .deleteBucketReplication: "s3:PutReplicationConfiguration"
        }
    }
}
