import ArgumentParser
import Foundation
import SouverainCatalogue
import SouverainCataloguePostgres
import SouverainCatalogueSQLite

/// `souverain catalogue …`: moving the catalogue itself (docs/scale-out.md).
struct CatalogueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue", abstract: "Move the catalogue (docs/scale-out.md).", subcommands: [MigrateToPostgres.self])

    /// Copies the embedded SQLite catalogue of a data directory into an empty PostgreSQL catalogue,
    /// every table and row, in one transaction, then reads every table back and compares it row by
    /// row with the source. The data directory keeps everything else (keyring, audit trail, local
    /// blobs); afterwards set `catalogue = postgres` and serve from it.
    struct MigrateToPostgres: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate-to-postgres",
            abstract: "Copy a data directory's SQLite catalogue into an empty PostgreSQL catalogue, and verify the copy.")

        @Option(name: .customLong("data-dir"), help: "The data directory whose catalogue.sqlite is copied (its server stopped).")
        var dataDirectory: String

        @Option(help: "A file holding the PostgreSQL URL (default: $SOUVERAIN_POSTGRES_URL).")
        var postgresURLFile: String?

        func run() async throws {
            var settings = CatalogueSettings()
            settings.kind = .postgres
            if let postgresURLFile { settings.postgresURLFile = postgresURLFile }
            settings.postgresURL = postgresURLFile == nil ? ProcessInfo.processInfo.environment["SOUVERAIN_POSTGRES_URL"] ?? "" : ""
            let url = try settings.connectionURL()
            let directory = try DataDirectory(dataDirectory)
            guard FileManager.default.fileExists(atPath: directory.cataloguePath) else {
                throw ValidationError("\(directory.cataloguePath) does not exist: nothing to migrate")
            }
            if let endpoint = directory.runningEndpoint() {
                throw ValidationError("a server is running on \(directory.path) (\(endpoint)): stop it first, so that the copy is complete")
            }
            let source = try directory.openEmbeddedCatalogue()
            let tables = try await source.tables()
            let target = try await PostgresCatalogue(configuration: url.configuration(poolSize: 2))
            do {
                try await target.load(tables)
                for table in tables {
                    try await Self.verify(table, in: target)
                    print("  \(table.name): \(table.rows.count) row(s) copied and verified")
                }
            } catch {
                await target.close()
                throw error
            }
            await target.close()
            print("""
                Copied \(tables.reduce(0) { $0 + $1.rows.count }) row(s) of \(tables.count) table(s) from \(directory.cataloguePath) \
                into \(url.redacted), every row verified.
                To serve from it: set `catalogue = postgres` and `postgres-url-file` (or SOUVERAIN_POSTGRES_URL) for this data \
                directory; its keyring, audit trail and local blobs stay where they are. The SQLite file is left as it was.
                """)
        }

        /// Reads the table back from PostgreSQL and compares it, row by row, with the source.
        static func verify(_ table: CatalogueTable, in target: PostgresCatalogue) async throws {
            let types = try await target.columnTypes(of: table.name)
            let expected = table.rows.map { row in
                zip(table.columns, row).map { PostgresCatalogue.normalized($1, type: types[$0] ?? "text") }
            }
            let copied = try await target.table(table.name, columns: table.columns).rows
            guard copied.count == expected.count else {
                throw ValidationError("\(table.name): \(expected.count) row(s) in SQLite, \(copied.count) in PostgreSQL")
            }
            guard expected.map(rowKey).sorted() == copied.map(rowKey).sorted() else {
                throw ValidationError("\(table.name): the rows read back from PostgreSQL differ from SQLite's")
            }
        }

        static func rowKey(_ row: [CatalogueCell]) -> String {
            row.map { cell in
                switch cell {
                case .null: "n"
                case .integer(let value): "i\(value)"
                case .real(let value): "r\(value)"
                case .text(let value): "t" + Data(value.utf8).base64EncodedString()
                case .blob(let value): "b" + value.base64EncodedString()
                }
            }.joined(separator: ",")
        }
    }
}
