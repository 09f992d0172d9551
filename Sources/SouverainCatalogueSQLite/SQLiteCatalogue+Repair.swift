internal import GRDB
public import SouverainCatalogue

/// The repair's walk over noncurrent versions (migration "noncurrent-repair" indexes them): a
/// version that stopped being current keeps its copies, and a copy of it found missing or damaged
/// by the scrub is marked in `object_versions` as it would be in `objects`.
extension SQLiteCatalogue {
    public func noncurrentVersionsNeedingRepair(after: NoncurrentPosition?, limit: Int) async throws
        -> [(record: ObjectRecord, position: NoncurrentPosition)]
    {
        try await read { db in
            var sql = "SELECT * FROM object_versions WHERE needs_repair = 1 AND delete_marker = 0"
            var arguments: StatementArguments = []
            if let after {
                sql += " AND (bucket, key, version_seq) > (?, ?, ?)"
                arguments = [after.bucket, Self.keyBlob(after.key), after.sequence]
            }
            sql += " ORDER BY bucket, key, version_seq LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(try db.cachedStatement(sql: sql), arguments: arguments).map { row in
                let record = try Self.object(from: row)
                return (record, NoncurrentPosition(bucket: record.bucket, key: record.key, sequence: row["version_seq"]))
            }
        }
    }
}
