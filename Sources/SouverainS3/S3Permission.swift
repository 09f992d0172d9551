/// What a caller must hold on the request's bucket for an operation to go ahead.
public enum S3Permission: Sendable, Equatable, CaseIterable {
    /// Any valid user (ListBuckets, CreateBucket, and operations answered NotImplemented).
    case authenticated
    /// Read the bucket's objects and listings.
    case read
    /// Write, overwrite and delete objects, run multipart uploads.
    case write
    /// The bucket's owner: delete the bucket, read its ACLs and versioning.
    case owner
}
