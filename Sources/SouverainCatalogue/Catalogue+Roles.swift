public import Foundation

/// A role that sessions are issued for (docs/sts.md): its trust policy says who may assume it,
/// its permission policy what its sessions may do, both kept as the JSON the server validated.
public struct RoleRecord: Sendable, Equatable {
    /// The role's name, as its ARN ends (`arn:aws:iam::souverain:role/NAME`).
    public var name: String
    public var trustPolicy: String
    public var permissionPolicy: String
    /// The longest session the role grants, in seconds (AWS's MaxSessionDuration).
    public var maxSessionSeconds: Int
    public var createdAt: Date

    public init(name: String, trustPolicy: String, permissionPolicy: String, maxSessionSeconds: Int, createdAt: Date) {
        self.name = name
        self.trustPolicy = trustPolicy
        self.permissionPolicy = permissionPolicy
        self.maxSessionSeconds = maxSessionSeconds
        self.createdAt = createdAt
    }
}

/// Roles, one row each (migration "sts-roles"). Sessions are not stored: their tokens carry them,
/// sealed (docs/sts.md).
public protocol RoleCatalogue: Sendable {
    /// Throws `.roleExists` when the name is taken.
    func addRole(_ role: RoleRecord) async throws
    func role(named name: String) async throws -> RoleRecord?
    /// Every role, by name.
    func roles() async throws -> [RoleRecord]
    /// False when there was none.
    func removeRole(named name: String) async throws -> Bool
}
