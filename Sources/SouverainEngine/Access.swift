public import SouverainCatalogue
public import SouverainModel

/// What an S3 operation needs on its bucket.
public enum AccessLevel: Sendable {
    case read
    case write
    /// The bucket's owner or an admin: delete the bucket, read its ACL.
    case owner
}

extension ObjectStore {
    /// Throws AccessDenied unless the user's role may use S3 at all: an auditor reads the audit
    /// trail and nothing else, as an AWS identity without any S3 permission (no listing, no bucket,
    /// no object, whatever grants name it). Every S3 request passes here before its handler.
    public func authorizeS3(_ user: User) throws {
        guard user.role.usesBuckets else {
            throw EngineError(.accessDenied, "Access Denied: the \(user.role.rawValue) role reads the audit trail and nothing else")
        }
    }

    /// Returns the bucket when `user` may act on it at `level`; throws NoSuchBucket or AccessDenied.
    /// A missing bucket is reported as such to any authenticated user, as S3 does. Owners and
    /// grantees are matched by the user's id, never by its name.
    public func authorize(_ user: User, bucket name: String, level: AccessLevel) async throws -> BucketRecord {
        try authorizeS3(user)
        guard let bucket = try await catalogue({ try await $0.bucket(named: name) }) else {
            throw EngineError(.noSuchBucket, "The specified bucket does not exist")
        }
        if user.role == .admin || bucket.owner == user.id { return bucket }
        let permission = level == .owner ? nil : try await catalogue { try await $0.grant(bucket: name, userID: user.id) }
        if let permission {
            if level == .read || permission.allowsWrite { return bucket }
        }
        throw EngineError(.accessDenied, "Access Denied")
    }

    /// The buckets `user` may see: all of them for an admin, else those it owns or was granted;
    /// none for a role that does not use buckets.
    public func visibleBuckets(for user: User) async throws -> [BucketRecord] {
        guard user.role.usesBuckets else { return [] }
        let all = try await catalogue { try await $0.buckets() }
        if user.role == .admin { return all }
        let granted = Set(try await catalogue { try await $0.grants(userID: user.id) }.map(\.bucket))
        return all.filter { $0.owner == user.id || granted.contains($0.name) }
    }
}
