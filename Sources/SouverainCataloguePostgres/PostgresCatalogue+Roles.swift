import Foundation
import PostgresNIO
public import SouverainCatalogue

/// Roles (docs/sts.md), one row each in `roles` (migration "sts-roles"), as in SQLite.
extension PostgresCatalogue {
    public func addRole(_ role: RoleRecord) async throws {
        try await write { db in
            // The primary key refuses a concurrent namesake; the check gives the error its meaning.
            guard try await !db.exists("SELECT 1 FROM roles WHERE name = \(role.name) FOR UPDATE") else {
                throw CatalogueError(.roleExists, "a role named \(role.name) exists")
            }
            try await db.execute("""
                INSERT INTO roles (name, trust_policy, permission_policy, max_session_seconds, created)
                VALUES (\(role.name), \(role.trustPolicy), \(role.permissionPolicy), \(Int64(role.maxSessionSeconds)), \(Self.millis(role.createdAt)))
                """)
        }
    }

    public func role(named name: String) async throws -> RoleRecord? {
        try await read { db in
            try await db.rows("SELECT name, trust_policy, permission_policy, max_session_seconds, created FROM roles WHERE name = \(name)")
                .first.map(Self.roleRecord)
        }
    }

    public func roles() async throws -> [RoleRecord] {
        try await read { db in
            try await db.rows("SELECT name, trust_policy, permission_policy, max_session_seconds, created FROM roles ORDER BY name")
                .map(Self.roleRecord)
        }
    }

    public func removeRole(named name: String) async throws -> Bool {
        try await write { db in
            try await db.exists("DELETE FROM roles WHERE name = \(name) RETURNING 1")
        }
    }

    static func roleRecord(_ row: PostgresRandomAccessRow) throws -> RoleRecord {
        RoleRecord(
            name: try row.value("name", as: String.self), trustPolicy: try row.value("trust_policy", as: String.self),
            permissionPolicy: try row.value("permission_policy", as: String.self),
            maxSessionSeconds: Int(try row.value("max_session_seconds", as: Int64.self)),
            createdAt: Date(timeIntervalSince1970: Double(try row.value("created", as: Int64.self)) / 1000))
    }
}
