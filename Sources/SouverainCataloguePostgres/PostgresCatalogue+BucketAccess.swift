import Foundation
import PostgresNIO
public import SouverainCatalogue

/// Bucket access documents (policy, public access block, ownership controls, CORS, ACL), one row
/// per bucket and kind in `bucket_access` (migration "bucket-policies"), as in SQLite.
extension PostgresCatalogue {
    public func bucketAccessDocuments(bucket: String) async throws -> [BucketAccessDocument: String] {
        try await read { db in
            var out: [BucketAccessDocument: String] = [:]
            for row in try await db.rows("SELECT kind, document FROM bucket_access WHERE bucket = \(bucket)") {
                // A kind written by a newer version is left alone rather than misread.
                if let kind = BucketAccessDocument(rawValue: try row.value("kind", as: String.self)) {
                    out[kind] = try row.value("document", as: String.self)
                }
            }
            return out
        }
    }

    public func setBucketAccessDocument(bucket: String, kind: BucketAccessDocument, _ document: String?) async throws {
        let now = Self.millis(Date())
        try await write { db in
            // Held against a concurrent deletion of the bucket, as every write into a bucket is.
            guard try await db.exists("SELECT 1 FROM buckets WHERE name = \(bucket) FOR KEY SHARE") else {
                throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist")
            }
            if let document {
                try await db.execute("""
                    INSERT INTO bucket_access (bucket, kind, document, updated) VALUES (\(bucket), \(kind.rawValue), \(document), \(now))
                    ON CONFLICT (bucket, kind) DO UPDATE SET document = excluded.document, updated = excluded.updated
                    """)
            } else {
                try await db.execute("DELETE FROM bucket_access WHERE bucket = \(bucket) AND kind = \(kind.rawValue)")
            }
            try await Self.recordChange(db, .bucketAccess, bucket)
        }
    }

    public func setObjectACL(bucket: String, key: String, versionID: String?, acl: String?) async throws -> ObjectRecord? {
        try await write { db in
            try await Self.lockKey(db, bucket: bucket, key: key)
            guard let found = try await Self.locate(db, bucket: bucket, key: key, versionID: versionID) else { return nil }
            guard var object = found.entry.object else {
                throw CatalogueError(.isDeleteMarker, "version \(found.entry.wireVersionID) of \(key) is a delete marker")
            }
            object.metadata.acl = acl
            try await db.execute("""
                UPDATE \(unescaped: found.table) SET metadata = \(try Self.json(object.metadata))
                WHERE bucket = \(bucket) AND key = \(Self.keyBlob(key)) AND version_seq = \(found.sequence)
                """)
            return object
        }
    }
}
