import Foundation
import GRDB
import GRDBSQLite
import Testing
@testable import SouverainCatalogueSQLite

/// A point look-up reads the statement's row in place (SteppedRow.swift): it must read what
/// GRDB's `Row` reads, column by column, and leave the cached statement ready for the next call.
@Suite struct SteppedRowTests {
    static func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, bytes BLOB, size INTEGER)")
            try db.execute(sql: "INSERT INTO t VALUES (1, 'one', NULL, x'00ff', 4096), (2, 'two', 'a note', NULL, NULL)")
        }
        return queue
    }

    struct Read: Equatable {
        var name: String
        var note: String?
        var bytes: Data?
        var size: Int64?
        var missing: String?

        init(_ row: some ResultColumns) {
            name = row["name"]
            note = row["note"]
            bytes = row["bytes"]
            size = row["size"]
            missing = row["no_such_column"]
        }
    }

    @Test func itReadsWhatGRDBsRowReads() throws {
        try Self.database().read { (db: Database) throws -> Void in
            let sql = "SELECT * FROM t WHERE k = ?"
            for key in [1, 2] {
                let stepped = try SteppedRow.first(try db.cachedStatement(sql: sql), [key], Read.init)
                let fetched = try Row.fetchOne(db, sql: sql, arguments: [key]).map(Read.init)
                #expect(stepped != nil)
                #expect(stepped == fetched)
            }
            #expect(try SteppedRow.first(try db.cachedStatement(sql: sql), [1], Read.init)?.bytes == Data([0, 255]))
            #expect(try SteppedRow.first(try db.cachedStatement(sql: sql), [2], Read.init)?.note == "a note")
        }
    }

    @Test func noRowIsNilAndTheStatementIsResetForTheNextCall() throws {
        try Self.database().read { (db: Database) throws -> Void in
            let sql = "SELECT * FROM t WHERE k = ?"
            #expect(try SteppedRow.first(try db.cachedStatement(sql: sql), [3], Read.init) == nil)
            // A statement left on its row would hold its read snapshot, and the WAL with it.
            #expect(try SteppedRow.first(try db.cachedStatement(sql: sql), [1], Read.init) != nil)
            #expect(sqlite3_stmt_busy(try db.cachedStatement(sql: sql).sqliteStatement) == 0)
            // The same cached statement, stepped and left, then used by GRDB and again here.
            #expect(try SteppedRow.first(try db.cachedStatement(sql: sql), [1], Read.init)?.name == "one")
            #expect(try Row.fetchAll(try db.cachedStatement(sql: sql), arguments: [2]).count == 1)
            #expect(try SteppedRow.first(try db.cachedStatement(sql: sql), [2], Read.init)?.name == "two")
        }
    }

    @Test func aFailingStepIsThrownAndTheStatementStaysUsable() throws {
        try Self.database().read { (db: Database) throws -> Void in
            // abs() of the smallest integer overflows when the row is computed, not when prepared.
            let sql = "SELECT abs(?) AS name"
            #expect(throws: DatabaseError.self) {
                _ = try SteppedRow.first(try db.cachedStatement(sql: sql), [Int64.min], { $0["name"] as Int64 })
            }
            #expect(try SteppedRow.first(try db.cachedStatement(sql: sql), [-5], { $0["name"] as Int64 }) == 5)
        }
    }

    @Test func wrongArgumentsAreRefusedBeforeStepping() throws {
        try Self.database().read { (db: Database) throws -> Void in
            #expect(throws: (any Error).self) {
                _ = try SteppedRow.first(try db.cachedStatement(sql: "SELECT * FROM t WHERE k = ?"), [1, 2], Read.init)
            }
        }
    }
}
