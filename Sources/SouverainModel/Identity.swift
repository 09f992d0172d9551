/// What a user may do: an admin may do everything; a user owns the buckets it creates and
/// reaches other buckets only through grants; an auditor reads the audit trail and nothing else.
public enum Role: String, Sendable, Codable, CaseIterable {
    case admin
    case user
    case auditor

    /// Whether the role may read the audit trail.
    public var readsAuditTrail: Bool { self == .admin || self == .auditor }

    /// Whether the role may use S3 at all: list, own or be granted buckets, read or write objects.
    /// An auditor may not, as an AWS identity without any S3 permission.
    public var usesBuckets: Bool { self != .auditor }
}

/// A person or program holding an access key.
///
/// `id` is the user's identity: random, given at creation, never changed and never reused. Bucket
/// owners, grants and multipart uploads refer to it, so a user removed and later re-created under
/// the same name is a new identity that inherits nothing. `name` is a handle for people and the CLI.
public struct User: Sendable, Equatable {
    public var id: String
    public var name: String
    public var accessKeyID: String
    /// The secret access key as the catalogue stores it: sealed by the key store's master key
    /// (`SealedSecret`), never in clear. A catalogue written before secrets were sealed holds it in
    /// clear until start-up seals it.
    public var storedSecret: String
    public var role: Role

    public init(id: String, name: String, accessKeyID: String, storedSecret: String, role: Role) {
        self.id = id
        self.name = name
        self.accessKeyID = accessKeyID
        self.storedSecret = storedSecret
        self.role = role
    }

    /// A new user id: 24 lowercase hex characters (96 random bits), so no two users ever share one.
    public static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// What a bucket or upload owned by a user who no longer existed when ids were introduced
    /// records as its owner: a value no user id can take (ids are hex), shown to admins as is.
    public static func orphanedOwner(formerName name: String) -> String { "orphaned:" + name }
}

extension User: CustomStringConvertible, CustomDebugStringConvertible {
    // The secret never reaches a log through string interpolation.
    public var description: String { "User(\(name), \(id), \(accessKeyID), \(role.rawValue))" }
    public var debugDescription: String { description }
}

/// Access granted on a bucket to a user who does not own it.
public enum BucketPermission: String, Sendable, Codable, CaseIterable {
    case read
    case readWrite = "read-write"

    public var allowsWrite: Bool { self == .readWrite }
}

/// A user's access to a bucket it does not own; `userID` is the grantee's `User.id`.
public struct Grant: Sendable, Equatable {
    public var bucket: String
    public var userID: String
    public var permission: BucketPermission

    public init(bucket: String, userID: String, permission: BucketPermission) {
        self.bucket = bucket
        self.userID = userID
        self.permission = permission
    }
}
