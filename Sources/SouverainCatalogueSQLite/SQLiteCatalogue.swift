public import Foundation
internal import GRDB
public import SouverainCatalogue
public import SouverainModel

/// The embedded catalogue: one SQLite database in WAL mode with `synchronous = FULL`, so that a
/// transaction that returned survives a crash or a power cut. Concurrent writes share transactions
/// (`GroupCommit`): one sync for all the writes that arrived while the previous one was committing.
/// Statements with arguments are prepared once per connection (`cachedStatement`): preparing them
/// on every call was 8% of the server's CPU on small GETs (docs/benchmarks.md).
///
/// A catalogue opened with `keepingLookups` (the server's) keeps users, buckets and buckets'
/// default encryption in memory until a transaction that may change them commits (`LookupCache`);
/// every other one announces its transactions to it (`CommitSignal`).
public final class SQLiteCatalogue: Catalogue {
    private let pool: DatabasePool
    private let groupCommit: GroupCommit
    private let lookups: LookupConnections
    /// Users by access key, buckets by name and buckets' default encryption; nil when not asked
    /// for or inotify is unavailable.
    let lookupCache: LookupCache?

    /// Opens (creating if needed) the catalogue at `path` and applies pending migrations.
    /// `keepingLookups`: keep users, buckets and buckets' encryption in memory between their
    /// changes (for a long-running process that looks them up on every request; Linux only).
    public convenience init(path: String, keepingLookups: Bool = false) throws {
        try self.init(path: path, keepingLookups: keepingLookups, lookupLifetime: .seconds(1))
    }

    init(path: String, keepingLookups: Bool, lookupLifetime: Duration) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // What is deleted (a bucket's keys above all) is overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteCatalogue.migrator.migrate(pool)
            let cache = keepingLookups ? CommitWatch(catalogue: path).map { LookupCache(watch: $0, lifetime: lookupLifetime) } : nil
            // The process that keeps lookups is the one server of this catalogue (docs/scale-out.md):
            // it ends its own generations; every other process announces its commits to it.
            let announcer = cache == nil ? CommitAnnouncer(catalogue: path) : nil
            // Only the transactions that wrote a kept table end a generation.
            let keptTables = cache == nil ? nil : KeptTablesObserver()
            if let keptTables { pool.add(transactionObserver: keptTables, extent: .databaseLifetime) }
            lookupCache = cache
            groupCommit = GroupCommit(pool: pool) {
                if let cache, let keptTables, keptTables.takeWritten() { cache.committed() }
                announcer?.announce()
            }
            lookups = try LookupConnections(path: path, count: ProcessInfo.processInfo.activeProcessorCount, configuration: configuration)
        } catch {
            throw CatalogueError(.unavailable, "cannot open the catalogue at \(path)", cause: error)
        }
    }

    // MARK: - Transactions

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await groupCommit.write(body)
        } catch {
            throw Self.failure(error, "catalogue write failed")
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.failure(error, "catalogue read failed")
        }
    }

    /// A read of a few rows by their key (a user, a bucket, an object's record): on the calling
    /// thread when a lookup connection is free (LookupConnections.swift), else as `read`. Never
    /// for scans: the thread is held for the whole read. `oneStatement`: the body runs a single
    /// SELECT, which SQLite already reads from one snapshot, so it needs no transaction around it
    /// (BEGIN and COMMIT were 4% of a small HEAD's CPU); a body of several statements gets one.
    func lookup<T: Sendable>(
        oneStatement: Bool = false, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        do {
            if let found = try lookups.read(oneStatement: oneStatement, body) { return found }
        } catch {
            throw Self.failure(error, "catalogue read failed")
        }
        return try await read(body)
    }

    /// A catalogue error as it is; anything else (SQLite's, GRDB's) as `unavailable`.
    private static func failure(_ error: any Error, _ what: String) -> any Error {
        error as? CatalogueError ?? CatalogueError(.unavailable, what, cause: error)
    }

    // MARK: - Users and grants

    public func addUser(_ user: User) async throws {
        try await write { db in
            if try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM users WHERE name = ? OR access_key = ? OR id = ?"),
                                 arguments: [user.name, user.accessKeyID, user.id]) == true {
                throw CatalogueError(.userExists, "a user named \(user.name), or with that access key or id, exists")
            }
            try db.execute(
                sql: "INSERT INTO users (id, name, access_key, secret, role) VALUES (?, ?, ?, ?, ?)",
                arguments: [user.id, user.name, user.accessKeyID, user.storedSecret, user.role.rawValue])
        }
    }

    public func user(accessKeyID: String) async throws -> User? {
        let read = {
            try await self.lookup(oneStatement: true) { db in
                try Self.first(try db.cachedStatement(sql: "SELECT * FROM users WHERE access_key = ?"), [accessKeyID], Self.user(from:))
            }
        }
        guard let lookupCache else { return try await read() }
        return try await lookupCache.user(accessKeyID: accessKeyID, read: read)
    }

    public func user(named name: String) async throws -> User? {
        try await read { db in
            try Self.first(try db.cachedStatement(sql: "SELECT * FROM users WHERE name = ?"), [name], Self.user(from:))
        }
    }

    public func user(id: String) async throws -> User? {
        try await read { db in
            try Self.first(try db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), [id], Self.user(from:))
        }
    }

    public func users() async throws -> [User] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.user(from:)) }
    }

    public func removeUser(named name: String) async throws -> Bool {
        try await write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [name]) else { return false }
            let owned = try String.fetchAll(db, sql: "SELECT name FROM buckets WHERE owner = ? ORDER BY name", arguments: [id])
            guard owned.isEmpty else {
                throw CatalogueError(.userOwnsBuckets, "\(name) owns \(owned.count) bucket(s): \(owned.joined(separator: ", "))")
            }
            try db.execute(sql: "DELETE FROM grants WHERE user_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM named_key_grants WHERE user_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func reassignBuckets(from: String, to: String) async throws -> [String] {
        try await write { db in
            let owned = try String.fetchAll(db, sql: "SELECT name FROM buckets WHERE owner = ? ORDER BY name", arguments: [from])
            for bucket in owned {
                try db.execute(sql: "DELETE FROM grants WHERE bucket = ? AND user_id = ?", arguments: [bucket, to])
            }
            try db.execute(sql: "UPDATE buckets SET owner = ? WHERE owner = ?", arguments: [to, from])
            return owned
        }
    }

    public func reassignBucket(named name: String, to: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE buckets SET owner = ? WHERE name = ?", arguments: [to, name])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM grants WHERE bucket = ? AND user_id = ?", arguments: [name, to])
            return true
        }
    }

    public func setStoredSecret(userID: String, _ storedSecret: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE users SET secret = ? WHERE id = ?", arguments: [storedSecret, userID])
        }
        // The previous form is overwritten in the database file (secure_delete), but its page image
        // may linger in the write-ahead log: empty it. Best effort: the new form is already durable.
        _ = try await emptyWriteAheadLog()
    }

    /// Copies the write-ahead log back into the database and truncates it, so no earlier image of a
    /// page survives in either file. A reader in progress can hold the checkpoint back: retries for
    /// a while, then returns false.
    func emptyWriteAheadLog() async throws -> Bool {
        for _ in 0..<50 {
            let busy = try? await pool.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") ?? 1
            }
            if busy == 0 { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    public func setGrant(_ grant: Grant) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO grants (bucket, user_id, permission) VALUES (?, ?, ?)",
                arguments: [grant.bucket, grant.userID, grant.permission.rawValue])
        }
    }

    public func removeGrant(bucket: String, userID: String) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM grants WHERE bucket = ? AND user_id = ?").execute(arguments: [bucket, userID])
            return db.changesCount > 0
        }
    }

    public func grant(bucket: String, userID: String) async throws -> BucketPermission? {
        try await lookup(oneStatement: true) { db in
            try String.fetchOne(try db.cachedStatement(sql: "SELECT permission FROM grants WHERE bucket = ? AND user_id = ?"),
                                arguments: [bucket, userID]).flatMap(BucketPermission.init(rawValue:))
        }
    }

    public func grants(userID: String) async throws -> [Grant] {
        try await read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM grants WHERE user_id = ? ORDER BY bucket"), arguments: [userID])
                .compactMap(Self.grant(from:))
        }
    }

    public func grants(bucket: String) async throws -> [Grant] {
        try await read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM grants WHERE bucket = ? ORDER BY user_id"), arguments: [bucket])
                .compactMap(Self.grant(from:))
        }
    }

    // MARK: - Buckets

    public func createBucket(_ bucket: BucketRecord) async throws {
        try await write { db in
            if try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [bucket.name]) == true {
                throw CatalogueError(.bucketExists, "bucket \(bucket.name) exists")
            }
            try db.execute(
                sql: "INSERT INTO buckets (name, owner, created, region, classification, versioning, object_lock) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [bucket.name, bucket.owner, Self.millis(bucket.createdAt), bucket.region, bucket.classification,
                            bucket.versioning?.rawValue, try bucket.objectLock.map { try Self.json($0) }])
        }
    }

    public func bucket(named name: String) async throws -> BucketRecord? {
        let read = {
            try await self.lookup(oneStatement: true) { db in
                try Self.first(try db.cachedStatement(sql: "SELECT * FROM buckets WHERE name = ?"), [name], Self.bucket(from:))
            }
        }
        guard let lookupCache else { return try await read() }
        return try await lookupCache.bucket(named: name, read: read)
    }

    public func buckets() async throws -> [BucketRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM buckets ORDER BY name").map(Self.bucket(from:)) }
    }

    public func deleteBucket(named name: String) async throws {
        try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [name]) == true else {
                throw CatalogueError(.noSuchBucket, "bucket \(name) does not exist")
            }
            let hasObjects = try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM objects WHERE bucket = ? LIMIT 1"), arguments: [name])
                ?? Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM object_versions WHERE bucket = ? LIMIT 1"), arguments: [name])
            let hasUploads = try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1"), arguments: [name])
            if hasObjects == true || hasUploads == true {
                throw CatalogueError(.bucketNotEmpty, "bucket \(name) is not empty")
            }
            try db.cachedStatement(sql: "DELETE FROM grants WHERE bucket = ?").execute(arguments: [name])
            try db.cachedStatement(sql: "DELETE FROM bucket_keys WHERE bucket = ?").execute(arguments: [name])
            try db.cachedStatement(sql: "DELETE FROM bucket_lifecycle WHERE bucket = ?").execute(arguments: [name])
            try db.cachedStatement(sql: "DELETE FROM bucket_encryption WHERE bucket = ?").execute(arguments: [name])
            try db.cachedStatement(sql: "DELETE FROM bucket_access WHERE bucket = ?").execute(arguments: [name])
            try db.cachedStatement(sql: "DELETE FROM buckets WHERE name = ?").execute(arguments: [name])
            try Self.recordChange(db, .bucketDeleted, name)
        }
    }

    public func setClassification(bucket: String, classification: String?) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE buckets SET classification = ? WHERE name = ?").execute(arguments: [classification, bucket])
            guard db.changesCount == 1 else { throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist") }
        }
    }

    // MARK: - Objects

    public func object(bucket: String, key: String) async throws -> ObjectRecord? {
        try await lookup(oneStatement: true) { db in
            try Self.first(try db.cachedStatement(sql: "SELECT * FROM objects WHERE bucket = ? AND key = ?"), [bucket, Self.keyBlob(key)], Self.object(from:))
        }
    }

    public func putObject(_ object: ObjectRecord, condition: WriteCondition?) async throws -> [GarbageBlob] {
        let row = try Self.encode(object)
        return try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [object.bucket]) == true else {
                throw CatalogueError(.noSuchBucket, "bucket \(object.bucket) does not exist")
            }
            try Self.checkBucketKeys(db, bucket: object.bucket, segments: object.segments)
            try Self.check(condition, db, bucket: object.bucket, key: object.key)
            let room = try Self.makeRoom(db, for: object)
            try Self.insert(db, row, sequence: room.sequence)
            return room.garbage
        }
    }

    public func deleteObject(bucket: String, key: String) async throws -> (ObjectRecord, [GarbageBlob])? {
        try await write { db in
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM objects WHERE bucket = ? AND key = ?"),
                                             arguments: [bucket, Self.keyBlob(key)]) else { return nil }
            let record = try Self.object(from: row)
            let garbage = try Self.dropObject(db, bucket: bucket, key: key)
            try Self.promoteLatest(db, bucket: bucket, key: key)
            return (record, garbage)
        }
    }

    public func listObjects(bucket: String, prefix: String, after position: ListPosition?, limit: Int)
        async throws -> [ObjectRecord]
    {
        try await read { db in
            guard let (sql, arguments) = Self.listing("*", bucket: bucket, prefix: prefix, after: position, limit: limit) else { return [] }
            return try Self.all(try db.cachedStatement(sql: sql), arguments, Self.object(from:))
        }
    }

    public func listSummaries(bucket: String, prefix: String, after position: ListPosition?, limit: Int)
        async throws -> [ObjectSummary]
    {
        try await read { db in
            guard let (sql, arguments) = Self.listing(
                "key, size, etag, last_modified", bucket: bucket, prefix: prefix, after: position, limit: limit)
            else { return [] }
            return try Self.all(try db.cachedStatement(sql: sql), arguments) {
                ObjectSummary(key: Self.key($0), size: $0["size"], etag: $0["etag"], lastModified: Self.date($0["last_modified"]))
            }
        }
    }

    /// The query of one listing page, in key byte order; nil when nothing can follow `position`.
    static func listing(_ columns: String, bucket: String, prefix: String, after position: ListPosition?, limit: Int)
        -> (String, StatementArguments)?
    {
        var start: KeyBound?
        switch position {
        case .key(let key)?:
            start = KeyBound(bytes: Array(key.utf8), inclusive: false)
        case .pastPrefix(let skipped)?:
            guard let next = ListPosition.successor(ofPrefix: Array(skipped.utf8)) else { return nil }
            start = KeyBound(bytes: next, inclusive: true)
        case nil:
            break
        }
        var sql = "SELECT \(columns) FROM objects WHERE bucket = ?"
        var arguments: StatementArguments = [bucket]
        restrict(toKeysStartingWith: prefix, from: start, sql: &sql, arguments: &arguments)
        sql += " ORDER BY key LIMIT ?"
        _ = arguments.append(contentsOf: [limit])
        return (sql, arguments)
    }

    // MARK: - Multipart uploads

    public func createUpload(_ upload: UploadRecord) async throws {
        let metadata = try Self.metadataJSON(upload.metadata)
        try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [upload.bucket]) == true else {
                throw CatalogueError(.noSuchBucket, "bucket \(upload.bucket) does not exist")
            }
            try db.execute(
                sql: """
                    INSERT INTO uploads (upload_id, bucket, key, initiated, owner, metadata, checksum_algorithm, location)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [upload.uploadID, upload.bucket, Self.keyBlob(upload.key), Self.millis(upload.initiated),
                            upload.owner, metadata, upload.checksumAlgorithm?.rawValue, upload.location])
        }
    }

    public func upload(id: String) async throws -> UploadRecord? {
        try await read { db in
            try Self.first(try db.cachedStatement(sql: "SELECT * FROM uploads WHERE upload_id = ?"), [id], Self.upload(from:))
        }
    }

    public func putPart(_ part: PartRecord) async throws -> [GarbageBlob] {
        let encryption = try part.segment.encryption.map(Self.json)
        let checksums = try Self.checksumsJSON(part.checksums)
        return try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM uploads WHERE upload_id = ?"), arguments: [part.uploadID]) == true else {
                throw CatalogueError(.noSuchUpload, "upload \(part.uploadID) does not exist")
            }
            let bucket = try String.fetchOne(try db.cachedStatement(sql: "SELECT bucket FROM uploads WHERE upload_id = ?"), arguments: [part.uploadID]) ?? ""
            try Self.checkBucketKeys(db, bucket: bucket, segments: [part.segment])
            var garbage: [GarbageBlob] = []
            if let old = try Row.fetchOne(try db.cachedStatement(sql: "SELECT location, locator FROM parts WHERE upload_id = ? AND part_number = ?"),
                                          arguments: [part.uploadID, part.partNumber]) {
                let blob = GarbageBlob(location: old["location"], locator: old["locator"], bucket: bucket, key: nil)
                try Self.discard(db, blob)
                garbage.append(blob)
            }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO parts
                        (upload_id, part_number, size, etag, last_modified, location, locator, checksums, encryption)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [part.uploadID, part.partNumber, part.size, part.etag, Self.millis(part.lastModified),
                            part.location, part.segment.locator, checksums, encryption])
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO blobs (location, locator) VALUES (?, ?)").execute(
                           arguments: [part.location, part.segment.locator])
            return garbage
        }
    }

    public func parts(uploadID: String, after: Int, limit: Int) async throws -> [PartRecord] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
                arguments: [uploadID, after, limit]
            ).map(Self.part(from:))
        }
    }

    public func completeUpload(id: String, object: ObjectRecord, condition: WriteCondition?) async throws -> [GarbageBlob] {
        let row = try Self.encode(object)
        return try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM uploads WHERE upload_id = ?"), arguments: [id]) == true else {
                throw CatalogueError(.noSuchUpload, "upload \(id) does not exist")
            }
            try Self.check(condition, db, bucket: object.bucket, key: object.key)
            let room = try Self.makeRoom(db, for: object)
            var garbage = room.garbage
            let kept = Set(object.segments.map(\.locator))
            for part in try Row.fetchAll(try db.cachedStatement(sql: "SELECT location, locator FROM parts WHERE upload_id = ?"), arguments: [id]) {
                let blob = GarbageBlob(location: part["location"], locator: part["locator"], bucket: object.bucket, key: object.key)
                if !kept.contains(blob.locator) {
                    try Self.discard(db, blob)
                    garbage.append(blob)
                }
            }
            try db.cachedStatement(sql: "DELETE FROM parts WHERE upload_id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM uploads WHERE upload_id = ?").execute(arguments: [id])
            try Self.insert(db, row, sequence: room.sequence)
            return garbage
        }
    }

    public func abortUpload(id: String) async throws -> [GarbageBlob] {
        try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM uploads WHERE upload_id = ?"), arguments: [id]) == true else {
                throw CatalogueError(.noSuchUpload, "upload \(id) does not exist")
            }
            var garbage: [GarbageBlob] = []
            let upload = try Row.fetchOne(try db.cachedStatement(sql: "SELECT bucket, key FROM uploads WHERE upload_id = ?"), arguments: [id])
            let bucket: String? = upload?["bucket"]
            let key = upload.map(Self.key)
            for part in try Row.fetchAll(try db.cachedStatement(sql: "SELECT location, locator FROM parts WHERE upload_id = ?"), arguments: [id]) {
                let blob = GarbageBlob(location: part["location"], locator: part["locator"], bucket: bucket, key: key)
                try Self.discard(db, blob)
                garbage.append(blob)
            }
            try db.cachedStatement(sql: "DELETE FROM parts WHERE upload_id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM uploads WHERE upload_id = ?").execute(arguments: [id])
            return garbage
        }
    }

    public func uploads(bucket: String, prefix: String, keyMarker: String?, uploadIDMarker: String?, limit: Int)
        async throws -> [UploadRecord]
    {
        try await read { db in
            var sql = "SELECT * FROM uploads WHERE bucket = ?"
            var arguments: StatementArguments = [bucket]
            Self.restrict(toKeysStartingWith: prefix, sql: &sql, arguments: &arguments)
            if let keyMarker {
                if let uploadIDMarker {
                    sql += " AND (key > ? OR (key = ? AND upload_id > ?))"
                    _ = arguments.append(contentsOf: [Self.keyBlob(keyMarker), Self.keyBlob(keyMarker), uploadIDMarker])
                } else {
                    sql += " AND key > ?"
                    _ = arguments.append(contentsOf: [Self.keyBlob(keyMarker)])
                }
            }
            sql += " ORDER BY key, upload_id LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Self.all(try db.cachedStatement(sql: sql), arguments, Self.upload(from:))
        }
    }

    // MARK: - Garbage

    public func garbage(olderThan age: Duration, limit: Int) async throws -> [GarbageBlob] {
        let cutoff = Self.millis(Date()) - Int64((age / .milliseconds(1)).rounded(.down))
        return try await read { db in
            try Row.fetchAll(
                try db.cachedStatement(sql: "SELECT location, locator, bucket, key FROM garbage WHERE dropped IS NULL OR dropped <= ? LIMIT ?"),
                arguments: [cutoff, limit]
            ).map {
                let key: Data? = $0["key"]
                return GarbageBlob(
                    location: $0["location"], locator: $0["locator"], bucket: $0["bucket"], key: key.map { String(decoding: $0, as: UTF8.self) })
            }
        }
    }

    public func forgetGarbage(_ blobs: [GarbageBlob]) async throws {
        guard !blobs.isEmpty else { return }
        try await write { db in
            for blob in blobs {
                try db.cachedStatement(sql: "DELETE FROM garbage WHERE location = ? AND locator = ?").execute(
                               arguments: [blob.location, blob.locator])
            }
        }
    }

    public func isReferenced(location: String, locator: String) async throws -> Bool {
        try await read { db in
            let live = try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM blobs WHERE location = ? AND locator = ?"),
                                         arguments: [location, locator])
            let dead = try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM garbage WHERE location = ? AND locator = ?"),
                                         arguments: [location, locator])
            let pending = try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM pending WHERE location = ? AND locator = ?"),
                                            arguments: [location, locator])
            return live == true || dead == true || pending == true
        }
    }

    public func blobCount(location: String) async throws -> Int {
        try await read { db in
            try Int.fetchOne(try db.cachedStatement(sql: "SELECT COUNT(*) FROM blobs WHERE location = ?"), arguments: [location]) ?? 0
        }
    }

    // MARK: - Bucket keys

    public func bucketKeys(bucket: String) async throws -> [BucketKeyRecord] {
        try await lookup(oneStatement: true) { db in
            try Self.all(try db.cachedStatement(sql: "SELECT * FROM bucket_keys WHERE bucket = ? ORDER BY version"), [bucket], Self.bucketKey(from:))
        }
    }

    public func addBucketKey(_ key: BucketKeyRecord) async throws -> Bool {
        try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [key.bucket]) == true else {
                throw CatalogueError(.noSuchBucket, "bucket \(key.bucket) does not exist")
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO bucket_keys (bucket, version, wrapped, state, created) VALUES (?, ?, ?, ?, ?)",
                arguments: [key.bucket, key.version, key.wrappedKey, key.state.rawValue, key.created.timeIntervalSince1970])
            guard db.changesCount == 1 else { return false }
            try Self.recordChange(db, .bucketKeys, key.bucket)
            return true
        }
    }

    public func allBucketKeys() async throws -> [BucketKeyRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM bucket_keys ORDER BY bucket, version").map(Self.bucketKey(from:))
        }
    }

    public func rewrapBucketKey(bucket: String, version: Int, wrappedKey: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE bucket_keys SET wrapped = ? WHERE bucket = ? AND version = ?").execute(
                           arguments: [wrappedKey, bucket, version])
            guard db.changesCount == 1 else {
                throw CatalogueError(.unavailable, "bucket \(bucket) has no key version \(version)")
            }
        }
    }

    public func retireBucketKey(bucket: String, version: Int) async throws -> Bool {
        try await write { db in
            let segmentLists = try String.fetchAll(try db.cachedStatement(sql: "SELECT segments FROM objects WHERE bucket = ?"), arguments: [bucket])
                + String.fetchAll(try db.cachedStatement(sql: "SELECT segments FROM object_versions WHERE bucket = ?"), arguments: [bucket])
            for text in segmentLists {
                if try BlobSegment.list(fromJSON: text).contains(where: {
                    $0.encryption?.keyID == nil && $0.encryption?.bucketKeyVersion == version
                }) {
                    return false
                }
            }
            let parts = try String.fetchAll(db, sql: """
                SELECT parts.encryption FROM parts JOIN uploads ON parts.upload_id = uploads.upload_id
                WHERE uploads.bucket = ? AND parts.encryption IS NOT NULL
                """, arguments: [bucket])
            for text in parts {
                let encryption = try Self.decode(BlobEncryption.self, text)
                if encryption.keyID == nil, encryption.bucketKeyVersion == version { return false }
            }
            try db.cachedStatement(sql: "DELETE FROM bucket_keys WHERE bucket = ? AND version = ?").execute(arguments: [bucket, version])
            if db.changesCount > 0 { try Self.recordChange(db, .bucketKeys, bucket) }
            return true
        }
    }

    /// Refuses to record blobs whose data keys are wrapped by a bucket key version that no longer
    /// exists. A write takes the current version before its bytes go out and records them after;
    /// a retirement in between would otherwise leave an object no key can open. The check and the
    /// retirement each run in one write transaction, so one of them sees the other.
    static func checkBucketKeys(_ db: Database, bucket: String, segments: [BlobSegment]) throws {
        try checkNamedKeys(db, segments: segments)
        let versions = Set(segments.compactMap { segment in
            segment.encryption.flatMap { $0.customerKeyMD5 == nil && $0.keyID == nil ? $0.bucketKeyVersion : nil }
        })
        for version in versions {
            guard try Bool.fetchOne(
                try db.cachedStatement(sql: "SELECT 1 FROM bucket_keys WHERE bucket = ? AND version = ?"), arguments: [bucket, version]) == true
            else {
                throw CatalogueError(.keyRetired, "version \(version) of the key of bucket \(bucket) was retired")
            }
        }
    }

    public func rewrapObject(_ object: ObjectRecord, segments: [BlobSegment]) async throws -> Bool {
        let old = Self.segmentsJSON(object.segments)
        let new = Self.segmentsJSON(segments)
        return try await write { db in
            guard let found = try Self.locate(db, bucket: object.bucket, key: object.key, versionID: object.versionID) else { return false }
            try db.execute(
                sql: "UPDATE \(found.table) SET segments = ? WHERE bucket = ? AND key = ? AND version_seq = ? AND segments = ? AND etag = ? AND location = ?",
                arguments: [new, object.bucket, Self.keyBlob(object.key), found.sequence, old, object.etag, object.location])
            return db.changesCount == 1
        }
    }

    public func shredBucket(_ name: String, at date: Date) async throws -> Int {
        let destroyed = try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [name]) == true else {
                throw CatalogueError(.noSuchBucket, "bucket \(name) does not exist")
            }
            // secure_delete (set on every connection) overwrites the deleted rows in the database file.
            try db.cachedStatement(sql: "DELETE FROM bucket_keys WHERE bucket = ?").execute(arguments: [name])
            let destroyed = db.changesCount
            try db.cachedStatement(sql: "UPDATE buckets SET shredded_at = ? WHERE name = ?").execute(arguments: [Self.millis(date), name])
            try Self.recordChange(db, .bucketKeys, name)
            return destroyed
        }
        // The write-ahead log still holds the pages as they were before: no earlier image of the
        // keys may survive in either file.
        if try await emptyWriteAheadLog() { return destroyed }
        throw CatalogueError(.unavailable, "the bucket's keys are destroyed, but readers kept the write-ahead log from being emptied; run the shred again")
    }

    // MARK: - Relocation

    public func addPendingBlob(_ blob: GarbageBlob) async throws {
        try await write { db in
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO pending (location, locator) VALUES (?, ?)").execute(
                           arguments: [blob.location, blob.locator])
        }
    }

    public func abandonPendingBlobs() async throws -> [GarbageBlob] {
        try await write { db in
            // A pending blob that a commit referenced meanwhile is not abandoned.
            try db.execute(sql: "DELETE FROM pending WHERE (location, locator) IN (SELECT location, locator FROM blobs)")
            let blobs = try Row.fetchAll(db, sql: "SELECT location, locator FROM pending").map {
                GarbageBlob(location: $0["location"], locator: $0["locator"])
            }
            for blob in blobs { try Self.discard(db, blob) }
            try db.execute(sql: "DELETE FROM pending")
            return blobs
        }
    }

    // MARK: - Replicas

    public func objectsNeedingRepair(after: (bucket: String, key: String)?, limit: Int) async throws -> [ObjectRecord] {
        try await read { db in
            var sql = "SELECT * FROM objects WHERE needs_repair = 1"
            var arguments: StatementArguments = []
            if let after {
                sql += " AND (bucket, key) > (?, ?)"
                arguments = [after.bucket, Self.keyBlob(after.key)]
            }
            sql += " ORDER BY bucket, key LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Self.all(try db.cachedStatement(sql: sql), arguments, Self.object(from:))
        }
    }

    public func repairBacklog() async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM objects WHERE needs_repair = 1)
                     + (SELECT count(*) FROM object_versions WHERE needs_repair = 1)
                """) ?? 0
        }
    }

    public func updateCopies(of object: ObjectRecord, to updated: ObjectRecord) async throws -> [GarbageBlob]? {
        let segmentsJSON = Self.segmentsJSON(updated.segments)
        let replicasJSON = updated.replicas.isEmpty ? nil : try Self.json(updated.replicas)
        func blobs(_ record: ObjectRecord) -> Set<GarbageBlob> {
            Set((record.segments.map { GarbageBlob(location: record.location, locator: $0.locator) } + record.replicas.flatMap(\.blobs))
                .map { $0.of(bucket: record.bucket, key: record.key) })
        }
        let before = blobs(object), after = blobs(updated)
        return try await write { db in
            let added = after.subtracting(before)
            for blob in added {
                try db.cachedStatement(sql: "DELETE FROM pending WHERE location = ? AND locator = ?").execute(arguments: [blob.location, blob.locator])
            }
            guard let found = try Self.locate(db, bucket: object.bucket, key: object.key, versionID: object.versionID),
                  let current = found.entry.object, current == object
            else {
                for blob in added { try Self.discard(db, blob) }
                return nil
            }
            try db.execute(
                sql: "UPDATE \(found.table) SET location = ?, segments = ?, replicas = ?, needs_repair = ? WHERE bucket = ? AND key = ? AND version_seq = ?",
                arguments: [updated.location, segmentsJSON, replicasJSON, updated.needsRepair ? 1 : 0, object.bucket,
                            Self.keyBlob(object.key), found.sequence])
            for blob in added {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO blobs (location, locator) VALUES (?, ?)").execute(arguments: [blob.location, blob.locator])
                // Referenced now: never collected, even if an enforcement run abandoned it as pending meanwhile.
                try db.cachedStatement(sql: "DELETE FROM garbage WHERE location = ? AND locator = ?").execute(arguments: [blob.location, blob.locator])
            }
            let dropped = Array(before.subtracting(after))
            for blob in dropped { try Self.discard(db, blob) }
            return dropped
        }
    }

    public func relocateObject(_ object: ObjectRecord, to location: String, segments: [BlobSegment]) async throws
        -> [GarbageBlob]?
    {
        let segmentsJSON = Self.segmentsJSON(segments)
        return try await write { db in
            let copies = segments.map { GarbageBlob(location: location, locator: $0.locator, bucket: object.bucket, key: object.key) }
            for copy in copies {
                try db.cachedStatement(sql: "DELETE FROM pending WHERE location = ? AND locator = ?").execute(arguments: [copy.location, copy.locator])
            }
            // The version that was copied, current or not (Records+Versions.swift).
            guard let found = try Self.locate(db, bucket: object.bucket, key: object.key, versionID: object.versionID),
                  let current = found.entry.object,
                  current.etag == object.etag, current.lastModified == object.lastModified,
                  current.location == object.location, current.segments == object.segments
            else {
                for copy in copies { try Self.discard(db, copy) }
                return nil
            }
            let old = object.segments.map { GarbageBlob(location: object.location, locator: $0.locator, bucket: object.bucket, key: object.key) }
            for blob in old { try Self.discard(db, blob) }
            try db.execute(sql: "UPDATE \(found.table) SET location = ?, segments = ? WHERE bucket = ? AND key = ? AND version_seq = ?",
                           arguments: [location, segmentsJSON, object.bucket, Self.keyBlob(object.key), found.sequence])
            for segment in segments {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO blobs (location, locator) VALUES (?, ?)").execute(
                               arguments: [location, segment.locator])
            }
            return old
        }
    }
}
