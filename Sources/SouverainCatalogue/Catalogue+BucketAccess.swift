/// The documents that say who may reach a bucket besides its owner and grantees
/// (docs/access.md): its policy, public access block, object ownership controls, CORS rules and
/// bucket ACL, each kept as the text the server validated (JSON or XML), one per kind; and beside
/// them, in the same place, the bucket's other configurations that are kept as set (its tags, its
/// website configuration, its transfer acceleration status).
public enum BucketAccessDocument: String, Sendable, CaseIterable {
    /// The bucket policy, as JSON.
    case policy
    /// The PublicAccessBlockConfiguration, as Souverain's JSON (docs/access.md).
    case publicAccessBlock = "public-access-block"
    /// The object ownership setting (`BucketOwnerEnforced`, `BucketOwnerPreferred`, `ObjectWriter`).
    case ownershipControls = "ownership-controls"
    /// The CORS rules, as JSON.
    case cors
    /// The group grants of the bucket's ACL (AllUsers, AuthenticatedUsers), as JSON.
    case acl
    /// The bucket's tags (PutBucketTagging), as a JSON object.
    case tagging
    /// The website configuration (PutBucketWebsite), as `WebsiteConfiguration`'s JSON.
    case website
    /// The transfer acceleration status (`Enabled` or `Suspended`).
    case accelerate
}

/// Reads and replaces a bucket's access documents. Deleting a bucket deletes them.
public protocol BucketAccessCatalogue: Sendable {
    /// Every access document of the bucket, by kind (none for a bucket without any).
    func bucketAccessDocuments(bucket: String) async throws -> [BucketAccessDocument: String]
    /// Sets (or, with nil, removes) one document; throws `.noSuchBucket` for a missing bucket.
    func setBucketAccessDocument(bucket: String, kind: BucketAccessDocument, _ document: String?) async throws
    /// Replaces the ACL (`ObjectMetadata.acl`) of one version (`versionID` nil: the null version);
    /// nil when there is no such version; throws `.isDeleteMarker` for a delete marker.
    func setObjectACL(bucket: String, key: String, versionID: String?, acl: String?) async throws -> ObjectRecord?
}
