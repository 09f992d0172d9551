import Foundation
import PostgresNIO
public import SouverainCatalogue
public import SouverainModel

/// Lifecycle configurations, the conditional delete of lifecycle expiration, object tags and the
/// condition of conditional writes (checked inside the write's own transaction).
extension PostgresCatalogue {
    public func lifecycleConfiguration(bucket: String) async throws -> LifecycleConfiguration? {
        let text = try await read { db in
            try await db.row("SELECT configuration FROM bucket_lifecycle WHERE bucket = \(bucket)").map { try $0.value("configuration", as: String.self) }
        }
        guard let text else { return nil }
        do {
            return try Self.decode(LifecycleConfiguration.self, text)
        } catch {
            throw CatalogueError(.unavailable, "the lifecycle configuration of bucket \(bucket) cannot be read", cause: error)
        }
    }

    public func setLifecycleConfiguration(bucket: String, _ configuration: LifecycleConfiguration?) async throws {
        let text = try configuration.map { try Self.json($0) }
        let now = Self.millis(Date())
        try await write { db in
            guard try await Self.lockBucket(db, bucket) else {
                throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist")
            }
            if let text {
                try await db.execute("""
                    INSERT INTO bucket_lifecycle (bucket, configuration, updated) VALUES (\(bucket), \(text), \(now))
                    ON CONFLICT (bucket) DO UPDATE SET configuration = excluded.configuration, updated = excluded.updated
                    """)
            } else {
                try await db.execute("DELETE FROM bucket_lifecycle WHERE bucket = \(bucket)")
            }
        }
    }

    public func bucketsWithLifecycleConfiguration() async throws -> [String] {
        try await read { db in
            try await db.rows("SELECT bucket FROM bucket_lifecycle ORDER BY bucket").map { try $0.value("bucket", as: String.self) }
        }
    }

    public func deleteObject(ifUnchanged object: ObjectRecord) async throws -> [GarbageBlob]? {
        try await write { db in
            try await Self.lockKey(db, bucket: object.bucket, key: object.key)
            guard let row = try await db.row(
                "SELECT etag, last_modified FROM objects WHERE bucket = \(object.bucket) AND key = \(Self.keyBlob(object.key))")
            else { return nil }
            guard try row.value("etag", as: String.self) == object.etag,
                  try row.value("last_modified", as: Int64.self) == Self.millis(object.lastModified)
            else { return nil }
            return try await Self.dropObject(db, bucket: object.bucket, key: object.key)
        }
    }

    public func updateTags(bucket: String, key: String, versionID: String?, tags: [String: String]) async throws -> ObjectRecord? {
        let text = tags.isEmpty ? nil : try Self.json(tags)
        return try await write { db in
            try await Self.lockKey(db, bucket: bucket, key: key)
            guard let found = try await Self.locate(db, bucket: bucket, key: key, versionID: versionID) else { return nil }
            guard var object = found.entry.object else {
                throw CatalogueError(.isDeleteMarker, "version \(found.entry.wireVersionID) of \(key) is a delete marker")
            }
            try await db.execute("""
                UPDATE \(unescaped: found.table) SET tags = \(text)
                WHERE bucket = \(bucket) AND key = \(Self.keyBlob(key)) AND version_seq = \(found.sequence)
                """)
            object.tags = tags
            return object
        }
    }

    /// Checks a conditional write against the key's current object (an `objects` row: a key whose
    /// latest version is a delete marker has none), in the transaction that writes, under the key's lock,
    /// so two gateways writing the key at once cannot both pass it.
    static func check(_ condition: WriteCondition?, _ db: Statements, bucket: String, key: String) async throws {
        guard let condition else { return }
        let etag = try await db.row("SELECT etag FROM objects WHERE bucket = \(bucket) AND key = \(keyBlob(key))")
            .map { try $0.value("etag", as: String.self) }
        try condition.check(currentETag: etag, key: key)
    }
}
