internal import GRDB
#if canImport(GRDBSQLite)
internal import GRDBSQLite
#else
internal import SQLite3
#endif

/// The columns of one result row, read by name: what the record decoders read from. Both a GRDB
/// `Row` (listings, several rows per statement) and a `SteppedRow` (point look-ups) give them.
protocol ResultColumns {
    /// The value of column `name`; an optional type gives nil for NULL or a column the statement
    /// lacks. A value of another type, or NULL for a non-optional type, stops the process, as
    /// GRDB's `Row` subscript does: the catalogue's schema guarantees neither happens.
    func column<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ name: String) -> Value
}

extension ResultColumns {
    /// `row["name"]`, as on GRDB's `Row`.
    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ name: String) -> Value { column(name) }
}

extension Row: ResultColumns {
    func column<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ name: String) -> Value { self[name] }
}

/// The row a prepared statement is on, read in place. GRDB's `Row` indexes every column's
/// lowercased name each time a statement is fetched from (twenty names for an object's record),
/// which was 3% of a small HEAD's CPU for its three look-ups; here a name is found in the
/// statement's own list of names, which GRDB keeps with the statement.
struct SteppedRow: ResultColumns {
    let statement: Statement

    func column<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ name: String) -> Value {
        guard let index = statement.columnNames.firstIndex(of: name) else {
            guard let missing = Value.fromMissingColumn() else {
                fatalError("the catalogue's statement has no column \(name)")
            }
            return missing
        }
        guard let value = Value.fromStatement(statement.sqliteStatement, atUncheckedIndex: CInt(index)) else {
            fatalError("the catalogue's column \(name) does not hold a \(Value.self)")
        }
        return value
    }

    /// Binds `arguments`, steps once and decodes the row the statement is on, if any; the
    /// statement is reset before returning, whatever happens.
    static func first<T>(
        _ statement: Statement, _ arguments: StatementArguments, _ decode: (SteppedRow) throws -> T
    ) throws -> T? {
        try statement.setArguments(arguments)
        let sqliteStatement = statement.sqliteStatement
        defer { sqlite3_reset(sqliteStatement) }
        switch sqlite3_step(sqliteStatement) {
        case SQLITE_ROW:
            return try decode(SteppedRow(statement: statement))
        case SQLITE_DONE:
            return nil
        case let code:
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: statement.sql)
        }
    }
}
