public import SouverainCatalogue

extension ObjectStore {
    /// How many times DeleteBucket aborts the uploads it finds and tries again, when uploads keep
    /// being started in the bucket while it is being deleted.
    static let bucketDeletionAttempts = 5

    /// DeleteBucket as AWS does it: a bucket that holds objects is not empty (`bucketNotEmpty`);
    /// one whose only content is pending multipart uploads is deleted, its uploads aborted first
    /// (their parts become garbage, as an abort makes them). Returns the uploads it aborted.
    ///
    /// Race-safe without a schema change: the catalogue's `deleteBucket` still refuses a bucket
    /// that holds an upload, in the same transaction that removes it, and `createUpload` refuses a
    /// bucket that no longer exists. So an upload started while this runs either is found and
    /// aborted on the next attempt, or fails with `noSuchBucket`; none is left with parts and no
    /// bucket. A part uploaded to an upload aborted here is refused (`noSuchUpload`) and its blob
    /// deleted by `uploadPart`.
    @discardableResult
    public func deleteBucket(_ name: String) async throws -> [UploadRecord] {
        var aborted: [UploadRecord] = []
        for attempt in 1...Self.bucketDeletionAttempts {
            guard try await catalogue({ try await $0.bucket(named: name) }) != nil else {
                throw EngineError(.noSuchBucket, "The specified bucket does not exist")
            }
            let objects = try await catalogue { try await $0.listSummaries(bucket: name, prefix: "", after: nil, limit: 1) }
            guard objects.isEmpty else {
                throw EngineError(.bucketNotEmpty, "The bucket you tried to delete is not empty")
            }
            aborted += try await abortUploads(bucket: name)
            do {
                try await catalogueStore.deleteBucket(named: name)
                await keys?.forget(bucket: name)
                return aborted
            } catch let error as CatalogueError where error.code == .bucketNotEmpty && attempt < Self.bucketDeletionAttempts {
                continue  // an object or an upload arrived meanwhile: look again
            } catch let error as CatalogueError {
                throw EngineError.from(error)
            }
        }
        throw EngineError(.bucketNotEmpty, "The bucket you tried to delete is not empty")
    }

    /// Aborts every pending upload of `bucket`; an upload completed or aborted meanwhile by
    /// someone else is skipped.
    private func abortUploads(bucket: String) async throws -> [UploadRecord] {
        var aborted: [UploadRecord] = []
        while true {
            let batch = try await catalogue {
                try await $0.uploads(bucket: bucket, prefix: "", keyMarker: nil, uploadIDMarker: nil, limit: 1000)
            }
            if batch.isEmpty { return aborted }
            for upload in batch {
                do {
                    _ = try await catalogueStore.abortUpload(id: upload.uploadID)
                    aborted.append(upload)
                } catch let error as CatalogueError where error.code == .noSuchUpload {
                    continue
                }
            }
        }
    }
}
