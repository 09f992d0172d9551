public import Foundation
import PostgresNIO
public import SouverainCatalogue

/// What gateways sharing this catalogue coordinate through (docs/scale-out.md): the feed of
/// changes to what they cache, and the leases of periodic work.
extension PostgresCatalogue {
    /// How long a change stays in the feed: far longer than any gateway goes without reading it
    /// (one that has not read it within its bound drops everything it caches anyway).
    static let changeRetention: Int64 = 86_400_000

    /// Appends a change to the feed, in the transaction `db` that makes it. Taking the table in a
    /// mode that excludes other writers of the feed (readers are not held) until the commit hands
    /// out sequence numbers in commit order: a bigserial alone does not, and a reader that saw
    /// number N could otherwise miss an N-1 committed after it. Called last in its transaction,
    /// so that no lock is taken after this one and the wait is a commit's.
    static func recordChange(_ db: Statements, _ kind: CatalogueChange.Kind, _ name: String) async throws {
        let now = millis(Date())
        try await db.execute("LOCK TABLE catalogue_changes IN SHARE ROW EXCLUSIVE MODE")
        try await db.execute("DELETE FROM catalogue_changes WHERE recorded < \(now - changeRetention)")
        try await db.execute("INSERT INTO catalogue_changes (kind, name, recorded) VALUES (\(kind.rawValue), \(name), \(now))")
    }

    public func latestChangeSequence() async throws -> Int64 {
        try await read { db in
            try await db.row("SELECT COALESCE(MAX(seq), 0) AS latest FROM catalogue_changes")?.value("latest", as: Int64.self) ?? 0
        }
    }

    public func changes(after sequence: Int64, limit: Int) async throws -> [CatalogueChange] {
        try await read { db in
            try await db.rows("SELECT seq, kind, name FROM catalogue_changes WHERE seq > \(sequence) ORDER BY seq LIMIT \(limit)").map {
                CatalogueChange(
                    sequence: try $0.value("seq", as: Int64.self), kind: .init(rawValue: try $0.value("kind", as: String.self)),
                    name: try $0.value("name", as: String.self))
            }
        }
    }

    public func takeLease(_ name: String, holder: String, now: Date, expires: Date) async throws -> Bool {
        try await write { db in
            // One statement: a concurrent taker of the same lease waits for this row, then finds
            // it held and not expired, and its update's condition fails.
            try await db.count("""
                INSERT INTO leases (name, holder, expires) VALUES (\(name), \(holder), \(Self.millis(expires)))
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
                WHERE leases.holder = excluded.holder OR leases.expires <= \(Self.millis(now))
                RETURNING 1
                """) == 1
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await write { db in
            try await db.execute("DELETE FROM leases WHERE name = \(name) AND holder = \(holder)")
        }
    }

    public func leases() async throws -> [Lease] {
        try await read { db in
            try await db.rows("SELECT name, holder, expires FROM leases ORDER BY name").map {
                Lease(name: try $0.value("name", as: String.self), holder: try $0.value("holder", as: String.self),
                      expires: Self.date(try $0.value("expires", as: Int64.self)))
            }
        }
    }
}
