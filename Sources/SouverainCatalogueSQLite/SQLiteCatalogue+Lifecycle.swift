import Foundation
internal import GRDB
public import SouverainCatalogue
public import SouverainModel

/// Lifecycle configurations, one row per bucket in `bucket_lifecycle` (migration "lifecycle"),
/// and the conditional delete that lifecycle expiration uses.
extension SQLiteCatalogue {
    public func lifecycleConfiguration(bucket: String) async throws -> LifecycleConfiguration? {
        let text = try await read { db in
            try String.fetchOne(try db.cachedStatement(sql: "SELECT configuration FROM bucket_lifecycle WHERE bucket = ?"), arguments: [bucket])
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
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [bucket]) == true else {
                throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist")
            }
            if let text {
                try db.cachedStatement(sql: """
                    INSERT INTO bucket_lifecycle (bucket, configuration, updated) VALUES (?, ?, ?)
                    ON CONFLICT (bucket) DO UPDATE SET configuration = excluded.configuration, updated = excluded.updated
                    """).execute(arguments: [bucket, text, now])
            } else {
                try db.cachedStatement(sql: "DELETE FROM bucket_lifecycle WHERE bucket = ?").execute(arguments: [bucket])
            }
        }
    }

    public func bucketsWithLifecycleConfiguration() async throws -> [String] {
        try await read { db in
            try String.fetchAll(try db.cachedStatement(sql: "SELECT bucket FROM bucket_lifecycle ORDER BY CAST(bucket AS BLOB)"))
        }
    }

    public func deleteObject(ifUnchanged object: ObjectRecord) async throws -> [GarbageBlob]? {
        try await write { db in
            guard let row = try Row.fetchOne(
                try db.cachedStatement(sql: "SELECT etag, last_modified FROM objects WHERE bucket = ? AND key = ?"),
                arguments: [object.bucket, Self.keyBlob(object.key)])
            else { return nil }
            let etag: String = row["etag"]
            let lastModified: Int64 = row["last_modified"]
            guard etag == object.etag, lastModified == Self.millis(object.lastModified) else { return nil }
            return try Self.dropObject(db, bucket: object.bucket, key: object.key)
        }
    }
}
