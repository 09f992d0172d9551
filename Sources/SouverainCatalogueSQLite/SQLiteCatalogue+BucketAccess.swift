import Foundation
internal import GRDB
public import SouverainCatalogue

/// Bucket access documents (policy, public access block, ownership controls, CORS, ACL), one row
/// per bucket and kind in `bucket_access` (migration "bucket-policies").
extension SQLiteCatalogue {
    public func bucketAccessDocuments(bucket: String) async throws -> [BucketAccessDocument: String] {
        try await lookup(oneStatement: true) { db in
            var out: [BucketAccessDocument: String] = [:]
            let rows = try Row.fetchCursor(try db.cachedStatement(sql: "SELECT kind, document FROM bucket_access WHERE bucket = ?"), arguments: [bucket])
            while let row = try rows.next() {
                // A kind written by a newer version is left alone rather than misread.
                if let kind = BucketAccessDocument(rawValue: row["kind"]) { out[kind] = row["document"] }
            }
            return out
        }
    }

    public func setBucketAccessDocument(bucket: String, kind: BucketAccessDocument, _ document: String?) async throws {
        let now = Self.millis(Date())
        try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [bucket]) == true else {
                throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist")
            }
            if let document {
                try db.cachedStatement(sql: """
                    INSERT INTO bucket_access (bucket, kind, document, updated) VALUES (?, ?, ?, ?)
                    ON CONFLICT (bucket, kind) DO UPDATE SET document = excluded.document, updated = excluded.updated
                    """).execute(arguments: [bucket, kind.rawValue, document, now])
            } else {
                try db.cachedStatement(sql: "DELETE FROM bucket_access WHERE bucket = ? AND kind = ?").execute(arguments: [bucket, kind.rawValue])
            }
            try Self.recordChange(db, .bucketAccess, bucket)
        }
    }

    public func setObjectACL(bucket: String, key: String, versionID: String?, acl: String?) async throws -> ObjectRecord? {
        try await write { db in
            guard let found = try Self.locate(db, bucket: bucket, key: key, versionID: versionID) else { return nil }
            guard var object = found.entry.object else {
                throw CatalogueError(.isDeleteMarker, "version \(found.entry.wireVersionID) of \(key) is a delete marker")
            }
            object.metadata.acl = acl
            try db.execute(
                sql: "UPDATE \(found.table) SET metadata = ? WHERE bucket = ? AND key = ? AND version_seq = ?",
                arguments: [try Self.metadataJSON(object.metadata), bucket, Self.keyBlob(key), found.sequence])
            return object
        }
    }
}
