public import Foundation
import PostgresNIO
public import SouverainCatalogue

/// Named keys and bucket default encryption (docs/keys.md), as SQLiteCatalogue+NamedKeys.swift.
extension PostgresCatalogue {
    public func createNamedKey(_ key: NamedKeyRecord, firstVersion: NamedKeyVersionRecord) async throws -> Bool {
        try await write { db in
            guard try await db.count("""
                INSERT INTO named_keys (id, alias, description, creator, created, shredded_at)
                VALUES (\(key.id), \(key.alias), \(key.description), \(key.creator), \(Self.millis(key.created)), NULL)
                ON CONFLICT DO NOTHING RETURNING 1
                """) == 1 else { return false }
            try await Self.insertVersion(db, firstVersion)
            return true
        }
    }

    public func namedKey(id: String) async throws -> NamedKeyRecord? {
        try await read { db in try await db.row("SELECT * FROM named_keys WHERE id = \(id)").map(Self.namedKey(from:)) }
    }

    public func namedKey(alias: String) async throws -> NamedKeyRecord? {
        try await read { db in try await db.row("SELECT * FROM named_keys WHERE alias = \(alias)").map(Self.namedKey(from:)) }
    }

    public func namedKeys() async throws -> [NamedKeyRecord] {
        try await read { db in try await db.rows("SELECT * FROM named_keys ORDER BY alias").map(Self.namedKey(from:)) }
    }

    public func namedKeyVersions(keyID: String) async throws -> [NamedKeyVersionRecord] {
        try await read { db in
            try await db.rows("SELECT * FROM named_key_versions WHERE key_id = \(keyID) ORDER BY version").map(Self.namedKeyVersion(from:))
        }
    }

    public func allNamedKeyVersions() async throws -> [NamedKeyVersionRecord] {
        try await read { db in
            try await db.rows("SELECT * FROM named_key_versions ORDER BY key_id, version").map(Self.namedKeyVersion(from:))
        }
    }

    public func addNamedKeyVersion(_ version: NamedKeyVersionRecord) async throws -> Bool {
        try await write { db in
            guard let row = try await db.row("SELECT shredded_at FROM named_keys WHERE id = \(version.keyID) FOR KEY SHARE") else {
                throw CatalogueError(.keyRetired, "there is no named key \(version.keyID)")
            }
            guard try row.value("shredded_at", as: Int64?.self) == nil else {
                throw CatalogueError(.keyRetired, "the named key \(version.keyID) was shredded")
            }
            guard try await !db.exists(
                "SELECT 1 FROM named_key_versions WHERE key_id = \(version.keyID) AND version = \(version.version)")
            else { return false }
            try await Self.insertVersion(db, version)
            try await Self.recordChange(db, .namedKey, version.keyID)
            return true
        }
    }

    public func rewrapNamedKeyVersion(keyID: String, version: Int, wrappedKey: String) async throws {
        try await write { db in
            guard try await db.count("""
                UPDATE named_key_versions SET wrapped = \(wrappedKey) WHERE key_id = \(keyID) AND version = \(version) RETURNING 1
                """) == 1 else {
                throw CatalogueError(.unavailable, "the named key \(keyID) has no version \(version)")
            }
        }
    }

    public func retireNamedKeyVersion(keyID: String, version: Int) async throws -> Bool {
        let pattern = Self.keyIDPattern(keyID)
        return try await write { db in
            // Writes under this version hold its row (checkNamedKeys): wait for them first.
            guard try await db.exists("SELECT 1 FROM named_key_versions WHERE key_id = \(keyID) AND version = \(version) FOR UPDATE") else {
                return true
            }
            let segmentLists = try await db.rows("""
                SELECT segments FROM objects WHERE segments LIKE \(pattern)
                UNION ALL SELECT segments FROM object_versions WHERE segments LIKE \(pattern)
                """).map { try $0.value("segments", as: String.self) }
            for text in segmentLists {
                if try BlobSegment.list(fromJSON: text).contains(where: {
                    $0.encryption?.keyID == keyID && $0.encryption?.bucketKeyVersion == version
                }) {
                    return false
                }
            }
            for text in try await db.rows("SELECT encryption FROM parts WHERE encryption LIKE \(pattern)")
                .map({ try $0.value("encryption", as: String.self) }) {
                let encryption = try Self.decode(BlobEncryption.self, text)
                if encryption.keyID == keyID, encryption.bucketKeyVersion == version { return false }
            }
            try await db.execute("DELETE FROM named_key_versions WHERE key_id = \(keyID) AND version = \(version)")
            try await Self.recordChange(db, .namedKey, keyID)
            return true
        }
    }

    public func shredNamedKey(id: String, at date: Date) async throws -> Int {
        try await write { db in
            guard try await db.exists("SELECT 1 FROM named_keys WHERE id = \(id) FOR UPDATE") else {
                throw CatalogueError(.keyRetired, "there is no named key \(id)")
            }
            let destroyed = try await db.count("DELETE FROM named_key_versions WHERE key_id = \(id) RETURNING 1")
            try await db.execute("UPDATE named_keys SET shredded_at = COALESCE(shredded_at, \(Self.millis(date))) WHERE id = \(id)")
            try await Self.recordChange(db, .namedKey, id)
            return destroyed
        }
    }

    public func objectsUnderNamedKey(_ keyID: String, after: (bucket: String, key: String)?, limit: Int) async throws -> [ObjectRecord] {
        let query = QueryBuilder("SELECT * FROM objects WHERE segments LIKE ")
        query.sql += try query.bind(Self.keyIDPattern(keyID))
        if let after {
            query.sql += " AND (bucket, key) > (\(try query.bind(after.bucket)), \(try query.bind(Self.keyBlob(after.key))))"
        }
        query.sql += " ORDER BY bucket, key LIMIT " + (try query.bind(limit))
        let built = query.query
        return try await read { db in
            try await db.rows(built).map(Self.object(from:)).filter { object in
                object.segments.contains { $0.encryption?.keyID == keyID }
            }
        }
    }

    public func setNamedKeyGrant(_ grant: NamedKeyGrant) async throws {
        try await write { db in
            if !grant.encrypt, !grant.decrypt {
                try await db.execute("DELETE FROM named_key_grants WHERE key_id = \(grant.keyID) AND user_id = \(grant.userID)")
                return
            }
            try await db.execute("""
                INSERT INTO named_key_grants (key_id, user_id, encrypt, decrypt)
                VALUES (\(grant.keyID), \(grant.userID), \(grant.encrypt), \(grant.decrypt))
                ON CONFLICT (key_id, user_id) DO UPDATE SET encrypt = excluded.encrypt, decrypt = excluded.decrypt
                """)
        }
    }

    public func removeNamedKeyGrant(keyID: String, userID: String) async throws -> Bool {
        try await write { db in
            try await db.count("DELETE FROM named_key_grants WHERE key_id = \(keyID) AND user_id = \(userID) RETURNING 1") > 0
        }
    }

    public func namedKeyGrant(keyID: String, userID: String) async throws -> NamedKeyGrant? {
        try await read { db in
            try await db.row("SELECT * FROM named_key_grants WHERE key_id = \(keyID) AND user_id = \(userID)").map(Self.namedKeyGrant(from:))
        }
    }

    public func namedKeyGrants(keyID: String) async throws -> [NamedKeyGrant] {
        try await read { db in
            try await db.rows("SELECT * FROM named_key_grants WHERE key_id = \(keyID) ORDER BY user_id").map(Self.namedKeyGrant(from:))
        }
    }

    public func bucketEncryption(bucket: String) async throws -> BucketEncryptionRecord? {
        try await read { db in
            try await db.row("SELECT * FROM bucket_encryption WHERE bucket = \(bucket)").map { row in
                BucketEncryptionRecord(
                    bucket: try row.value("bucket"),
                    algorithm: BucketEncryptionRecord.Algorithm(rawValue: try row.value("algorithm")) ?? .aes256,
                    keyID: try row.value("key_id"), bucketKeyEnabled: try row.value("bucket_key_enabled"))
            }
        }
    }

    public func setBucketEncryption(_ encryption: BucketEncryptionRecord) async throws {
        try await write { db in
            guard try await Self.lockBucket(db, encryption.bucket) else {
                throw CatalogueError(.noSuchBucket, "bucket \(encryption.bucket) does not exist")
            }
            try await db.execute("""
                INSERT INTO bucket_encryption (bucket, algorithm, key_id, bucket_key_enabled)
                VALUES (\(encryption.bucket), \(encryption.algorithm.rawValue), \(encryption.keyID), \(encryption.bucketKeyEnabled))
                ON CONFLICT (bucket) DO UPDATE SET
                    algorithm = excluded.algorithm, key_id = excluded.key_id, bucket_key_enabled = excluded.bucket_key_enabled
                """)
        }
    }

    public func deleteBucketEncryption(bucket: String) async throws {
        try await write { db in try await db.execute("DELETE FROM bucket_encryption WHERE bucket = \(bucket)") }
    }

    /// Refuses to record blobs whose data keys are wrapped by a named key version that no longer
    /// exists (retired or shredded while the blob was written), in the write's own transaction.
    static func checkNamedKeys(_ db: Statements, segments: [BlobSegment]) async throws {
        var seen: Set<String> = []
        for encryption in segments.compactMap(\.encryption) {
            guard let keyID = encryption.keyID, seen.insert("\(keyID)/\(encryption.bucketKeyVersion)").inserted else { continue }
            guard try await db.exists(
                "SELECT 1 FROM named_key_versions WHERE key_id = \(keyID) AND version = \(encryption.bucketKeyVersion) FOR KEY SHARE")
            else {
                throw CatalogueError(.keyRetired, "version \(encryption.bucketKeyVersion) of the named key \(keyID) was retired or shredded")
            }
        }
    }

    /// What the JSON of a blob under the key contains (sorted keys: `"keyID":"ID"`), for a LIKE
    /// that narrows the scan; each match is decoded and checked.
    static func keyIDPattern(_ keyID: String) -> String {
        let escaped = keyID.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
            .replacingOccurrences(of: "\\", with: "")
        return "%\"keyID\":\"%\(escaped)%\"%"
    }

    static func insertVersion(_ db: Statements, _ version: NamedKeyVersionRecord) async throws {
        try await db.execute("""
            INSERT INTO named_key_versions (key_id, version, wrapped, created)
            VALUES (\(version.keyID), \(version.version), \(version.wrappedKey), \(Self.millis(version.created)))
            """)
    }

    static func namedKey(from row: PostgresRandomAccessRow) throws -> NamedKeyRecord {
        NamedKeyRecord(
            id: try row.value("id"), alias: try row.value("alias"), description: try row.value("description"),
            creator: try row.value("creator"), created: date(try row.value("created")),
            shreddedAt: try row.value("shredded_at", as: Int64?.self).map(date))
    }

    static func namedKeyVersion(from row: PostgresRandomAccessRow) throws -> NamedKeyVersionRecord {
        NamedKeyVersionRecord(keyID: try row.value("key_id"), version: try row.value("version"), wrappedKey: try row.value("wrapped"),
                              created: date(try row.value("created")))
    }

    static func namedKeyGrant(from row: PostgresRandomAccessRow) throws -> NamedKeyGrant {
        NamedKeyGrant(keyID: try row.value("key_id"), userID: try row.value("user_id"), encrypt: try row.value("encrypt"),
                      decrypt: try row.value("decrypt"))
    }
}
