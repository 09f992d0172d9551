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
    /// Returns the bucket when `user` may act on it at `level`; throws NoSuchBucket or AccessDenied.
    /// A missing bucket is reported as such to any authenticated user, as S3 does.
    public func authorize(_ user: User, bucket name: String, level: AccessLevel) async throws -> BucketRecord {
        guard let bucket = try await catalogue({ try await $0.bucket(named: name) }) else {
            throw EngineError(.noSuchBucket, "The specified bucket does not exist")
        }
        if user.role == .admin || bucket.owner == user.name { return bucket }
        let permission = level == .owner ? nil : try await catalogue { try await $0.grant(bucket: name, userName: user.name) }
        if let permission {
            if level == .read || permission.allowsWrite { return bucket }
        }
        throw EngineError(.accessDenied, "Access Denied")
    }

    /// The buckets `user` may see: all of them for an admin, else those it owns or was granted.
    public func visibleBuckets(for user: User) async throws -> [BucketRecord] {
        let all = try await catalogue { try await $0.buckets() }
        if user.role == .admin { return all }
        let granted = Set(try await catalogue { try await $0.grants(userName: user.name) }.map(\.bucket))
        return all.filter { $0.owner == user.name || granted.contains($0.name) }
    }
}
