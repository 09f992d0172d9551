public import Foundation
internal import GRDB
public import SouverainCatalogue
import SouverainModel

/// Versions and Object Lock (docs/versioning.md). `objects` holds the current version of each key,
/// `object_versions` the noncurrent ones and the delete markers; a key's versions are ordered by
/// `version_seq`. Invariant: an `objects` row, when present, is the newest version of its key; a
/// key without one is absent or has a delete marker for latest version.
extension SQLiteCatalogue {
    // MARK: - Bucket settings

    public func setVersioning(bucket: String, _ state: VersioningState) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE buckets SET versioning = ? WHERE name = ?").execute(arguments: [state.rawValue, bucket])
            guard db.changesCount == 1 else { throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist") }
        }
    }

    public func setObjectLock(bucket: String, _ configuration: ObjectLockConfiguration) async throws {
        let text = try Self.json(configuration)
        try await write { db in
            try db.cachedStatement(sql: "UPDATE buckets SET object_lock = ?, versioning = 'Enabled' WHERE name = ?")
                .execute(arguments: [text, bucket])
            guard db.changesCount == 1 else { throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist") }
        }
    }

    // MARK: - Reading versions

    public func version(bucket: String, key: String, versionID: String?) async throws -> ObjectVersionEntry? {
        try await lookup { db in try Self.locate(db, bucket: bucket, key: key, versionID: versionID)?.entry }
    }

    public func latestVersion(bucket: String, key: String) async throws -> ObjectVersionEntry? {
        try await lookup { db in
            if let current = try Self.first(try db.cachedStatement(sql: "SELECT * FROM objects WHERE bucket = ? AND key = ?"),
                                            [bucket, Self.keyBlob(key)], { try Self.entry($0, isLatest: true) }) {
                return current
            }
            return try Self.first(
                try db.cachedStatement(sql: "SELECT * FROM object_versions WHERE bucket = ? AND key = ? ORDER BY version_seq DESC LIMIT 1"),
                [bucket, Self.keyBlob(key)], { try Self.entry($0, isLatest: true) })
        }
    }

    public func listVersions(bucket: String, prefix: String, after position: VersionListPosition?, limit: Int)
        async throws -> [ObjectVersionEntry]
    {
        try await read { db in
            var entries: [ObjectVersionEntry] = []
            var start: KeyBound?
            if let position {
                start = KeyBound(bytes: Array(position.key.utf8), inclusive: false)
                if let marker = position.versionID,
                   let found = try Self.locate(db, bucket: bucket, key: position.key, versionID: marker == "null" ? nil : marker) {
                    // The rest of the marker's key: its older versions (always noncurrent).
                    entries += try Self.all(
                        try db.cachedStatement(sql: """
                            SELECT *, \(Self.latestMarkerColumn) FROM object_versions
                            WHERE bucket = ? AND key = ? AND version_seq < ? ORDER BY version_seq DESC LIMIT ?
                            """),
                        [bucket, Self.keyBlob(position.key), found.sequence, limit],
                        { try Self.entry($0, isLatest: ($0["latest_marker"] as Int?) == 1) })
                }
            }
            guard entries.count < limit else { return entries }
            var sql = "SELECT \(Self.objectColumns), 0 AS delete_marker, 1 AS latest_marker FROM objects WHERE bucket = ?"
            var arguments: StatementArguments = [bucket]
            Self.restrict(toKeysStartingWith: prefix, from: start, sql: &sql, arguments: &arguments)
            sql += " UNION ALL SELECT \(Self.objectColumns), delete_marker, \(Self.latestMarkerColumn) FROM object_versions WHERE bucket = ?"
            _ = arguments.append(contentsOf: [bucket])
            Self.restrict(toKeysStartingWith: prefix, from: start, sql: &sql, arguments: &arguments)
            sql += " ORDER BY key, version_seq DESC LIMIT ?"
            _ = arguments.append(contentsOf: [limit - entries.count])
            entries += try Self.all(try db.cachedStatement(sql: sql), arguments) {
                try Self.entry($0, isLatest: ($0["latest_marker"] as Int?) == 1)
            }
            return entries
        }
    }

    /// For an `object_versions` row: 1 when it is the latest version of its key (a delete marker
    /// newer than every other version, the key having no current object).
    static let latestMarkerColumn = """
        (NOT EXISTS (SELECT 1 FROM objects o WHERE o.bucket = object_versions.bucket AND o.key = object_versions.key)
         AND version_seq = (SELECT MAX(w.version_seq) FROM object_versions w
                            WHERE w.bucket = object_versions.bucket AND w.key = object_versions.key)) AS latest_marker
        """

    public func lockedVersions(bucket: String, at now: Date, limit: Int) async throws -> [ObjectVersionEntry] {
        try await read { db in
            var found: [ObjectVersionEntry] = []
            for (table, latest) in [("objects", true), ("object_versions", false)] {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM \(table) WHERE bucket = ? AND (retention IS NOT NULL OR legal_hold = 1) ORDER BY key
                    """, arguments: [bucket])
                for row in rows {
                    let entry = try Self.entry(row, isLatest: latest)
                    if let object = entry.object, object.isLocked(at: now), found.count < limit { found.append(entry) }
                }
            }
            return found
        }
    }

    public func noncurrentVersions(after: NoncurrentPosition?, limit: Int) async throws
        -> [(record: ObjectRecord, position: NoncurrentPosition)]
    {
        try await noncurrentVersions(where: "delete_marker = 0", after: after, limit: limit)
    }

    /// Noncurrent versions matching `condition` (SQL over `object_versions`), in the order of
    /// their position (bucket, key, version), `limit` at most after `after`.
    func noncurrentVersions(where condition: String, after: NoncurrentPosition?, limit: Int) async throws
        -> [(record: ObjectRecord, position: NoncurrentPosition)]
    {
        try await read { db in
            var sql = "SELECT * FROM object_versions WHERE \(condition)"
            var arguments: StatementArguments = []
            if let after {
                sql += " AND (bucket, key, version_seq) > (?, ?, ?)"
                arguments = [after.bucket, Self.keyBlob(after.key), after.sequence]
            }
            sql += " ORDER BY bucket, key, version_seq LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Self.all(try db.cachedStatement(sql: sql), arguments) { row in
                let record = try Self.object(from: row)
                return (record, NoncurrentPosition(bucket: record.bucket, key: record.key, sequence: row["version_seq"]))
            }
        }
    }

    // MARK: - Changing versions

    public func addDeleteMarker(bucket: String, key: String, versionID: String?, at date: Date,
                                check: @escaping @Sendable (ObjectVersionEntry) throws -> Void) async throws -> [GarbageBlob]
    {
        try await write { db in
            guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM buckets WHERE name = ?"), arguments: [bucket]) == true else {
                throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist")
            }
            var garbage: [GarbageBlob] = []
            if versionID == nil, let null = try Self.locate(db, bucket: bucket, key: key, versionID: nil) {
                try check(null.entry)
                garbage = try Self.remove(db, null)
            }
            try Self.archiveCurrent(db, bucket: bucket, key: key)
            let sequence = try Self.nextVersionSequence(db, bucket: bucket, key: key)
            try db.cachedStatement(sql: """
                INSERT INTO object_versions (bucket, key, size, etag, last_modified, metadata, checksums, location, segments,
                                             version_id, version_seq, delete_marker)
                VALUES (?, ?, 0, '', ?, '{}', '{}', '', '[]', ?, ?, 1)
                """).execute(arguments: [bucket, Self.keyBlob(key), Self.millis(date), versionID, sequence])
            return garbage
        }
    }

    public func deleteVersion(bucket: String, key: String, versionID: String?,
                              check: @escaping @Sendable (ObjectVersionEntry) throws -> Void) async throws -> RemovedVersion?
    {
        try await write { db in
            guard let found = try Self.locate(db, bucket: bucket, key: key, versionID: versionID) else { return nil }
            try check(found.entry)
            let garbage = try Self.remove(db, found)
            try Self.promoteLatest(db, bucket: bucket, key: key)
            return RemovedVersion(entry: found.entry, garbage: garbage)
        }
    }

    public func updateLock(bucket: String, key: String, versionID: String?,
                           change: @escaping @Sendable (ObjectRecord) throws -> (ObjectRetention?, Bool)) async throws -> ObjectRecord?
    {
        try await write { db in
            guard let found = try Self.locate(db, bucket: bucket, key: key, versionID: versionID) else { return nil }
            guard var object = found.entry.object else {
                throw CatalogueError(.isDeleteMarker, "version \(found.entry.wireVersionID) of \(key) is a delete marker")
            }
            (object.retention, object.legalHold) = try change(object)
            try db.execute(
                sql: "UPDATE \(found.table) SET retention = ?, legal_hold = ? WHERE bucket = ? AND key = ? AND version_seq = ?",
                arguments: [try object.retention.map { try Self.json($0) }, object.legalHold ? 1 : 0, bucket, Self.keyBlob(key),
                            found.sequence])
            return object
        }
    }

    public func retentionClock(now: Date) async throws -> Date {
        let millis = Self.millis(now)
        let highest = try await write { db in
            try db.execute(sql: """
                INSERT INTO server_clock (id, highest) VALUES (1, ?)
                ON CONFLICT(id) DO UPDATE SET highest = max(highest, excluded.highest)
                """, arguments: [millis])
            return try Int64.fetchOne(db, sql: "SELECT highest FROM server_clock WHERE id = 1") ?? millis
        }
        return Self.date(highest)
    }

    // MARK: - Statements shared with the object calls

    /// One version found: the table that holds it and its place in the key's order.
    struct LocatedVersion {
        var bucket: String
        var entry: ObjectVersionEntry
        var table: String
        var sequence: Int64
    }

    static func locate(_ db: Database, bucket: String, key: String, versionID: String?) throws -> LocatedVersion? {
        let match = versionID == nil ? "version_id IS NULL" : "version_id = ?"
        var arguments: StatementArguments = [bucket, keyBlob(key)]
        if let versionID { _ = arguments.append(contentsOf: [versionID]) }
        if let current = try first(try db.cachedStatement(sql: "SELECT * FROM objects WHERE bucket = ? AND key = ? AND \(match)"),
                                   arguments, { row in
            LocatedVersion(bucket: bucket, entry: try entry(row, isLatest: true), table: "objects", sequence: row["version_seq"])
        }) {
            return current
        }
        return try first(
            try db.cachedStatement(sql: "SELECT *, \(latestMarkerColumn) FROM object_versions WHERE bucket = ? AND key = ? AND \(match)"),
            arguments, { row in
                LocatedVersion(bucket: bucket, entry: try entry(row, isLatest: (row["latest_marker"] as Int?) == 1), table: "object_versions",
                               sequence: row["version_seq"])
            })
    }

    static func entry(_ row: some ResultColumns, isLatest: Bool) throws -> ObjectVersionEntry {
        let isMarker = (row["delete_marker"] as Int?) == 1
        let object = isMarker ? nil : try object(from: row)
        return ObjectVersionEntry(key: key(row), versionID: row["version_id"], isLatest: isLatest, object: object,
                                  lastModified: date(row["last_modified"]))
    }

    /// Deletes a located version's row; an object version's blobs become garbage.
    static func remove(_ db: Database, _ found: LocatedVersion) throws -> [GarbageBlob] {
        var garbage: [GarbageBlob] = []
        if let object = found.entry.object {
            garbage = (object.segments.map { GarbageBlob(location: object.location, locator: $0.locator) } + object.replicas.flatMap(\.blobs))
                .map { $0.of(bucket: object.bucket, key: object.key) }
            for blob in garbage { try discard(db, blob) }
        }
        try db.execute(sql: "DELETE FROM \(found.table) WHERE bucket = ? AND key = ? AND version_seq = ?",
                       arguments: [found.bucket, keyBlob(found.entry.key), found.sequence])
        return garbage
    }

    /// Before a new current version of `object.key` goes in (a PUT, a copy, a completed multipart
    /// upload). A record without a version id replaces the null version (whose blobs become
    /// garbage), refused while that version is locked; the current version, when kept, becomes
    /// noncurrent. For a never-versioned bucket this is exactly the replacement of the one object
    /// the key had. Returns the blobs that became garbage and the new version's number, above every
    /// version the key has. A key with no version at all (written for the first time) has nothing
    /// to archive or replace and its new version is the first: one statement finds that out, where
    /// the general way takes five.
    static func makeRoom(_ db: Database, for object: ObjectRecord) throws -> (garbage: [GarbageBlob], sequence: Int64) {
        guard try hasVersions(db, bucket: object.bucket, key: object.key) else { return ([], 1) }
        var garbage: [GarbageBlob] = []
        if object.versionID == nil, let null = try locate(db, bucket: object.bucket, key: object.key, versionID: nil) {
            if let old = null.entry.object, old.isLocked(at: object.lastModified) {
                throw CatalogueError(.versionLocked, "the null version of \(object.key) is under retention or legal hold")
            }
            garbage = try remove(db, null)
        }
        try archiveCurrent(db, bucket: object.bucket, key: object.key)
        return (garbage, try nextVersionSequence(db, bucket: object.bucket, key: object.key))
    }

    /// Moves the current version of a key, if any, to the noncurrent versions; its blobs stay referenced.
    static func archiveCurrent(_ db: Database, bucket: String, key: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO object_versions (\(objectColumns), delete_marker)
            SELECT \(objectColumns), 0 FROM objects WHERE bucket = ? AND key = ?
            """).execute(arguments: [bucket, keyBlob(key)])
        guard db.changesCount > 0 else { return }
        try db.cachedStatement(sql: "DELETE FROM objects WHERE bucket = ? AND key = ?").execute(arguments: [bucket, keyBlob(key)])
    }

    /// After a version was removed: when the key has no current object and its newest remaining
    /// version is an object (not a delete marker), that version becomes current.
    static func promoteLatest(_ db: Database, bucket: String, key: String) throws {
        guard try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM objects WHERE bucket = ? AND key = ?"),
                                arguments: [bucket, keyBlob(key)]) != true,
              let newest = try Row.fetchOne(
                try db.cachedStatement(sql: "SELECT version_seq, delete_marker FROM object_versions WHERE bucket = ? AND key = ? ORDER BY version_seq DESC LIMIT 1"),
                arguments: [bucket, keyBlob(key)]),
              (newest["delete_marker"] as Int) == 0
        else { return }
        let sequence: Int64 = newest["version_seq"]
        try db.cachedStatement(sql: """
            INSERT INTO objects (\(objectColumns)) SELECT \(objectColumns) FROM object_versions
            WHERE bucket = ? AND key = ? AND version_seq = ?
            """).execute(arguments: [bucket, keyBlob(key), sequence])
        try db.cachedStatement(sql: "DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_seq = ?")
            .execute(arguments: [bucket, keyBlob(key), sequence])
    }

    /// Whether the key has a version, current or noncurrent (a delete marker counts).
    static func hasVersions(_ db: Database, bucket: String, key: String) throws -> Bool {
        try Bool.fetchOne(
            try db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM objects WHERE bucket = ?1 AND key = ?2)
                    OR EXISTS (SELECT 1 FROM object_versions WHERE bucket = ?1 AND key = ?2)
                """),
            arguments: [bucket, keyBlob(key)]) == true
    }

    /// The number a new version of the key gets: above every version it has.
    static func nextVersionSequence(_ db: Database, bucket: String, key: String) throws -> Int64 {
        let noncurrent = try Int64.fetchOne(
            try db.cachedStatement(sql: "SELECT MAX(version_seq) FROM object_versions WHERE bucket = ? AND key = ?"),
            arguments: [bucket, keyBlob(key)]) ?? 0
        let current = try Int64.fetchOne(
            try db.cachedStatement(sql: "SELECT version_seq FROM objects WHERE bucket = ? AND key = ?"),
            arguments: [bucket, keyBlob(key)]) ?? 0
        return max(noncurrent, current) + 1
    }
}
