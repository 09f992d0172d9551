public import Foundation
internal import GRDB
public import SouverainCatalogue

/// Named keys and bucket default encryption in SQLite (migration `named-keys`). A key's versions
/// are deleted with `secure_delete` on, as bucket keys are, so shredding overwrites them.
extension SQLiteCatalogue {
    public func createNamedKey(_ key: NamedKeyRecord, firstVersion: NamedKeyVersionRecord) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO named_keys (id, alias, description, creator, created, shredded_at)
                    VALUES (?, ?, ?, ?, ?, NULL)
                    """,
                arguments: [key.id, key.alias, key.description, key.creator, Self.millis(key.created)])
            guard db.changesCount == 1 else { return false }
            try Self.insertVersion(db, firstVersion)
            return true
        }
    }

    public func namedKey(id: String) async throws -> NamedKeyRecord? {
        try await read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM named_keys WHERE id = ?"), arguments: [id]).map(Self.namedKey(from:))
        }
    }

    public func namedKey(alias: String) async throws -> NamedKeyRecord? {
        try await read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM named_keys WHERE alias = ?"), arguments: [alias]).map(Self.namedKey(from:))
        }
    }

    public func namedKeys() async throws -> [NamedKeyRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM named_keys ORDER BY alias").map(Self.namedKey(from:))
        }
    }

    public func namedKeyVersions(keyID: String) async throws -> [NamedKeyVersionRecord] {
        try await read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM named_key_versions WHERE key_id = ? ORDER BY version"), arguments: [keyID])
                .map(Self.namedKeyVersion(from:))
        }
    }

    public func allNamedKeyVersions() async throws -> [NamedKeyVersionRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM named_key_versions ORDER BY key_id, version").map(Self.namedKeyVersion(from:))
        }
    }

    public func addNamedKeyVersion(_ version: NamedKeyVersionRecord) async throws -> Bool {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT shredded_at FROM named_keys WHERE id = ?", arguments: [version.keyID]) else {
                throw CatalogueError(.keyRetired, "there is no named key \(version.keyID)")
            }
            guard (row["shredded_at"] as Int64?) == nil else {
                throw CatalogueError(.keyRetired, "the named key \(version.keyID) was shredded")
            }
            guard try Bool.fetchOne(
                db, sql: "SELECT 1 FROM named_key_versions WHERE key_id = ? AND version = ?", arguments: [version.keyID, version.version]) != true
            else { return false }
            try Self.insertVersion(db, version)
            try Self.recordChange(db, .namedKey, version.keyID)
            return true
        }
    }

    public func rewrapNamedKeyVersion(keyID: String, version: Int, wrappedKey: String) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE named_key_versions SET wrapped = ? WHERE key_id = ? AND version = ?", arguments: [wrappedKey, keyID, version])
            guard db.changesCount == 1 else {
                throw CatalogueError(.unavailable, "the named key \(keyID) has no version \(version)")
            }
        }
    }

    public func retireNamedKeyVersion(keyID: String, version: Int) async throws -> Bool {
        try await write { db in
            let pattern = Self.keyIDPattern(keyID)
            for text in try String.fetchAll(db, sql: "SELECT segments FROM objects WHERE segments LIKE ?", arguments: [pattern]) {
                if try BlobSegment.list(fromJSON: text).contains(where: {
                    $0.encryption?.keyID == keyID && $0.encryption?.bucketKeyVersion == version
                }) {
                    return false
                }
            }
            for text in try String.fetchAll(db, sql: "SELECT encryption FROM parts WHERE encryption LIKE ?", arguments: [pattern]) {
                let encryption = try Self.decode(BlobEncryption.self, text)
                if encryption.keyID == keyID, encryption.bucketKeyVersion == version { return false }
            }
            try db.execute(sql: "DELETE FROM named_key_versions WHERE key_id = ? AND version = ?", arguments: [keyID, version])
            if db.changesCount > 0 { try Self.recordChange(db, .namedKey, keyID) }
            return true
        }
    }

    public func shredNamedKey(id: String, at date: Date) async throws -> Int {
        let destroyed = try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM named_keys WHERE id = ?", arguments: [id]) == true else {
                throw CatalogueError(.keyRetired, "there is no named key \(id)")
            }
            // secure_delete (set on every connection) overwrites the deleted rows in the database file.
            try db.execute(sql: "DELETE FROM named_key_versions WHERE key_id = ?", arguments: [id])
            let destroyed = db.changesCount
            try db.execute(
                sql: "UPDATE named_keys SET shredded_at = COALESCE(shredded_at, ?) WHERE id = ?", arguments: [Self.millis(date), id])
            try Self.recordChange(db, .namedKey, id)
            return destroyed
        }
        // The write-ahead log still holds the pages as they were: no earlier image may survive.
        if try await emptyWriteAheadLog() { return destroyed }
        throw CatalogueError(.unavailable, "the key's versions are destroyed, but readers kept the write-ahead log from being emptied; run the shred again")
    }

    public func objectsUnderNamedKey(_ keyID: String, after: (bucket: String, key: String)?, limit: Int) async throws -> [ObjectRecord] {
        try await read { db in
            let pattern = Self.keyIDPattern(keyID)
            let rows: [Row]
            if let after {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM objects WHERE segments LIKE ? AND (bucket > ? OR (bucket = ? AND key > ?))
                        ORDER BY bucket, key LIMIT ?
                        """,
                    arguments: [pattern, after.bucket, after.bucket, Self.keyBlob(after.key), limit])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM objects WHERE segments LIKE ? ORDER BY bucket, key LIMIT ?", arguments: [pattern, limit])
            }
            return try rows.map(Self.object(from:)).filter { object in
                object.segments.contains { $0.encryption?.keyID == keyID }
            }
        }
    }

    public func setNamedKeyGrant(_ grant: NamedKeyGrant) async throws {
        try await write { db in
            if !grant.encrypt, !grant.decrypt {
                try db.execute(sql: "DELETE FROM named_key_grants WHERE key_id = ? AND user_id = ?", arguments: [grant.keyID, grant.userID])
                return
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO named_key_grants (key_id, user_id, encrypt, decrypt) VALUES (?, ?, ?, ?)",
                arguments: [grant.keyID, grant.userID, grant.encrypt, grant.decrypt])
        }
    }

    public func removeNamedKeyGrant(keyID: String, userID: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM named_key_grants WHERE key_id = ? AND user_id = ?", arguments: [keyID, userID])
            return db.changesCount > 0
        }
    }

    public func namedKeyGrant(keyID: String, userID: String) async throws -> NamedKeyGrant? {
        try await read { db in
            try Row.fetchOne(
                try db.cachedStatement(sql: "SELECT * FROM named_key_grants WHERE key_id = ? AND user_id = ?"), arguments: [keyID, userID]
            ).map(Self.namedKeyGrant(from:))
        }
    }

    public func namedKeyGrants(keyID: String) async throws -> [NamedKeyGrant] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM named_key_grants WHERE key_id = ? ORDER BY user_id", arguments: [keyID])
                .map(Self.namedKeyGrant(from:))
        }
    }

    public func bucketEncryption(bucket: String) async throws -> BucketEncryptionRecord? {
        // Every PUT asks: kept in memory between commits (LookupCache), else a lookup on the
        // calling thread, not a hop to a reader's queue.
        let read = {
            try await self.lookup(oneStatement: true) { db in
                try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM bucket_encryption WHERE bucket = ?"), arguments: [bucket]).map { row in
                    BucketEncryptionRecord(
                        bucket: row["bucket"], algorithm: BucketEncryptionRecord.Algorithm(rawValue: row["algorithm"]) ?? .aes256,
                        keyID: row["key_id"], bucketKeyEnabled: row["bucket_key_enabled"])
                }
            }
        }
        guard let lookupCache else { return try await read() }
        return try await lookupCache.bucketEncryption(bucket: bucket, read: read)
    }

    public func setBucketEncryption(_ encryption: BucketEncryptionRecord) async throws {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM buckets WHERE name = ?", arguments: [encryption.bucket]) == true else {
                throw CatalogueError(.noSuchBucket, "bucket \(encryption.bucket) does not exist")
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO bucket_encryption (bucket, algorithm, key_id, bucket_key_enabled) VALUES (?, ?, ?, ?)",
                arguments: [encryption.bucket, encryption.algorithm.rawValue, encryption.keyID, encryption.bucketKeyEnabled])
        }
    }

    public func deleteBucketEncryption(bucket: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM bucket_encryption WHERE bucket = ?", arguments: [bucket])
        }
    }

    /// Refuses to record blobs whose data keys are wrapped by a named key version that no longer
    /// exists (retired or shredded while the blob was written), in the write's own transaction.
    static func checkNamedKeys(_ db: Database, segments: [BlobSegment]) throws {
        var seen: Set<String> = []
        for encryption in segments.compactMap(\.encryption) {
            guard let keyID = encryption.keyID, seen.insert("\(keyID)/\(encryption.bucketKeyVersion)").inserted else { continue }
            guard try Bool.fetchOne(
                db, sql: "SELECT 1 FROM named_key_versions WHERE key_id = ? AND version = ?",
                arguments: [keyID, encryption.bucketKeyVersion]) == true
            else {
                throw CatalogueError(.keyRetired, "version \(encryption.bucketKeyVersion) of the named key \(keyID) was retired or shredded")
            }
        }
    }

    /// What the JSON of a blob under the key contains (sorted keys: `"keyID":"ID"`), for a LIKE
    /// that narrows the scan; each match is decoded and checked.
    private static func keyIDPattern(_ keyID: String) -> String {
        let escaped = keyID.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
        return "%\"keyID\":\"%\(escaped)%\"%"
    }

    private static func insertVersion(_ db: Database, _ version: NamedKeyVersionRecord) throws {
        try db.execute(
            sql: "INSERT INTO named_key_versions (key_id, version, wrapped, created) VALUES (?, ?, ?, ?)",
            arguments: [version.keyID, version.version, version.wrappedKey, Self.millis(version.created)])
    }

    static func namedKey(from row: Row) -> NamedKeyRecord {
        NamedKeyRecord(
            id: row["id"], alias: row["alias"], description: row["description"], creator: row["creator"],
            created: date(row["created"]), shreddedAt: (row["shredded_at"] as Int64?).map(date))
    }

    static func namedKeyVersion(from row: Row) -> NamedKeyVersionRecord {
        NamedKeyVersionRecord(keyID: row["key_id"], version: row["version"], wrappedKey: row["wrapped"], created: date(row["created"]))
    }

    static func namedKeyGrant(from row: Row) -> NamedKeyGrant {
        NamedKeyGrant(keyID: row["key_id"], userID: row["user_id"], encrypt: row["encrypt"], decrypt: row["decrypt"])
    }
}
