import Foundation
internal import GRDB
public import SouverainCatalogue

/// Roles (docs/sts.md), one row each in `roles` (migration "sts-roles").
extension SQLiteCatalogue {
    public func addRole(_ role: RoleRecord) async throws {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM roles WHERE name = ?", arguments: [role.name]) != true else {
                throw CatalogueError(.roleExists, "a role named \(role.name) exists")
            }
            try db.execute(
                sql: "INSERT INTO roles (name, trust_policy, permission_policy, max_session_seconds, created) VALUES (?, ?, ?, ?, ?)",
                arguments: [role.name, role.trustPolicy, role.permissionPolicy, role.maxSessionSeconds, Self.millis(role.createdAt)])
        }
    }

    public func role(named name: String) async throws -> RoleRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM roles WHERE name = ?", arguments: [name]).map(Self.roleRecord)
        }
    }

    public func roles() async throws -> [RoleRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM roles ORDER BY name").map(Self.roleRecord)
        }
    }

    public func removeRole(named name: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM roles WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    static func roleRecord(_ row: some ResultColumns) -> RoleRecord {
        RoleRecord(
            name: row["name"], trustPolicy: row["trust_policy"], permissionPolicy: row["permission_policy"],
            maxSessionSeconds: row["max_session_seconds"],
            createdAt: Date(timeIntervalSince1970: Double(row["created"] as Int64) / 1000))
    }
}
