import Foundation
internal import GRDB
public import SouverainCatalogue

/// The catalogue's tables as they are stored, for `souverain catalogue migrate-to-postgres`: every
/// table but GRDB's own and those of coordination between gateways, read in one snapshot.
extension SQLiteCatalogue {
    public func tables() async throws -> [CatalogueTable] {
        try await read { db in
            let names = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name
                """)
            return try names.filter { !Self.coordinationTables.contains($0) }.map { name in
                let columns = try db.columns(in: name).map(\.name)
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \"\(name)\"").map { row in
                    columns.indices.map { index -> CatalogueCell in
                        switch (row[index] as DatabaseValue).storage {
                        case .null: .null
                        case .int64(let value): .integer(value)
                        case .double(let value): .real(value)
                        case .string(let value): .text(value)
                        case .blob(let value): .blob(value)
                        }
                    }
                }
                return CatalogueTable(name: name, columns: columns, rows: rows)
            }
        }
    }
}
