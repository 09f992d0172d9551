public import Foundation
internal import GRDB
public import SouverainCatalogue

/// The feed of changes to what a gateway caches, and the leases of periodic work
/// (docs/scale-out.md). One process holds an embedded catalogue, so both are simple here: one
/// writer at a time numbers the changes in commit order, and the only holder takes every lease;
/// they exist so that the contract holds on both catalogues, and the tables are the PostgreSQL
/// ones. They are not catalogue content: `migrate-to-postgres` does not copy them.
extension SQLiteCatalogue {
    /// The tables of coordination between gateways, left out of a copy to PostgreSQL.
    static let coordinationTables: Set<String> = ["catalogue_changes", "leases"]

    static let changeRetention: Int64 = 86_400_000

    /// Appends a change to the feed, in the transaction `db` that makes it.
    static func recordChange(_ db: Database, _ kind: CatalogueChange.Kind, _ name: String) throws {
        let now = millis(Date())
        try db.cachedStatement(sql: "DELETE FROM catalogue_changes WHERE recorded < ?").execute(arguments: [now - changeRetention])
        try db.cachedStatement(sql: "INSERT INTO catalogue_changes (kind, name, recorded) VALUES (?, ?, ?)")
            .execute(arguments: [kind.rawValue, name, now])
    }

    public func latestChangeSequence() async throws -> Int64 {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM catalogue_changes") ?? 0
        }
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [CatalogueChange] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT seq, kind, name FROM catalogue_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [sequence, limit]).map {
                CatalogueChange(sequence: $0["seq"], kind: .init(rawValue: $0["kind"]), name: $0["name"])
            }
        }
    }

    public func takeLease(_ name: String, holder: String, now: Date, expires: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO leases (name, holder, expires) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
                WHERE leases.holder = excluded.holder OR leases.expires <= ?
                """, arguments: [name, holder, Self.millis(expires), Self.millis(now)])
            return db.changesCount == 1
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM leases WHERE name = ? AND holder = ?", arguments: [name, holder])
        }
    }

    public func leases() async throws -> [Lease] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT name, holder, expires FROM leases ORDER BY name").map {
                Lease(name: $0["name"], holder: $0["holder"], expires: Self.date($0["expires"]))
            }
        }
    }
}
