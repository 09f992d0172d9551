/// Access-control headers on the requests that create a bucket or an object. The bucket's owner
/// (and admins) hold every object; other users reach a bucket through grants given with
/// PutBucketAcl, a bucket policy, or group ACLs where the bucket enables them (docs/access.md:
/// the group canned ACLs of object writes are checked by the server against the bucket). An ACL
/// asking for anything else is refused with NotImplemented, naming it, rather than accepted and
/// silently ignored.
public enum ACLHeaders {
    /// The canned ACLs that mean what Souverain does anyway: `private` (the owner only) and
    /// `bucket-owner-full-control` (AWS: the object's writer and the bucket's owner get full
    /// control; here the bucket's owner holds every object of its bucket already).
    public static let honouredCannedACLs: Set<String> = ["private", "bucket-owner-full-control"]

    /// The canned ACLs an object may carry when its bucket's ownership controls enable ACLs:
    /// grants to the AllUsers and AuthenticatedUsers groups, checked by the server against the
    /// bucket (docs/access.md).
    public static let objectGroupCannedACLs: Set<String> = ["public-read", "public-read-write", "authenticated-read"]

    /// The headers that grant access to named grantees.
    public static let grantHeaders = [
        "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control",
    ]

    /// Throws NotImplemented for a canned ACL other than those honoured, or any `x-amz-grant-*`
    /// header, on CreateBucket, PutObject, CopyObject and CreateMultipartUpload. Other operations
    /// are left alone (PutBucketAcl reads its grants itself; PutObjectAcl is not implemented).
    public static func refuseUnhonoured(_ operation: S3Operation, _ head: S3RequestHead) throws(S3Error) {
        switch operation {
        case .createBucket, .putObject, .copyObject, .createMultipartUpload: break
        default: return
        }
        if let canned = head.header("x-amz-acl"), !honouredCannedACLs.contains(canned),
           operation.key == nil || !objectGroupCannedACLs.contains(canned) {
            throw S3Error(.notImplemented, "The canned ACL \(canned) is not supported by Souverain: objects and buckets are private to the bucket's owner, and other users reach a bucket through grants (PutBucketAcl with id= grantees). Send x-amz-acl: private or leave the header out.")
        }
        if let header = grantHeaders.first(where: { head.header($0) != nil }) {
            throw S3Error(.notImplemented, "\(header) is not supported on \(operation.name) by Souverain: grant access to a bucket with PutBucketAcl (id= grantees); objects have no ACLs of their own.")
        }
    }
}
