import Foundation
internal import GRDB
import SouverainCatalogue
import SouverainModel

/// Conversions between records and rows, and the statements several transactions share.
extension SQLiteCatalogue {
    struct ObjectRow: Sendable {
        var arguments: [DatabaseValue]
        var segments: [BlobSegment]
        var location: String
        var replicas: [Replica]
        var bucket: String
        var key: String
        var versionID: String?
    }

    /// The columns `objects` and `object_versions` share, in the order `encode` gives their values.
    static let objectColumns = """
        bucket, key, size, etag, last_modified, metadata, checksums, location, segments, part_count, replicas, needs_repair, \
        version_id, retention, legal_hold, tags, version_seq
        """

    static func keyBlob(_ key: String) -> Data { Data(key.utf8) }

    /// Adds the byte-order bounds that select keys starting with `prefix` (none for "") and, with
    /// `start`, at or after it. There is one lower bound, the greater of the prefix and `start`:
    /// given both (`key >= prefix AND key > start`), SQLite seeks to the prefix and filters up to
    /// `start`, so a listing page scanned the bucket from the prefix's first key (29 ms for a page
    /// 190,000 keys in, against 0.7 ms from a single bound; docs/benchmarks.md).
    static func restrict(
        toKeysStartingWith prefix: String, from start: KeyBound? = nil, sql: inout String, arguments: inout StatementArguments
    ) {
        let prefixBytes = Array(prefix.utf8)
        var lower = KeyBound(bytes: prefixBytes, inclusive: true)
        if let start { lower = lower.raised(to: start) }
        if !(lower.inclusive && lower.bytes.isEmpty) {
            sql += lower.inclusive ? " AND key >= ?" : " AND key > ?"
            _ = arguments.append(contentsOf: [Data(lower.bytes)])
        }
        if !prefixBytes.isEmpty, let upper = ListPosition.successor(ofPrefix: prefixBytes) {
            sql += " AND key < ?"
            _ = arguments.append(contentsOf: [Data(upper)])
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

    /// The first row a statement gives, decoded in place (`SteppedRow`): a point look-up builds no
    /// `Row`, whose column index GRDB makes anew on every fetch (SteppedRow.swift).
    static func first<T>(_ statement: Statement, _ arguments: StatementArguments, _ decode: (SteppedRow) throws -> T) throws -> T? {
        try SteppedRow.first(statement, arguments, decode)
    }

    /// Every row a statement gives, each decoded while SQLite holds it: `Row.fetchAll` copies each
    /// row, and a copied row finds a column by lowercasing the name of every column before it. One
    /// cursor's `Row` serves every row, so its index of names is made once per statement.
    static func all<T>(_ statement: Statement, _ arguments: StatementArguments, _ decode: (Row) throws -> T) throws -> [T] {
        var decoded: [T] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() { decoded.append(try decode(row)) }
        return decoded
    }

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

    /// An object's segments as stored: the text `JSONEncoder` would write, written directly
    /// (`CatalogueJSONWriter`).
    static func segmentsJSON(_ segments: [BlobSegment]) -> String {
        CatalogueJSONWriter.segments(segments)
    }

    static func checksumsJSON(_ checksums: [ChecksumAlgorithm: String]) throws -> String {
        let strings = checksumStrings(checksums)
        return try CatalogueJSONWriter.stringMap(strings) ?? json(strings)
    }

    /// Metadata documents already encoded: the text of the last 512 different ones written. Most
    /// objects of a bucket share a few, and encoding one was about 1% of a small PUT's server CPU.
    private static let metadataTexts = BoundedMemo<ObjectMetadata, String>(capacity: 512)

    static func metadataJSON(_ metadata: ObjectMetadata) throws -> String {
        if let known = metadataTexts.value(for: metadata) { return known }
        let text = try json(metadata)
        metadataTexts.keep(text, for: metadata)
        return text
    }

    /// One decoder for every record: a decoder is stateless once configured, and making one per
    /// column was a measurable share of reading an object's record.
    private static let decoder = JSONDecoder()

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try decoder.decode(type, from: Data(text.utf8))
    }

    /// Metadata documents already decoded, by their text: most objects of a bucket share a few
    /// (a content type, no user metadata), and decoding them again was about 4% of a small HEAD's
    /// CPU. At most 512 are kept; when full the memory starts again empty.
    private static let metadataDocuments = BoundedMemo<String, ObjectMetadata>(capacity: 512)

    static func metadata(_ text: String) throws -> ObjectMetadata {
        if let known = metadataDocuments.value(for: text) { return known }
        let metadata = try decode(ObjectMetadata.self, text)
        metadataDocuments.keep(metadata, for: text)
        return metadata
    }

    static func checksumStrings(_ checksums: [ChecksumAlgorithm: String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: checksums.map { ($0.key.rawValue, $0.value) })
    }

    static func checksums(_ text: String) throws -> [ChecksumAlgorithm: String] {
        if text == "{}" { return [:] }
        let raw = try decode([String: String].self, text)
        var out: [ChecksumAlgorithm: String] = [:]
        for (name, value) in raw { if let algorithm = ChecksumAlgorithm(rawValue: name) { out[algorithm] = value } }
        return out
    }

    static func encode(_ object: ObjectRecord) throws -> ObjectRow {
        let values: [any DatabaseValueConvertible] = [
            object.bucket, keyBlob(object.key), object.size, object.etag, millis(object.lastModified),
            try metadataJSON(object.metadata), try checksumsJSON(object.checksums), object.location,
            segmentsJSON(object.segments),
        ]
        var arguments = values.map(\.databaseValue)
        arguments.append(object.partCount?.databaseValue ?? .null)
        arguments.append(object.replicas.isEmpty ? .null : try json(object.replicas).databaseValue)
        arguments.append((object.needsRepair ? 1 : 0).databaseValue)
        arguments.append(object.versionID?.databaseValue ?? .null)
        arguments.append(object.retention == nil ? .null : try json(object.retention).databaseValue)
        arguments.append((object.legalHold ? 1 : 0).databaseValue)
        arguments.append(object.tags.isEmpty ? .null : try json(object.tags).databaseValue)
        return ObjectRow(arguments: arguments, segments: object.segments, location: object.location, replicas: object.replicas,
                         bucket: object.bucket, key: object.key, versionID: object.versionID)
    }

    /// GRDB makes arguments from `DatabaseValue`s by mapping them through a key path, which Swift
    /// builds anew at run time on every call from generic code (0.5% of a small PUT's CPU, the
    /// object's insert); this maps them through a closure.
    static func statementArguments(_ values: [DatabaseValue]) -> StatementArguments {
        StatementArguments(values.lazy.map { $0 as (any DatabaseValueConvertible)? })
    }

    /// Inserts the current version of a key, numbered `sequence` (what `makeRoom` returned).
    static func insert(_ db: Database, _ row: ObjectRow, sequence: Int64) throws {
        try db.cachedStatement(sql: "INSERT INTO objects (\(objectColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: statementArguments(row.arguments + [sequence.databaseValue]))
        for segment in row.segments {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO blobs (location, locator) VALUES (?, ?)").execute(
                           arguments: [row.location, segment.locator])
        }
        // Further copies made by copying blobs were registered as pending while they were written.
        for blob in row.replicas.flatMap(\.blobs) {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO blobs (location, locator) VALUES (?, ?)").execute(
                           arguments: [blob.location, blob.locator])
            try db.cachedStatement(sql: "DELETE FROM pending WHERE location = ? AND locator = ?").execute(arguments: [blob.location, blob.locator])
        }
    }

    /// Removes an object row if present; its blobs move to the garbage list.
    static func dropObject(_ db: Database, bucket: String, key: String) throws -> [GarbageBlob] {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT location, segments, replicas FROM objects WHERE bucket = ? AND key = ?"),
                                         arguments: [bucket, keyBlob(key)]) else { return [] }
        let location: String = row["location"]
        let segments = try BlobSegment.list(fromJSON: row["segments"])
        let garbage = (segments.map { GarbageBlob(location: location, locator: $0.locator) } + (try replicas(row).flatMap(\.blobs)))
            .map { $0.of(bucket: bucket, key: key) }
        for blob in garbage { try discard(db, blob) }
        try db.cachedStatement(sql: "DELETE FROM objects WHERE bucket = ? AND key = ?").execute(arguments: [bucket, keyBlob(key)])
        return garbage
    }

    static func replicas(_ row: some ResultColumns) throws -> [Replica] {
        guard let text: String = row["replicas"] else { return [] }
        return try decode([Replica].self, text)
    }

    static func discard(_ db: Database, _ blob: GarbageBlob) throws {
        try db.cachedStatement(sql: "DELETE FROM blobs WHERE location = ? AND locator = ?").execute(arguments: [blob.location, blob.locator])
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO garbage (location, locator, bucket, key, dropped) VALUES (?, ?, ?, ?, ?)").execute(
                       arguments: [blob.location, blob.locator, blob.bucket, blob.key.map(keyBlob), millis(Date())])
    }

    static func key(_ row: some ResultColumns) -> String {
        let data: Data = row["key"]
        return String(decoding: data, as: UTF8.self)
    }

    static func object(from row: some ResultColumns) throws -> ObjectRecord {
        var record = try objectWithoutTags(from: row)
        if let tags: String = row["tags"] { record.tags = try decode([String: String].self, tags) }
        return record
    }

    private static func objectWithoutTags(from row: some ResultColumns) throws -> ObjectRecord {
        ObjectRecord(
            bucket: row["bucket"], key: key(row), size: row["size"], etag: row["etag"],
            lastModified: date(row["last_modified"]), metadata: try metadata(row["metadata"]),
            checksums: try checksums(row["checksums"]), location: row["location"],
            segments: try BlobSegment.list(fromJSON: row["segments"]), partCount: row["part_count"], replicas: try replicas(row))
            .withVersion(id: row["version_id"], retention: try (row["retention"] as String?).map { try decode(ObjectRetention.self, $0) },
                         legalHold: (row["legal_hold"] as Int?) == 1)
    }

    static func upload(from row: some ResultColumns) throws -> UploadRecord {
        let algorithm: String? = row["checksum_algorithm"]
        return UploadRecord(
            uploadID: row["upload_id"], bucket: row["bucket"], key: key(row), initiated: date(row["initiated"]),
            owner: row["owner"], metadata: try metadata(row["metadata"]),
            checksumAlgorithm: algorithm.flatMap(ChecksumAlgorithm.init(rawValue:)), location: row["location"])
    }

    static func part(from row: some ResultColumns) throws -> PartRecord {
        PartRecord(
            uploadID: row["upload_id"], partNumber: row["part_number"], size: row["size"], etag: row["etag"],
            lastModified: date(row["last_modified"]), location: row["location"],
            segment: BlobSegment(
                locator: row["locator"], size: row["size"],
                encryption: try (row["encryption"] as String?).map { try decode(BlobEncryption.self, $0) }),
            checksums: try checksums(row["checksums"]))
    }

    static func user(from row: some ResultColumns) -> User {
        User(id: row["id"], name: row["name"], accessKeyID: row["access_key"], storedSecret: row["secret"],
             role: Role(rawValue: row["role"]) ?? .user)
    }

    static func grant(from row: some ResultColumns) -> Grant? {
        BucketPermission(rawValue: row["permission"]).map {
            Grant(bucket: row["bucket"], userID: row["user_id"], permission: $0)
        }
    }

    static func bucketKey(from row: some ResultColumns) -> BucketKeyRecord {
        BucketKeyRecord(
            bucket: row["bucket"], version: row["version"], wrappedKey: row["wrapped"],
            state: BucketKeyRecord.State(rawValue: row["state"]) ?? .active, created: Date(timeIntervalSince1970: row["created"]))
    }

    static func bucket(from row: some ResultColumns) -> BucketRecord {
        BucketRecord(name: row["name"], owner: row["owner"], createdAt: date(row["created"]), region: row["region"],
                     classification: row["classification"], shreddedAt: (row["shredded_at"] as Int64?).map(date),
                     versioning: (row["versioning"] as String?).flatMap(VersioningState.init(rawValue:)),
                     objectLock: (row["object_lock"] as String?).flatMap { try? decode(ObjectLockConfiguration.self, $0) })
    }
}
