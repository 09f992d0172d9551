/// The operations on who may reach a bucket (docs/access.md): its policy and the policy's status,
/// its public access block, its object ownership controls and its CORS rules. Each is the
/// bucket's owner's (or an admin's) to read and change; the raw value is AWS's operation name.
public enum BucketAccessOperation: String, Sendable, Equatable, CaseIterable {
    case getBucketPolicy = "GetBucketPolicy"
    case putBucketPolicy = "PutBucketPolicy"
    case deleteBucketPolicy = "DeleteBucketPolicy"
    case getBucketPolicyStatus = "GetBucketPolicyStatus"
    case getPublicAccessBlock = "GetPublicAccessBlock"
    case putPublicAccessBlock = "PutPublicAccessBlock"
    case deletePublicAccessBlock = "DeletePublicAccessBlock"
    case getBucketOwnershipControls = "GetBucketOwnershipControls"
    case putBucketOwnershipControls = "PutBucketOwnershipControls"
    case deleteBucketOwnershipControls = "DeleteBucketOwnershipControls"
    case getBucketCors = "GetBucketCors"
    case putBucketCors = "PutBucketCors"
    case deleteBucketCors = "DeleteBucketCors"

    /// The IAM action a policy names it by (deleting a configuration is putting none, as in IAM).
    public var iamAction: String {
        switch self {
        case .getBucketPolicy: "s3:GetBucketPolicy"
        case .putBucketPolicy: "s3:PutBucketPolicy"
        case .deleteBucketPolicy: "s3:DeleteBucketPolicy"
        case .getBucketPolicyStatus: "s3:GetBucketPolicyStatus"
        case .getPublicAccessBlock: "s3:GetBucketPublicAccessBlock"
        case .putPublicAccessBlock, .deletePublicAccessBlock: "s3:PutBucketPublicAccessBlock"
        case .getBucketOwnershipControls: "s3:GetBucketOwnershipControls"
        case .putBucketOwnershipControls, .deleteBucketOwnershipControls: "s3:PutBucketOwnershipControls"
        case .getBucketCors: "s3:GetBucketCORS"
        case .putBucketCors, .deleteBucketCors: "s3:PutBucketCORS"
        }
    }

    /// Whether the operation manages the bucket policy itself: the owner and admins can always
    /// do it, whatever the policy denies, so that no policy locks its bucket's owner out.
    public var managesPolicy: Bool {
        switch self {
        case .getBucketPolicy, .putBucketPolicy, .deleteBucketPolicy: true
        default: false
        }
    }
}
