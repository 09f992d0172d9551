public import Foundation

/// One table of a catalogue, row by row, as `souverain catalogue migrate-to-postgres` copies it
/// from one implementation to another: column names, and cells as the source stores them.
public struct CatalogueTable: Sendable, Equatable {
    public var name: String
    public var columns: [String]
    public var rows: [[CatalogueCell]]

    public init(name: String, columns: [String], rows: [[CatalogueCell]]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }
}

/// One value of a catalogue table.
public enum CatalogueCell: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}
