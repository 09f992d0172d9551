import Foundation
import Logging
import PostgresNIO
import SouverainCatalogue
import SouverainModel

/// The statements of one transaction, on the connection it holds.
struct Statements: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await rows(query).first
    }

    func exists(_ query: PostgresQuery) async throws -> Bool {
        try await row(query) != nil
    }

    /// The number of rows returned: with `RETURNING 1`, how many rows a statement changed.
    func count(_ query: PostgresQuery) async throws -> Int {
        try await rows(query).count
    }

    func execute(_ query: PostgresQuery) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }
}

/// A query assembled piece by piece, its values bound as `$1`, `$2`…
final class QueryBuilder {
    var sql: String
    var binds = PostgresBindings()

    init(_ sql: String) { self.sql = sql }

    /// Binds `value` and returns its placeholder.
    func bind<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value) throws -> String {
        try binds.append(value)
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}

extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }
}

/// Conversions between records and rows, and the statements several transactions share. The
/// records' JSON columns hold the same JSON as SQLite's (sorted keys), so that a migration copies
/// them as they are.
extension PostgresCatalogue {
    struct ObjectRow: Sendable {
        var bucket: String
        var key: Data
        var size: Int64
        var etag: String
        var lastModified: Int64
        var metadata: String
        var checksums: String
        var location: String
        var segmentsJSON: String
        var partCount: Int?
        var replicasJSON: String?
        var needsRepair: Bool
        var versionID: String?
        var retention: String?
        var legalHold: Bool
        var tags: String?
        var segments: [BlobSegment]
        var replicas: [Replica]
        var keyString: String
    }

    /// The columns `objects` and `object_versions` share.
    static let objectColumns = """
        bucket, key, size, etag, last_modified, metadata, checksums, location, segments, part_count, replicas, needs_repair, \
        version_id, retention, legal_hold, tags, version_seq
        """

    static func keyBlob(_ key: String) -> Data { Data(key.utf8) }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    static func json<T: Encodable>(_ value: T) throws -> String {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw CatalogueError(.unavailable, "cannot encode a catalogue record", cause: error)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func checksumStrings(_ checksums: [ChecksumAlgorithm: String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: checksums.map { ($0.key.rawValue, $0.value) })
    }

    static func checksums(_ text: String) throws -> [ChecksumAlgorithm: String] {
        let raw = try decode([String: String].self, text)
        var out: [ChecksumAlgorithm: String] = [:]
        for (name, value) in raw { if let algorithm = ChecksumAlgorithm(rawValue: name) { out[algorithm] = value } }
        return out
    }

    static func encode(_ object: ObjectRecord) throws -> ObjectRow {
        ObjectRow(
            bucket: object.bucket, key: keyBlob(object.key), size: object.size, etag: object.etag, lastModified: millis(object.lastModified),
            metadata: try json(object.metadata), checksums: try json(checksumStrings(object.checksums)), location: object.location,
            segmentsJSON: try json(object.segments), partCount: object.partCount,
            replicasJSON: object.replicas.isEmpty ? nil : try json(object.replicas), needsRepair: object.needsRepair,
            versionID: object.versionID, retention: try object.retention.map { try json($0) }, legalHold: object.legalHold,
            tags: object.tags.isEmpty ? nil : try json(object.tags), segments: object.segments, replicas: object.replicas,
            keyString: object.key)
    }

    /// Inserts the current version of a key, numbered after every version the key already has.
    static func insert(_ db: Statements, _ row: ObjectRow) async throws {
        let sequence = try await nextVersionSequence(db, bucket: row.bucket, key: row.keyString)
        try await db.execute("""
            INSERT INTO objects (\(unescaped: objectColumns)) VALUES (
                \(row.bucket), \(row.key), \(row.size), \(row.etag), \(row.lastModified), \(row.metadata), \(row.checksums),
                \(row.location), \(row.segmentsJSON), \(row.partCount), \(row.replicasJSON), \(row.needsRepair), \(row.versionID),
                \(row.retention), \(row.legalHold), \(row.tags), \(sequence))
            """)
        for segment in row.segments {
            try await reference(db, location: row.location, locator: segment.locator)
        }
        // Further copies made by copying blobs were registered as pending while they were written.
        for blob in row.replicas.flatMap(\.blobs) {
            try await reference(db, location: blob.location, locator: blob.locator)
            try await db.execute("DELETE FROM pending WHERE location = \(blob.location) AND locator = \(blob.locator)")
        }
    }

    /// Serializes the writers of one key (every transaction that changes a key's versions takes
    /// it first), held until commit: with READ COMMITTED, each statement after it sees what the
    /// previous writer of the key committed. A collision of hashes only serializes two keys.
    static func lockKey(_ db: Statements, bucket: String, key: String) async throws {
        try await db.execute("SELECT pg_advisory_xact_lock(hashtextextended(encode(\(Data((bucket + "/" + key).utf8)), 'hex'), 0))")
    }

    /// Whether the bucket exists, holding it (FOR KEY SHARE) so that it cannot be deleted before
    /// this transaction commits; `deleteBucket` locks it FOR UPDATE, then finds it empty or not.
    static func lockBucket(_ db: Statements, _ bucket: String) async throws -> Bool {
        try await db.exists("SELECT 1 FROM buckets WHERE name = \(bucket) FOR KEY SHARE")
    }

    static func reference(_ db: Statements, location: String, locator: String) async throws {
        try await db.execute("INSERT INTO blobs (location, locator) VALUES (\(location), \(locator)) ON CONFLICT DO NOTHING")
    }

    /// Removes an object row if present; its blobs move to the garbage list.
    static func dropObject(_ db: Statements, bucket: String, key: String) async throws -> [GarbageBlob] {
        guard let row = try await db.row("SELECT location, segments, replicas FROM objects WHERE bucket = \(bucket) AND key = \(keyBlob(key))")
        else { return [] }
        let location: String = try row.value("location")
        let segments = try BlobSegment.list(fromJSON: try row.value("segments"))
        let garbage = (segments.map { GarbageBlob(location: location, locator: $0.locator) } + (try replicas(row).flatMap(\.blobs)))
            .map { $0.of(bucket: bucket, key: key) }
        for blob in garbage { try await discard(db, blob) }
        try await db.execute("DELETE FROM objects WHERE bucket = \(bucket) AND key = \(keyBlob(key))")
        return garbage
    }

    static func replicas(_ row: PostgresRandomAccessRow) throws -> [Replica] {
        guard let text = try row.value("replicas", as: String?.self) else { return [] }
        return try decode([Replica].self, text)
    }

    static func discard(_ db: Statements, _ blob: GarbageBlob) async throws {
        try await db.execute("DELETE FROM blobs WHERE location = \(blob.location) AND locator = \(blob.locator)")
        try await db.execute("""
            INSERT INTO garbage (location, locator, bucket, key, dropped)
            VALUES (\(blob.location), \(blob.locator), \(blob.bucket), \(blob.key.map(keyBlob)), (extract(epoch FROM now()) * 1000)::bigint)
            ON CONFLICT DO NOTHING
            """)
    }

    static func key(_ row: PostgresRandomAccessRow) throws -> String {
        String(decoding: try row.value("key", as: Data.self), as: UTF8.self)
    }

    static func object(from row: PostgresRandomAccessRow) throws -> ObjectRecord {
        var record = ObjectRecord(
            bucket: try row.value("bucket"), key: try key(row), size: try row.value("size"), etag: try row.value("etag"),
            lastModified: date(try row.value("last_modified")), metadata: try decode(ObjectMetadata.self, try row.value("metadata")),
            checksums: try checksums(try row.value("checksums")), location: try row.value("location"),
            segments: try BlobSegment.list(fromJSON: try row.value("segments")), partCount: try row.value("part_count"),
            replicas: try replicas(row))
            .withVersion(id: try row.value("version_id"),
                         retention: try row.value("retention", as: String?.self).map { try decode(ObjectRetention.self, $0) },
                         legalHold: try row.value("legal_hold"))
        if let tags = try row.value("tags", as: String?.self) { record.tags = try decode([String: String].self, tags) }
        return record
    }

    static func upload(from row: PostgresRandomAccessRow) throws -> UploadRecord {
        UploadRecord(
            uploadID: try row.value("upload_id"), bucket: try row.value("bucket"), key: try key(row),
            initiated: date(try row.value("initiated")), owner: try row.value("owner"),
            metadata: try decode(ObjectMetadata.self, try row.value("metadata")),
            checksumAlgorithm: try row.value("checksum_algorithm", as: String?.self).flatMap(ChecksumAlgorithm.init(rawValue:)),
            location: try row.value("location"))
    }

    static func part(from row: PostgresRandomAccessRow) throws -> PartRecord {
        PartRecord(
            uploadID: try row.value("upload_id"), partNumber: try row.value("part_number"), size: try row.value("size"),
            etag: try row.value("etag"), lastModified: date(try row.value("last_modified")), location: try row.value("location"),
            segment: BlobSegment(
                locator: try row.value("locator"), size: try row.value("size"),
                encryption: try row.value("encryption", as: String?.self).map { try decode(BlobEncryption.self, $0) }),
            checksums: try checksums(try row.value("checksums")))
    }

    static func user(from row: PostgresRandomAccessRow) throws -> User {
        User(id: try row.value("id"), name: try row.value("name"), accessKeyID: try row.value("access_key"),
             storedSecret: try row.value("secret"), role: Role(rawValue: try row.value("role")) ?? .user)
    }

    static func grant(from row: PostgresRandomAccessRow) throws -> Grant? {
        try BucketPermission(rawValue: try row.value("permission")).map {
            Grant(bucket: try row.value("bucket"), userID: try row.value("user_id"), permission: $0)
        }
    }

    static func bucketKey(from row: PostgresRandomAccessRow) throws -> BucketKeyRecord {
        BucketKeyRecord(
            bucket: try row.value("bucket"), version: try row.value("version"), wrappedKey: try row.value("wrapped"),
            state: BucketKeyRecord.State(rawValue: try row.value("state")) ?? .active,
            created: Date(timeIntervalSince1970: try row.value("created", as: Double.self)))
    }

    static func bucket(from row: PostgresRandomAccessRow) throws -> BucketRecord {
        BucketRecord(
            name: try row.value("name"), owner: try row.value("owner"), createdAt: date(try row.value("created")),
            region: try row.value("region"), classification: try row.value("classification"),
            shreddedAt: try row.value("shredded_at", as: Int64?.self).map(date),
            versioning: try row.value("versioning", as: String?.self).flatMap(VersioningState.init(rawValue:)),
            objectLock: try row.value("object_lock", as: String?.self).flatMap { try? decode(ObjectLockConfiguration.self, $0) })
    }

    /// Adds the byte-order bounds that select keys starting with `prefix` and, with `start`, at or
    /// after it: one lower bound, the greater of the two, so the index is sought once (as SQLite).
    static func restrict(toKeysStartingWith prefix: String, from start: KeyBound? = nil, _ query: QueryBuilder) throws {
        let prefixBytes = Array(prefix.utf8)
        var lower = KeyBound(bytes: prefixBytes, inclusive: true)
        if let start { lower = lower.raised(to: start) }
        if !(lower.inclusive && lower.bytes.isEmpty) {
            query.sql += (lower.inclusive ? " AND key >= " : " AND key > ") + (try query.bind(Data(lower.bytes)))
        }
        if !prefixBytes.isEmpty, let upper = ListPosition.successor(ofPrefix: prefixBytes) {
            query.sql += " AND key < " + (try query.bind(Data(upper)))
        }
    }

    /// Where a key range starts: at `bytes`, or just after it.
    struct KeyBound: Equatable {
        var bytes: [UInt8]
        var inclusive: Bool

        /// The later of the two starts, in key byte order.
        func raised(to other: KeyBound) -> KeyBound {
            if other.bytes.lexicographicallyPrecedes(bytes) { return self }
            if bytes.lexicographicallyPrecedes(other.bytes) { return other }
            return KeyBound(bytes: bytes, inclusive: inclusive && other.inclusive)
        }
    }
}
