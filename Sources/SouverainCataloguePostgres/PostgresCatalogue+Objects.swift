public import Foundation
import PostgresNIO
public import SouverainCatalogue
import SouverainModel

/// Objects, multipart uploads, the garbage list, relocation and replicas: the statements of
/// SQLiteCatalogue, one transaction per call, the key written locked first (`lockKey`).
extension PostgresCatalogue {
    // MARK: - Objects

    public func object(bucket: String, key: String) async throws -> ObjectRecord? {
        try await read { db in
            try await db.row("SELECT * FROM objects WHERE bucket = \(bucket) AND key = \(Self.keyBlob(key))").map(Self.object(from:))
        }
    }

    public func putObject(_ object: ObjectRecord) async throws -> [GarbageBlob] {
        try await putObject(object, condition: nil)
    }

    public func putObject(_ object: ObjectRecord, condition: WriteCondition?) async throws -> [GarbageBlob] {
        let row = try Self.encode(object)
        return try await write { db in
            try await Self.lockKey(db, bucket: object.bucket, key: object.key)
            guard try await Self.lockBucket(db, object.bucket) else {
                throw CatalogueError(.noSuchBucket, "bucket \(object.bucket) does not exist")
            }
            try await Self.checkBucketKeys(db, bucket: object.bucket, segments: object.segments)
            try await Self.check(condition, db, bucket: object.bucket, key: object.key)
            let garbage = try await Self.makeRoom(db, for: object)
            try await Self.insert(db, row)
            return garbage
        }
    }

    public func deleteObject(bucket: String, key: String) async throws -> (ObjectRecord, [GarbageBlob])? {
        let removed: RemovedObject? = try await write { db in
            try await Self.lockKey(db, bucket: bucket, key: key)
            guard let row = try await db.row("SELECT * FROM objects WHERE bucket = \(bucket) AND key = \(Self.keyBlob(key))") else { return nil }
            let record = try Self.object(from: row)
            let garbage = try await Self.dropObject(db, bucket: bucket, key: key)
            try await Self.promoteLatest(db, bucket: bucket, key: key)
            return RemovedObject(record: record, garbage: garbage)
        }
        return removed.map { ($0.record, $0.garbage) }
    }

    struct RemovedObject: Sendable {
        var record: ObjectRecord
        var garbage: [GarbageBlob]
    }

    public func listObjects(bucket: String, prefix: String, after position: ListPosition?, limit: Int) async throws -> [ObjectRecord] {
        guard let query = try Self.listing("*", bucket: bucket, prefix: prefix, after: position, limit: limit) else { return [] }
        return try await read { db in try await db.rows(query).map(Self.object(from:)) }
    }

    public func listSummaries(bucket: String, prefix: String, after position: ListPosition?, limit: Int) async throws -> [ObjectSummary] {
        guard let query = try Self.listing("key, size, etag, last_modified", bucket: bucket, prefix: prefix, after: position, limit: limit)
        else { return [] }
        return try await read { db in
            try await db.rows(query).map {
                ObjectSummary(key: try Self.key($0), size: try $0.value("size"), etag: try $0.value("etag"),
                              lastModified: Self.date(try $0.value("last_modified")))
            }
        }
    }

    /// The query of one listing page, in key byte order, one lower bound on the primary key's
    /// index; nil when nothing can follow `position`.
    static func listing(_ columns: String, bucket: String, prefix: String, after position: ListPosition?, limit: Int) throws -> PostgresQuery? {
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
        let query = QueryBuilder("SELECT \(columns) FROM objects WHERE bucket = ")
        query.sql += try query.bind(bucket)
        try restrict(toKeysStartingWith: prefix, from: start, query)
        query.sql += " ORDER BY key LIMIT " + (try query.bind(limit))
        return query.query
    }

    // MARK: - Multipart uploads

    public func createUpload(_ upload: UploadRecord) async throws {
        let metadata = try Self.json(upload.metadata)
        try await write { db in
            guard try await Self.lockBucket(db, upload.bucket) else {
                throw CatalogueError(.noSuchBucket, "bucket \(upload.bucket) does not exist")
            }
            try await db.execute("""
                INSERT INTO uploads (upload_id, bucket, key, initiated, owner, metadata, checksum_algorithm, location)
                VALUES (\(upload.uploadID), \(upload.bucket), \(Self.keyBlob(upload.key)), \(Self.millis(upload.initiated)),
                        \(upload.owner), \(metadata), \(upload.checksumAlgorithm?.rawValue), \(upload.location))
                """)
        }
    }

    public func upload(id: String) async throws -> UploadRecord? {
        try await read { db in try await db.row("SELECT * FROM uploads WHERE upload_id = \(id)").map(Self.upload(from:)) }
    }

    public func putPart(_ part: PartRecord) async throws -> [GarbageBlob] {
        let encryption = try part.segment.encryption.map { try Self.json($0) }
        let checksums = try Self.json(Self.checksumStrings(part.checksums))
        return try await write { db in
            guard let upload = try await db.row("SELECT bucket FROM uploads WHERE upload_id = \(part.uploadID) FOR KEY SHARE") else {
                throw CatalogueError(.noSuchUpload, "upload \(part.uploadID) does not exist")
            }
            // Two uploads of one part number at once: one replaces the other, whose blob becomes garbage.
            try await db.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(part.uploadID + "#" + String(part.partNumber)), 0))")
            let bucket: String = try upload.value("bucket")
            try await Self.checkBucketKeys(db, bucket: bucket, segments: [part.segment])
            var garbage: [GarbageBlob] = []
            if let old = try await db.row(
                "SELECT location, locator FROM parts WHERE upload_id = \(part.uploadID) AND part_number = \(part.partNumber)") {
                let blob = GarbageBlob(location: try old.value("location"), locator: try old.value("locator"), bucket: bucket, key: nil)
                try await Self.discard(db, blob)
                garbage.append(blob)
            }
            try await db.execute("""
                INSERT INTO parts (upload_id, part_number, size, etag, last_modified, location, locator, checksums, encryption)
                VALUES (\(part.uploadID), \(part.partNumber), \(part.size), \(part.etag), \(Self.millis(part.lastModified)),
                        \(part.location), \(part.segment.locator), \(checksums), \(encryption))
                ON CONFLICT (upload_id, part_number) DO UPDATE SET
                    size = excluded.size, etag = excluded.etag, last_modified = excluded.last_modified, location = excluded.location,
                    locator = excluded.locator, checksums = excluded.checksums, encryption = excluded.encryption
                """)
            try await Self.reference(db, location: part.location, locator: part.segment.locator)
            return garbage
        }
    }

    public func parts(uploadID: String, after: Int, limit: Int) async throws -> [PartRecord] {
        try await read { db in
            try await db.rows("SELECT * FROM parts WHERE upload_id = \(uploadID) AND part_number > \(after) ORDER BY part_number LIMIT \(limit)")
                .map(Self.part(from:))
        }
    }

    public func completeUpload(id: String, object: ObjectRecord) async throws -> [GarbageBlob] {
        try await completeUpload(id: id, object: object, condition: nil)
    }

    public func completeUpload(id: String, object: ObjectRecord, condition: WriteCondition?) async throws -> [GarbageBlob] {
        let row = try Self.encode(object)
        return try await write { db in
            try await Self.lockKey(db, bucket: object.bucket, key: object.key)
            guard try await db.exists("SELECT 1 FROM uploads WHERE upload_id = \(id) FOR UPDATE") else {
                throw CatalogueError(.noSuchUpload, "upload \(id) does not exist")
            }
            try await Self.check(condition, db, bucket: object.bucket, key: object.key)
            var garbage = try await Self.makeRoom(db, for: object)
            let kept = Set(object.segments.map(\.locator))
            for part in try await db.rows("SELECT location, locator FROM parts WHERE upload_id = \(id)") {
                let blob = GarbageBlob(location: try part.value("location"), locator: try part.value("locator"), bucket: object.bucket, key: object.key)
                if !kept.contains(blob.locator) {
                    try await Self.discard(db, blob)
                    garbage.append(blob)
                }
            }
            try await db.execute("DELETE FROM parts WHERE upload_id = \(id)")
            try await db.execute("DELETE FROM uploads WHERE upload_id = \(id)")
            try await Self.insert(db, row)
            return garbage
        }
    }

    public func abortUpload(id: String) async throws -> [GarbageBlob] {
        try await write { db in
            guard let upload = try await db.row("SELECT bucket, key FROM uploads WHERE upload_id = \(id) FOR UPDATE") else {
                throw CatalogueError(.noSuchUpload, "upload \(id) does not exist")
            }
            let bucket: String = try upload.value("bucket")
            let key = try Self.key(upload)
            var garbage: [GarbageBlob] = []
            for part in try await db.rows("SELECT location, locator FROM parts WHERE upload_id = \(id)") {
                let blob = GarbageBlob(location: try part.value("location"), locator: try part.value("locator"), bucket: bucket, key: key)
                try await Self.discard(db, blob)
                garbage.append(blob)
            }
            try await db.execute("DELETE FROM parts WHERE upload_id = \(id)")
            try await db.execute("DELETE FROM uploads WHERE upload_id = \(id)")
            return garbage
        }
    }

    public func uploads(bucket: String, prefix: String, keyMarker: String?, uploadIDMarker: String?, limit: Int) async throws -> [UploadRecord] {
        let query = QueryBuilder("SELECT * FROM uploads WHERE bucket = ")
        query.sql += try query.bind(bucket)
        try Self.restrict(toKeysStartingWith: prefix, query)
        if let keyMarker {
            let marker = try query.bind(Self.keyBlob(keyMarker))
            if let uploadIDMarker {
                query.sql += " AND (key > \(marker) OR (key = \(marker) AND upload_id > \(try query.bind(uploadIDMarker))))"
            } else {
                query.sql += " AND key > \(marker)"
            }
        }
        query.sql += " ORDER BY key, upload_id LIMIT " + (try query.bind(limit))
        let built = query.query
        return try await read { db in try await db.rows(built).map(Self.upload(from:)) }
    }

    // MARK: - Garbage

    public func garbage(olderThan age: Duration, limit: Int) async throws -> [GarbageBlob] {
        // The database's clock on both sides: gateways whose clocks differ still wait the same.
        let ageMillis = Int64((age / .milliseconds(1)).rounded(.down))
        return try await read { db in
            try await db.rows("""
                SELECT location, locator, bucket, key FROM garbage
                WHERE dropped IS NULL OR dropped <= (extract(epoch FROM now()) * 1000)::bigint - \(ageMillis)
                ORDER BY location, locator LIMIT \(limit)
                """).map {
                GarbageBlob(location: try $0.value("location"), locator: try $0.value("locator"), bucket: try $0.value("bucket"),
                            key: try $0.value("key", as: Data?.self).map { String(decoding: $0, as: UTF8.self) })
            }
        }
    }

    public func forgetGarbage(_ blobs: [GarbageBlob]) async throws {
        guard !blobs.isEmpty else { return }
        try await write { db in
            for blob in blobs {
                try await db.execute("DELETE FROM garbage WHERE location = \(blob.location) AND locator = \(blob.locator)")
            }
        }
    }

    public func isReferenced(location: String, locator: String) async throws -> Bool {
        try await read { db in
            try await db.exists("""
                SELECT 1 WHERE EXISTS (SELECT 1 FROM blobs WHERE location = \(location) AND locator = \(locator))
                    OR EXISTS (SELECT 1 FROM garbage WHERE location = \(location) AND locator = \(locator))
                    OR EXISTS (SELECT 1 FROM pending WHERE location = \(location) AND locator = \(locator))
                """)
        }
    }

    public func blobCount(location: String) async throws -> Int {
        try await read { db in
            try await db.row("SELECT count(*) AS n FROM blobs WHERE location = \(location)").map { try $0.value("n", as: Int.self) } ?? 0
        }
    }

    // MARK: - Bucket keys

    public func bucketKeys(bucket: String) async throws -> [BucketKeyRecord] {
        try await read { db in
            try await db.rows("SELECT * FROM bucket_keys WHERE bucket = \(bucket) ORDER BY version").map(Self.bucketKey(from:))
        }
    }

    public func addBucketKey(_ key: BucketKeyRecord) async throws -> Bool {
        try await write { db in
            guard try await Self.lockBucket(db, key.bucket) else {
                throw CatalogueError(.noSuchBucket, "bucket \(key.bucket) does not exist")
            }
            guard try await db.count("""
                INSERT INTO bucket_keys (bucket, version, wrapped, state, created)
                VALUES (\(key.bucket), \(key.version), \(key.wrappedKey), \(key.state.rawValue), \(key.created.timeIntervalSince1970))
                ON CONFLICT DO NOTHING RETURNING 1
                """) == 1 else { return false }
            try await Self.recordChange(db, .bucketKeys, key.bucket)
            return true
        }
    }

    public func allBucketKeys() async throws -> [BucketKeyRecord] {
        try await read { db in try await db.rows("SELECT * FROM bucket_keys ORDER BY bucket, version").map(Self.bucketKey(from:)) }
    }

    public func rewrapBucketKey(bucket: String, version: Int, wrappedKey: String) async throws {
        try await write { db in
            guard try await db.count(
                "UPDATE bucket_keys SET wrapped = \(wrappedKey) WHERE bucket = \(bucket) AND version = \(version) RETURNING 1") == 1
            else {
                throw CatalogueError(.unavailable, "bucket \(bucket) has no key version \(version)")
            }
        }
    }

    public func retireBucketKey(bucket: String, version: Int) async throws -> Bool {
        try await write { db in
            // Writes that recorded a blob under this version hold its row (checkBucketKeys): wait
            // for them, then look for their blobs.
            guard try await db.exists("SELECT 1 FROM bucket_keys WHERE bucket = \(bucket) AND version = \(version) FOR UPDATE") else {
                return true
            }
            let segmentLists = try await db.rows("""
                SELECT segments FROM objects WHERE bucket = \(bucket) UNION ALL SELECT segments FROM object_versions WHERE bucket = \(bucket)
                """).map { try $0.value("segments", as: String.self) }
            for text in segmentLists {
                if try BlobSegment.list(fromJSON: text).contains(where: {
                    $0.encryption?.keyID == nil && $0.encryption?.bucketKeyVersion == version
                }) {
                    return false
                }
            }
            let parts = try await db.rows("""
                SELECT parts.encryption FROM parts JOIN uploads ON parts.upload_id = uploads.upload_id
                WHERE uploads.bucket = \(bucket) AND parts.encryption IS NOT NULL
                """).map { try $0.value("encryption", as: String.self) }
            for text in parts {
                let encryption = try Self.decode(BlobEncryption.self, text)
                if encryption.keyID == nil, encryption.bucketKeyVersion == version { return false }
            }
            try await db.execute("DELETE FROM bucket_keys WHERE bucket = \(bucket) AND version = \(version)")
            try await Self.recordChange(db, .bucketKeys, bucket)
            return true
        }
    }

    /// Refuses to record blobs whose data keys are wrapped by a bucket or named key version that no
    /// longer exists, in the write's own transaction (see SQLiteCatalogue.checkBucketKeys).
    static func checkBucketKeys(_ db: Statements, bucket: String, segments: [BlobSegment]) async throws {
        try await checkNamedKeys(db, segments: segments)
        let versions = Set(segments.compactMap { segment in
            segment.encryption.flatMap { $0.customerKeyMD5 == nil && $0.keyID == nil ? $0.bucketKeyVersion : nil }
        })
        for version in versions {
            guard try await db.exists("SELECT 1 FROM bucket_keys WHERE bucket = \(bucket) AND version = \(version) FOR KEY SHARE") else {
                throw CatalogueError(.keyRetired, "version \(version) of the key of bucket \(bucket) was retired")
            }
        }
    }

    public func rewrapObject(_ object: ObjectRecord, segments: [BlobSegment]) async throws -> Bool {
        let old = try Self.json(object.segments)
        let new = try Self.json(segments)
        return try await write { db in
            try await Self.lockKey(db, bucket: object.bucket, key: object.key)
            guard let found = try await Self.locate(db, bucket: object.bucket, key: object.key, versionID: object.versionID) else { return false }
            return try await db.count("""
                UPDATE \(unescaped: found.table) SET segments = \(new)
                WHERE bucket = \(object.bucket) AND key = \(Self.keyBlob(object.key)) AND version_seq = \(found.sequence)
                  AND segments = \(old) AND etag = \(object.etag) AND location = \(object.location)
                RETURNING 1
                """) == 1
        }
    }

    public func shredBucket(_ name: String, at date: Date) async throws -> Int {
        try await write { db in
            guard try await db.exists("SELECT 1 FROM buckets WHERE name = \(name) FOR UPDATE") else {
                throw CatalogueError(.noSuchBucket, "bucket \(name) does not exist")
            }
            let destroyed = try await db.count("DELETE FROM bucket_keys WHERE bucket = \(name) RETURNING 1")
            try await db.execute("UPDATE buckets SET shredded_at = \(Self.millis(date)) WHERE name = \(name)")
            try await Self.recordChange(db, .bucketKeys, name)
            return destroyed
        }
    }

    // MARK: - Relocation

    public func addPendingBlob(_ blob: GarbageBlob) async throws {
        try await write { db in
            try await db.execute("INSERT INTO pending (location, locator) VALUES (\(blob.location), \(blob.locator)) ON CONFLICT DO NOTHING")
        }
    }

    public func abandonPendingBlobs() async throws -> [GarbageBlob] {
        try await write { db in
            // A pending blob that a commit referenced meanwhile is not abandoned.
            try await db.execute("DELETE FROM pending WHERE (location, locator) IN (SELECT location, locator FROM blobs)")
            let blobs = try await db.rows("SELECT location, locator FROM pending ORDER BY location, locator").map {
                GarbageBlob(location: try $0.value("location"), locator: try $0.value("locator"))
            }
            for blob in blobs { try await Self.discard(db, blob) }
            try await db.execute("DELETE FROM pending")
            return blobs
        }
    }

    public func relocateObject(_ object: ObjectRecord, to location: String, segments: [BlobSegment]) async throws -> [GarbageBlob]? {
        let segmentsJSON = try Self.json(segments)
        return try await write { db in
            try await Self.lockKey(db, bucket: object.bucket, key: object.key)
            let copies = segments.map { GarbageBlob(location: location, locator: $0.locator, bucket: object.bucket, key: object.key) }
            for copy in copies {
                try await db.execute("DELETE FROM pending WHERE location = \(copy.location) AND locator = \(copy.locator)")
            }
            // The version that was copied, current or not (Records+Versions.swift).
            guard let found = try await Self.locate(db, bucket: object.bucket, key: object.key, versionID: object.versionID),
                  let current = found.entry.object,
                  current.etag == object.etag, current.lastModified == object.lastModified,
                  current.location == object.location, current.segments == object.segments
            else {
                for copy in copies { try await Self.discard(db, copy) }
                return nil
            }
            let old = object.segments.map { GarbageBlob(location: object.location, locator: $0.locator, bucket: object.bucket, key: object.key) }
            for blob in old { try await Self.discard(db, blob) }
            try await db.execute("""
                UPDATE \(unescaped: found.table) SET location = \(location), segments = \(segmentsJSON)
                WHERE bucket = \(object.bucket) AND key = \(Self.keyBlob(object.key)) AND version_seq = \(found.sequence)
                """)
            for segment in segments { try await Self.reference(db, location: location, locator: segment.locator) }
            return old
        }
    }

    // MARK: - Replicas

    public func objectsNeedingRepair(after: (bucket: String, key: String)?, limit: Int) async throws -> [ObjectRecord] {
        let query = QueryBuilder("SELECT * FROM objects WHERE needs_repair")
        if let after {
            query.sql += " AND (bucket, key) > (\(try query.bind(after.bucket)), \(try query.bind(Self.keyBlob(after.key))))"
        }
        query.sql += " ORDER BY bucket, key LIMIT " + (try query.bind(limit))
        let built = query.query
        return try await read { db in try await db.rows(built).map(Self.object(from:)) }
    }

    public func repairBacklog() async throws -> Int {
        try await read { db in
            try await db.row("""
                SELECT (SELECT count(*) FROM objects WHERE needs_repair) + (SELECT count(*) FROM object_versions WHERE needs_repair) AS n
                """).map { try $0.value("n", as: Int.self) } ?? 0
        }
    }

    public func noncurrentVersionsNeedingRepair(after: NoncurrentPosition?, limit: Int) async throws
        -> [(record: ObjectRecord, position: NoncurrentPosition)]
    {
        try await noncurrentVersions(where: "needs_repair AND NOT delete_marker", after: after, limit: limit)
    }

    public func updateCopies(of object: ObjectRecord, to updated: ObjectRecord) async throws -> [GarbageBlob]? {
        let segmentsJSON = try Self.json(updated.segments)
        let replicasJSON = updated.replicas.isEmpty ? nil : try Self.json(updated.replicas)
        func blobs(_ record: ObjectRecord) -> Set<GarbageBlob> {
            Set((record.segments.map { GarbageBlob(location: record.location, locator: $0.locator) } + record.replicas.flatMap(\.blobs))
                .map { $0.of(bucket: record.bucket, key: record.key) })
        }
        let before = blobs(object), after = blobs(updated)
        return try await write { db in
            try await Self.lockKey(db, bucket: object.bucket, key: object.key)
            let added = after.subtracting(before)
            for blob in added {
                try await db.execute("DELETE FROM pending WHERE location = \(blob.location) AND locator = \(blob.locator)")
            }
            guard let found = try await Self.locate(db, bucket: object.bucket, key: object.key, versionID: object.versionID),
                  let current = found.entry.object, current == object
            else {
                for blob in added { try await Self.discard(db, blob) }
                return nil
            }
            try await db.execute("""
                UPDATE \(unescaped: found.table) SET location = \(updated.location), segments = \(segmentsJSON), replicas = \(replicasJSON),
                    needs_repair = \(updated.needsRepair)
                WHERE bucket = \(object.bucket) AND key = \(Self.keyBlob(object.key)) AND version_seq = \(found.sequence)
                """)
            for blob in added {
                try await Self.reference(db, location: blob.location, locator: blob.locator)
                // Referenced now: never collected, even if an enforcement run abandoned it as pending meanwhile.
                try await db.execute("DELETE FROM garbage WHERE location = \(blob.location) AND locator = \(blob.locator)")
            }
            let dropped = Array(before.subtracting(after))
            for blob in dropped { try await Self.discard(db, blob) }
            return dropped
        }
    }
}
