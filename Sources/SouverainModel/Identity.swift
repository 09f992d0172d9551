/// What a user may do: an admin may do everything; a user owns the buckets it creates and
/// reaches other buckets only through grants; an auditor reads the audit trail and nothing else.
public enum Role: String, Sendable, Codable, CaseIterable {
    case admin
    case user
    case auditor

    /// Whether the role may read the audit trail.
    public var readsAuditTrail: Bool { self == .admin || self == .auditor }
}

/// A person or program holding an access key.
public struct User: Sendable, Equatable {
    public var name: String
    public var accessKeyID: String
    public var secretAccessKey: String
    public var role: Role

    public init(name: String, accessKeyID: String, secretAccessKey: String, role: Role) {
        self.name = name
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.role = role
    }
}

extension User: CustomStringConvertible, CustomDebugStringConvertible {
    // The secret never reaches a log through string interpolation.
    public var description: String { "User(\(name), \(accessKeyID), \(role.rawValue))" }
    public var debugDescription: String { description }
}

/// Access granted on a bucket to a user who does not own it.
public enum BucketPermission: String, Sendable, Codable, CaseIterable {
    case read
    case readWrite = "read-write"

    public var allowsWrite: Bool { self == .readWrite }
}

public struct Grant: Sendable, Equatable {
    public var bucket: String
    public var userName: String
    public var permission: BucketPermission

    public init(bucket: String, userName: String, permission: BucketPermission) {
        self.bucket = bucket
        self.userName = userName
        self.permission = permission
    }
}
