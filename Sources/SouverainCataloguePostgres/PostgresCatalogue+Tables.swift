import Foundation
import PostgresNIO
public import SouverainCatalogue

/// Copying a catalogue in (`souverain catalogue migrate-to-postgres`): tables as another
/// catalogue stores them, loaded into an empty PostgreSQL catalogue in one transaction, and read
/// back, each cell in the form its column has here, to verify the copy.
extension PostgresCatalogue {
    /// The catalogue's own tables (not the migrations' record).
    public func tableNames() async throws -> [String] {
        try await read { db in
            try await db.rows("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'souverain_migrations'
                ORDER BY table_name
                """).map { try $0.value("table_name", as: String.self) }
        }
    }

    /// Column names and types of a table, in order.
    func columnTypes(_ db: Statements, table: String) async throws -> [String: String] {
        var types: [String: String] = [:]
        for row in try await db.rows("""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table)
            """) {
            types[try row.value("column_name", as: String.self)] = try row.value("data_type", as: String.self)
        }
        return types
    }

    /// Loads `tables` into this catalogue, which must be empty, in one transaction: all or nothing.
    /// Every table and column must exist here (a newer catalogue's must be ported first).
    public func load(_ tables: [CatalogueTable]) async throws {
        let known = Set(try await tableNames())
        for table in tables where !known.contains(table.name) {
            throw CatalogueError(.unavailable, "the PostgreSQL catalogue has no table \(table.name): port its migration first")
        }
        // A large catalogue takes a while: no limit but a day.
        try await transaction(.write, within: .seconds(86_400)) { db in
            for name in known.sorted() {
                guard try await !db.exists(PostgresQuery(unsafeSQL: "SELECT 1 FROM \"\(name)\" LIMIT 1")) else {
                    throw CatalogueError(.unavailable, "the PostgreSQL catalogue is not empty (table \(name) has rows): migrate into an empty one")
                }
            }
            for table in tables {
                let types = try await self.columnTypes(db, table: table.name)
                for column in table.columns where types[column] == nil {
                    throw CatalogueError(.unavailable, "the PostgreSQL table \(table.name) has no column \(column): port its migration first")
                }
                let columnList = table.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                // Several rows per statement, under PostgreSQL's limit of 65535 bound values.
                let rowsPerStatement = max(1, 30_000 / max(1, table.columns.count))
                var start = 0
                while start < table.rows.count {
                    let batch = table.rows[start..<min(start + rowsPerStatement, table.rows.count)]
                    let query = QueryBuilder("INSERT INTO \"\(table.name)\" (\(columnList)) VALUES ")
                    var tuples: [String] = []
                    for row in batch {
                        var placeholders: [String] = []
                        for (column, cell) in zip(table.columns, row) {
                            placeholders.append(try Self.bind(cell, as: types[column] ?? "text", into: query))
                        }
                        tuples.append("(" + placeholders.joined(separator: ", ") + ")")
                    }
                    query.sql += tuples.joined(separator: ", ")
                    try await db.execute(query.query)
                    start += batch.count
                }
            }
        }
    }

    /// The rows of `table` as this catalogue holds them, each cell in its column's form.
    public func table(_ name: String, columns: [String]) async throws -> CatalogueTable {
        try await transaction(.read, within: .seconds(86_400)) { db in
            let types = try await self.columnTypes(db, table: name)
            let columnList = columns.map { "\"\($0)\"" }.joined(separator: ", ")
            let rows = try await db.rows(PostgresQuery(unsafeSQL: "SELECT \(columnList) FROM \"\(name)\"")).map { row in
                try columns.map { column in try Self.cell(row, column, type: types[column] ?? "text") }
            }
            return CatalogueTable(name: name, columns: columns, rows: rows)
        }
    }

    /// A cell of another catalogue in the form this one's column has: SQLite keeps booleans as
    /// integers, and any number in a REAL column.
    public static func normalized(_ cell: CatalogueCell, type: String) -> CatalogueCell {
        switch (cell, type) {
        case (.integer(let value), "boolean"): .integer(value == 0 ? 0 : 1)
        case (.integer(let value), "double precision"): .real(Double(value))
        case (.real(let value), "bigint"), (.real(let value), "integer"): .integer(Int64(value))
        case (.text(let value), "bytea"): .blob(Data(value.utf8))
        case (.blob(let value), "text"): .text(String(decoding: value, as: UTF8.self))
        default: cell
        }
    }

    /// The PostgreSQL type of each column of `table`.
    public func columnTypes(of table: String) async throws -> [String: String] {
        try await read { db in try await self.columnTypes(db, table: table) }
    }

    static func bind(_ cell: CatalogueCell, as type: String, into query: QueryBuilder) throws -> String {
        switch (normalized(cell, type: type), type) {
        case (.null, _): return "NULL"
        case (.integer(let value), "boolean"): return try query.bind(value != 0)
        case (.integer(let value), "integer"): return try query.bind(Int32(truncatingIfNeeded: value))
        case (.integer(let value), _): return try query.bind(value)
        case (.real(let value), _): return try query.bind(value)
        case (.text(let value), _): return try query.bind(value)
        case (.blob(let value), _): return try query.bind(value)
        }
    }

    static func cell(_ row: PostgresRandomAccessRow, _ column: String, type: String) throws -> CatalogueCell {
        switch type {
        case "boolean": return try row.value(column, as: Bool?.self).map { .integer($0 ? 1 : 0) } ?? .null
        case "bigint": return try row.value(column, as: Int64?.self).map { .integer($0) } ?? .null
        case "integer": return try row.value(column, as: Int32?.self).map { .integer(Int64($0)) } ?? .null
        case "double precision": return try row.value(column, as: Double?.self).map { .real($0) } ?? .null
        case "bytea": return try row.value(column, as: Data?.self).map { .blob($0) } ?? .null
        default: return try row.value(column, as: String?.self).map { .text($0) } ?? .null
        }
    }
}
