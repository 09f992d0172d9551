public import Foundation
import PostgresNIO
public import SouverainCatalogue
import SouverainModel

/// Versions and Object Lock (docs/versioning.md), as SQLiteCatalogue+Versions.swift: `objects`
/// holds the current version of each key, `object_versions` the noncurrent ones and the delete
/// markers, ordered by `version_seq`.
extension PostgresCatalogue {
    // MARK: - Bucket settings

    public func setVersioning(bucket: String, _ state: VersioningState) async throws {
        try await write { db in
            guard try await db.count("UPDATE buckets SET versioning = \(state.rawValue) WHERE name = \(bucket) RETURNING 1") == 1 else {
                throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist")
            }
        }
    }

    public func setObjectLock(bucket: String, _ configuration: ObjectLockConfiguration) async throws {
        let text = try Self.json(configuration)
        try await write { db in
            guard try await db.count(
                "UPDATE buckets SET object_lock = \(text), versioning = 'Enabled' WHERE name = \(bucket) RETURNING 1") == 1
            else {
                throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist")
            }
        }
    }

    // MARK: - Reading versions

    public func version(bucket: String, key: String, versionID: String?) async throws -> ObjectVersionEntry? {
        try await read { db in try await Self.locate(db, bucket: bucket, key: key, versionID: versionID)?.entry }
    }

    public func latestVersion(bucket: String, key: String) async throws -> ObjectVersionEntry? {
        try await read { db in
            if let row = try await db.row("SELECT * FROM objects WHERE bucket = \(bucket) AND key = \(Self.keyBlob(key))") {
                return try Self.entry(row, isLatest: true)
            }
            guard let row = try await db.row("""
                SELECT * FROM object_versions WHERE bucket = \(bucket) AND key = \(Self.keyBlob(key)) ORDER BY version_seq DESC LIMIT 1
                """) else { return nil }
            return try Self.entry(row, isLatest: true)
        }
    }

    public func listVersions(bucket: String, prefix: String, after position: VersionListPosition?, limit: Int) async throws
        -> [ObjectVersionEntry]
    {
        try await read { db in
            var entries: [ObjectVersionEntry] = []
            var start: KeyBound?
            if let position {
                start = KeyBound(bytes: Array(position.key.utf8), inclusive: false)
                if let marker = position.versionID,
                   let found = try await Self.locate(db, bucket: bucket, key: position.key, versionID: marker == "null" ? nil : marker) {
                    // The rest of the marker's key: its older versions (always noncurrent).
                    let rows = try await db.rows("""
                        SELECT *, \(unescaped: Self.latestMarkerColumn) FROM object_versions
                        WHERE bucket = \(bucket) AND key = \(Self.keyBlob(position.key)) AND version_seq < \(found.sequence)
                        ORDER BY version_seq DESC LIMIT \(limit)
                        """)
                    for row in rows { entries.append(try Self.entry(row, isLatest: try row.value("latest_marker"))) }
                }
            }
            guard entries.count < limit else { return entries }
            let query = QueryBuilder("SELECT \(Self.objectColumns), false AS delete_marker, true AS latest_marker FROM objects WHERE bucket = ")
            query.sql += try query.bind(bucket)
            try Self.restrict(toKeysStartingWith: prefix, from: start, query)
            query.sql += " UNION ALL SELECT \(Self.objectColumns), delete_marker, \(Self.latestMarkerColumn) FROM object_versions WHERE bucket = "
            query.sql += try query.bind(bucket)
            try Self.restrict(toKeysStartingWith: prefix, from: start, query)
            query.sql += " ORDER BY key, version_seq DESC LIMIT " + (try query.bind(limit - entries.count))
            for row in try await db.rows(query.query) {
                entries.append(try Self.entry(row, isLatest: try row.value("latest_marker")))
            }
            return entries
        }
    }

    /// For an `object_versions` row: true when it is the latest version of its key (a delete marker
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
                let rows = try await db.rows("""
                    SELECT * FROM \(unescaped: table) WHERE bucket = \(bucket) AND (retention IS NOT NULL OR legal_hold) ORDER BY key
                    """)
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
        try await noncurrentVersions(where: "NOT delete_marker", after: after, limit: limit)
    }

    struct PositionedVersion: Sendable {
        var record: ObjectRecord
        var position: NoncurrentPosition
    }

    /// Noncurrent versions matching `condition` (SQL over `object_versions`), in (bucket, key,
    /// version) order, at most `limit` after `after`.
    func noncurrentVersions(where condition: String, after: NoncurrentPosition?, limit: Int) async throws
        -> [(record: ObjectRecord, position: NoncurrentPosition)]
    {
        let query = QueryBuilder("SELECT * FROM object_versions WHERE \(condition)")
        if let after {
            query.sql += " AND (bucket, key, version_seq) > (\(try query.bind(after.bucket)), \(try query.bind(Self.keyBlob(after.key))), "
                + "\(try query.bind(after.sequence)))"
        }
        query.sql += " ORDER BY bucket, key, version_seq LIMIT " + (try query.bind(limit))
        let built = query.query
        let found: [PositionedVersion] = try await read { db in
            try await db.rows(built).map { row in
                let record = try Self.object(from: row)
                return PositionedVersion(
                    record: record, position: NoncurrentPosition(bucket: record.bucket, key: record.key, sequence: try row.value("version_seq")))
            }
        }
        return found.map { ($0.record, $0.position) }
    }

    // MARK: - Changing versions

    public func addDeleteMarker(bucket: String, key: String, versionID: String?, at date: Date,
                                check: @escaping @Sendable (ObjectVersionEntry) throws -> Void) async throws -> [GarbageBlob]
    {
        try await write { db in
            try await Self.lockKey(db, bucket: bucket, key: key)
            guard try await Self.lockBucket(db, bucket) else {
                throw CatalogueError(.noSuchBucket, "bucket \(bucket) does not exist")
            }
            var garbage: [GarbageBlob] = []
            if versionID == nil, let null = try await Self.locate(db, bucket: bucket, key: key, versionID: nil) {
                try check(null.entry)
                garbage = try await Self.remove(db, null)
            }
            try await Self.archiveCurrent(db, bucket: bucket, key: key)
            let sequence = try await Self.nextVersionSequence(db, bucket: bucket, key: key)
            try await db.execute("""
                INSERT INTO object_versions (bucket, key, size, etag, last_modified, metadata, checksums, location, segments,
                                             version_id, version_seq, delete_marker)
                VALUES (\(bucket), \(Self.keyBlob(key)), 0, '', \(Self.millis(date)), '{}', '{}', '', '[]', \(versionID), \(sequence), true)
                """)
            return garbage
        }
    }

    public func deleteVersion(bucket: String, key: String, versionID: String?,
                              check: @escaping @Sendable (ObjectVersionEntry) throws -> Void) async throws -> RemovedVersion?
    {
        let removed: RemovedEntry? = try await write { db in
            try await Self.lockKey(db, bucket: bucket, key: key)
            guard let found = try await Self.locate(db, bucket: bucket, key: key, versionID: versionID) else { return nil }
            try check(found.entry)
            let garbage = try await Self.remove(db, found)
            try await Self.promoteLatest(db, bucket: bucket, key: key)
            return RemovedEntry(entry: found.entry, garbage: garbage)
        }
        return removed.map { RemovedVersion(entry: $0.entry, garbage: $0.garbage) }
    }

    struct RemovedEntry: Sendable {
        var entry: ObjectVersionEntry
        var garbage: [GarbageBlob]
    }

    public func updateLock(bucket: String, key: String, versionID: String?,
                           change: @escaping @Sendable (ObjectRecord) throws -> (ObjectRetention?, Bool)) async throws -> ObjectRecord?
    {
        try await write { db in
            try await Self.lockKey(db, bucket: bucket, key: key)
            guard let found = try await Self.locate(db, bucket: bucket, key: key, versionID: versionID) else { return nil }
            guard var object = found.entry.object else {
                throw CatalogueError(.isDeleteMarker, "version \(found.entry.wireVersionID) of \(key) is a delete marker")
            }
            (object.retention, object.legalHold) = try change(object)
            let retention = try object.retention.map { try Self.json($0) }
            try await db.execute("""
                UPDATE \(unescaped: found.table) SET retention = \(retention), legal_hold = \(object.legalHold)
                WHERE bucket = \(bucket) AND key = \(Self.keyBlob(key)) AND version_seq = \(found.sequence)
                """)
            return object
        }
    }

    public func retentionClock(now: Date) async throws -> Date {
        let millis = Self.millis(now)
        let highest = try await write { db in
            try await db.row("""
                INSERT INTO server_clock (id, highest) VALUES (1, \(millis))
                ON CONFLICT (id) DO UPDATE SET highest = GREATEST(server_clock.highest, excluded.highest)
                RETURNING highest
                """).map { try $0.value("highest", as: Int64.self) } ?? millis
        }
        return Self.date(highest)
    }

    // MARK: - Statements shared with the object calls

    /// One version found: the table that holds it and its place in the key's order.
    struct LocatedVersion: Sendable {
        var bucket: String
        var entry: ObjectVersionEntry
        var table: String
        var sequence: Int64
    }

    static func locate(_ db: Statements, bucket: String, key: String, versionID: String?) async throws -> LocatedVersion? {
        let current: PostgresRandomAccessRow?
        if let versionID {
            current = try await db.row("SELECT * FROM objects WHERE bucket = \(bucket) AND key = \(keyBlob(key)) AND version_id = \(versionID)")
        } else {
            current = try await db.row("SELECT * FROM objects WHERE bucket = \(bucket) AND key = \(keyBlob(key)) AND version_id IS NULL")
        }
        if let row = current {
            return LocatedVersion(bucket: bucket, entry: try entry(row, isLatest: true), table: "objects", sequence: try row.value("version_seq"))
        }
        let older: PostgresRandomAccessRow?
        if let versionID {
            older = try await db.row("""
                SELECT *, \(unescaped: latestMarkerColumn) FROM object_versions
                WHERE bucket = \(bucket) AND key = \(keyBlob(key)) AND version_id = \(versionID)
                """)
        } else {
            older = try await db.row("""
                SELECT *, \(unescaped: latestMarkerColumn) FROM object_versions
                WHERE bucket = \(bucket) AND key = \(keyBlob(key)) AND version_id IS NULL
                """)
        }
        if let row = older {
            return LocatedVersion(bucket: bucket, entry: try entry(row, isLatest: try row.value("latest_marker")), table: "object_versions",
                                  sequence: try row.value("version_seq"))
        }
        return nil
    }

    static func entry(_ row: PostgresRandomAccessRow, isLatest: Bool) throws -> ObjectVersionEntry {
        let isMarker = row.contains("delete_marker") ? try row.value("delete_marker", as: Bool.self) : false
        let object = isMarker ? nil : try object(from: row)
        return ObjectVersionEntry(key: try key(row), versionID: try row.value("version_id"), isLatest: isLatest, object: object,
                                  lastModified: date(try row.value("last_modified")))
    }

    /// Deletes a located version's row; an object version's blobs become garbage.
    static func remove(_ db: Statements, _ found: LocatedVersion) async throws -> [GarbageBlob] {
        var garbage: [GarbageBlob] = []
        if let object = found.entry.object {
            garbage = (object.segments.map { GarbageBlob(location: object.location, locator: $0.locator) } + object.replicas.flatMap(\.blobs))
                .map { $0.of(bucket: object.bucket, key: object.key) }
            for blob in garbage { try await discard(db, blob) }
        }
        try await db.execute("""
            DELETE FROM \(unescaped: found.table) WHERE bucket = \(found.bucket) AND key = \(keyBlob(found.entry.key)) AND version_seq = \(found.sequence)
            """)
        return garbage
    }

    /// Before a new current version of `object.key` goes in: a record without a version id
    /// replaces the null version (refused while it is locked); the current version, when kept,
    /// becomes noncurrent.
    static func makeRoom(_ db: Statements, for object: ObjectRecord) async throws -> [GarbageBlob] {
        var garbage: [GarbageBlob] = []
        if object.versionID == nil, let null = try await locate(db, bucket: object.bucket, key: object.key, versionID: nil) {
            if let old = null.entry.object, old.isLocked(at: object.lastModified) {
                throw CatalogueError(.versionLocked, "the null version of \(object.key) is under retention or legal hold")
            }
            garbage = try await remove(db, null)
        }
        try await archiveCurrent(db, bucket: object.bucket, key: object.key)
        return garbage
    }

    /// Moves the current version of a key, if any, to the noncurrent versions; its blobs stay referenced.
    static func archiveCurrent(_ db: Statements, bucket: String, key: String) async throws {
        let moved = try await db.count("""
            INSERT INTO object_versions (\(unescaped: objectColumns), delete_marker)
            SELECT \(unescaped: objectColumns), false FROM objects WHERE bucket = \(bucket) AND key = \(keyBlob(key))
            RETURNING 1
            """)
        guard moved > 0 else { return }
        try await db.execute("DELETE FROM objects WHERE bucket = \(bucket) AND key = \(keyBlob(key))")
    }

    /// After a version was removed: when the key has no current object and its newest remaining
    /// version is an object (not a delete marker), that version becomes current.
    static func promoteLatest(_ db: Statements, bucket: String, key: String) async throws {
        guard try await !db.exists("SELECT 1 FROM objects WHERE bucket = \(bucket) AND key = \(keyBlob(key))"),
              let newest = try await db.row("""
                SELECT version_seq, delete_marker FROM object_versions WHERE bucket = \(bucket) AND key = \(keyBlob(key))
                ORDER BY version_seq DESC LIMIT 1
                """),
              try !newest.value("delete_marker", as: Bool.self)
        else { return }
        let sequence: Int64 = try newest.value("version_seq")
        try await db.execute("""
            INSERT INTO objects (\(unescaped: objectColumns)) SELECT \(unescaped: objectColumns) FROM object_versions
            WHERE bucket = \(bucket) AND key = \(keyBlob(key)) AND version_seq = \(sequence)
            """)
        try await db.execute("DELETE FROM object_versions WHERE bucket = \(bucket) AND key = \(keyBlob(key)) AND version_seq = \(sequence)")
    }

    /// The number a new version of the key gets: above every version it has.
    static func nextVersionSequence(_ db: Statements, bucket: String, key: String) async throws -> Int64 {
        try await db.row("""
            SELECT GREATEST(
                COALESCE((SELECT MAX(version_seq) FROM object_versions WHERE bucket = \(bucket) AND key = \(keyBlob(key))), 0),
                COALESCE((SELECT version_seq FROM objects WHERE bucket = \(bucket) AND key = \(keyBlob(key))), 0)) + 1 AS next
            """).map { try $0.value("next", as: Int64.self) } ?? 1
    }
}
