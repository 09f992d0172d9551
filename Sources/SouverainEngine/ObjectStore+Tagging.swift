public import SouverainCatalogue

/// Object tags (docs/tagging.md): each version carries its own, set at write (PutObject,
/// CopyObject, CreateMultipartUpload) and changed later by Put/DeleteObjectTagging. A noncurrent
/// version keeps its tags; they go with the version.
extension ObjectStore {
    /// The version whose tags GetObjectTagging reads: the current one when `versionID` is nil,
    /// else that version (`"null"` for the null version); a delete marker answers
    /// MethodNotAllowed, a deleted key NoSuchKey.
    public func taggedVersion(bucket: String, key: String, versionID: String?) async throws -> ObjectRecord {
        try await objectVersion(bucket: bucket, key: key, versionID: versionID)
    }

    /// Put/DeleteObjectTagging: replaces the tags of the current version (`versionID` nil) or of
    /// the version named (empty `tags`: removes them). Returns the version with its new tags.
    public func setTags(bucket: BucketRecord, key: String, versionID: String?, tags: [String: String]) async throws -> ObjectRecord {
        // Found first, so that a missing key or version, or a delete marker, is answered as GET answers it.
        let target = try await objectVersion(bucket: bucket.name, key: key, versionID: versionID).versionID
        guard let updated = try await catalogue({
            try await $0.updateTags(bucket: bucket.name, key: key, versionID: target, tags: tags)
        }) else {
            throw Self.missing(versionID)
        }
        return updated
    }
}
