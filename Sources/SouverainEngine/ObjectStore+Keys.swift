import SouverainCatalogue
public import SouverainKeys

/// Key rotation and retirement (docs/keys.md). Rotation re-wraps keys, never re-encrypts data:
/// a bucket rotation adds a version of the bucket's key and re-wraps every object's data keys
/// under it (a catalogue update per object, skipped for an object overwritten meanwhile, whose new
/// blobs already use the new version); a master rotation makes a new master key version in the key
/// store and re-wraps every bucket key under it. An earlier version keeps unwrapping until it is
/// retired, which is refused while anything still depends on it.
extension ObjectStore {
    public struct BucketKeyRotation: Sendable, Equatable {
        public var bucket: String
        /// The new current version.
        public var version: Int
        /// Objects whose data keys were re-wrapped.
        public var rewrapped: Int
    }

    public func rotateBucketKey(_ bucket: String) async throws -> BucketKeyRotation {
        let keys = try requireKeys()
        guard let record = try await catalogue({ try await $0.bucket(named: bucket) }) else {
            throw EngineError(.noSuchBucket, "The specified bucket does not exist")
        }
        if record.shreddedAt != nil { throw EngineError(.bucketShredded, "The keys of bucket \(bucket) were destroyed.") }
        let version = try await keys.addVersion(bucket: bucket)
        var rewrapped = 0
        var position: ListPosition?
        while true {
            let page = try await catalogue { try await $0.listObjects(bucket: bucket, prefix: "", after: position, limit: 500) }
            for object in page {
                if try await rewrapObject(object, keys: keys) { rewrapped += 1 }
            }
            guard let last = page.last, page.count == 500 else {
                // Noncurrent versions too: otherwise the old key version could never be retired.
                for object in try await noncurrentVersions(of: bucket) where try await rewrapObject(object, keys: keys) {
                    rewrapped += 1
                }
                break
            }
            position = .key(last.key)
        }
        return BucketKeyRotation(bucket: bucket, version: version, rewrapped: rewrapped)
    }

    /// Re-wraps the data keys of one object; false if there was nothing to do or the object
    /// changed meanwhile (its new blobs are then wrapped by the current version already).
    private func rewrapObject(_ object: ObjectRecord, keys: BucketKeys) async throws -> Bool {
        var segments = object.segments
        var changed = false
        for index in segments.indices {
            guard let encryption = segments[index].encryption,
                  let rewrapped = try await keys.rewrap(bucket: object.bucket, encryption) else { continue }
            segments[index].encryption = rewrapped
            changed = true
        }
        guard changed else { return false }
        return try await catalogue { try await $0.rewrapObject(object, segments: segments) }
    }

    public func retireBucketKey(_ bucket: String, version: Int) async throws {
        try await requireKeys().retire(bucket: bucket, version: version)
    }

    /// Makes a new master key version current and re-wraps every bucket key under it. Returns the
    /// new version and how many bucket keys were re-wrapped.
    public func rotateMasterKey() async throws -> (MasterKeyReference, Int) {
        let keys = try requireKeys()
        let master = try await keys.store.rotateMaster()
        // Users' secrets are sealed by the same master key: re-seal them too, so the old version can retire.
        _ = try await credentials?.resealUnderCurrentMaster()
        let bucketKeys = try await keys.rewrapUnderCurrentMaster()
        // Named keys are wrapped by the master key too; their count is reported apart (`keys list`).
        _ = try await keys.named.rewrapUnderCurrentMaster()
        return (master, bucketKeys)
    }

    /// Retires a master key version, refused while a bucket key is still wrapped by it.
    public func retireMasterKey(version: UInt32) async throws {
        let keys = try requireKeys()
        guard let info = try await keys.store.masterKeys().first(where: { $0.reference.version == version }) else {
            throw EngineError(.invalidArgument, "the key store has no master key version \(version)")
        }
        if let count = try await keys.bucketKeysByMaster()[version], count > 0 {
            throw EngineError(.invalidArgument, "\(count) bucket key(s) are still wrapped by master version \(version): rotate the master key first")
        }
        if let count = try await keys.named.versionsByMaster()[version], count > 0 {
            throw EngineError(.invalidArgument, "\(count) named key version(s) are still wrapped by master version \(version): rotate the master key first")
        }
        if let count = try await credentials?.secretsByMaster()[version], count > 0 {
            throw EngineError(.invalidArgument, "\(count) user secret(s) are still sealed by master version \(version): rotate the master key first")
        }
        try await keys.store.retire(info.reference)
    }

    /// The master key versions, and how many bucket keys each wraps.
    public func masterKeyReport() async throws -> [(MasterKeyInfo, Int)] {
        let keys = try requireKeys()
        let counts = try await keys.bucketKeysByMaster()
        return try await keys.store.masterKeys().map { ($0, counts[$0.reference.version] ?? 0) }
    }

    private func requireKeys() throws -> BucketKeys {
        guard let keys else { throw EngineError(.unavailable, "this server runs without a key store") }
        return keys
    }
}
