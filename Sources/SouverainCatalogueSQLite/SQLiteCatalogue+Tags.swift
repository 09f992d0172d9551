import Foundation
internal import GRDB
public import SouverainCatalogue

/// Object tags (column `tags` of `objects` and `object_versions`, migration "object-tags") and the
/// condition of conditional writes, checked inside the write's own transaction.
extension SQLiteCatalogue {
    public func putObject(_ object: ObjectRecord) async throws -> [GarbageBlob] {
        try await putObject(object, condition: nil)
    }

    public func completeUpload(id: String, object: ObjectRecord) async throws -> [GarbageBlob] {
        try await completeUpload(id: id, object: object, condition: nil)
    }

    public func updateTags(bucket: String, key: String, versionID: String?, tags: [String: String]) async throws -> ObjectRecord? {
        let text = tags.isEmpty ? nil : try Self.json(tags)
        return try await write { db in
            guard let found = try Self.locate(db, bucket: bucket, key: key, versionID: versionID) else { return nil }
            guard var object = found.entry.object else {
                throw CatalogueError(.isDeleteMarker, "version \(found.entry.wireVersionID) of \(key) is a delete marker")
            }
            try db.execute(
                sql: "UPDATE \(found.table) SET tags = ? WHERE bucket = ? AND key = ? AND version_seq = ?",
                arguments: [text, bucket, Self.keyBlob(key), found.sequence])
            object.tags = tags
            return object
        }
    }

    /// Checks a conditional write against the key's current object (an `objects` row: a key whose
    /// latest version is a delete marker has none), in the transaction that writes.
    static func check(_ condition: WriteCondition?, _ db: Database, bucket: String, key: String) throws {
        guard let condition else { return }
        let etag = try String.fetchOne(
            try db.cachedStatement(sql: "SELECT etag FROM objects WHERE bucket = ? AND key = ?"), arguments: [bucket, keyBlob(key)])
        try condition.check(currentETag: etag, key: key)
    }
}
