import Crypto
import Foundation
public import SouverainCatalogue
public import SouverainKeys

/// The middle of the key hierarchy (docs/keys.md): each bucket's key, made on the bucket's first
/// encrypted write, kept in the catalogue wrapped by the key store's master key, and held
/// unwrapped in memory once used. Each blob's data key is wrapped and unwrapped here, in software,
/// under a version of its bucket's key (RFC 3394); the master key never leaves its key store.
///
/// With a catalogue that other gateways share, what is held follows their changes within the bound
/// of `validity` (CatalogueFollower.swift): past it, nothing held is used or stored.
public actor BucketKeys {
    public nonisolated let store: any KeyStore
    /// The named keys, kept under the same key store.
    public nonisolated let named: NamedKeys
    private let catalogue: any Catalogue
    /// Unwrapped key versions by bucket.
    private var unwrapped: [String: [Int: SymmetricKey]] = [:]
    /// The version that wraps new data keys, by bucket.
    private var current: [String: Int] = [:]
    /// Whether what is held may be used (nil: always, a catalogue no other process changes).
    private nonisolated let validity: CacheValidity?
    /// Counts what was forgotten: a load that read the catalogue before a change was applied,
    /// and finishes after, must not store what it read.
    private var forgotten = 0
    /// Data keys unwrapped lately (AES-KW was 1.3% of a small GET's CPU), found by the blob's
    /// wrapped data key and bucket key version *and* the bucket key itself, compared whole: a memo
    /// of the unwrapping, used only while held keys may be (`holding`), emptied whenever bucket
    /// keys are forgotten.
    private var dataKeys = BoundedMemo<DataKeyID, UnwrappedDataKey>(capacity: 4096)

    private struct DataKeyID: Hashable, Sendable {
        let bucket: String
        let version: Int
        let wrapped: String
    }

    private struct UnwrappedDataKey: Sendable {
        let bucketKey: SymmetricKey
        let dataKey: SymmetricKey
    }

    public init(store: any KeyStore, catalogue: any Catalogue, validity: CacheValidity? = nil) {
        self.store = store
        self.catalogue = catalogue
        self.validity = validity
        self.named = NamedKeys(store: store, catalogue: catalogue, validity: validity)
    }

    /// A fresh data key for a new blob of `bucket`, with what the catalogue keeps of it.
    func newBlobKey(bucket: String, chunkSize: Int) async throws -> (dataKey: SymmetricKey, encryption: BlobEncryption) {
        let (version, bucketKey) = try await currentKey(bucket: bucket)
        return try BlobEncryption.newBlob(wrappedBy: bucketKey, bucketKeyVersion: version, chunkSize: chunkSize)
    }

    /// The data key of a stored blob of `bucket`.
    func dataKey(bucket: String, _ encryption: BlobEncryption) async throws -> SymmetricKey {
        if encryption.keyID != nil { return try await named.dataKey(encryption) }
        let before = forgotten
        let bucketKey = try await key(bucket: bucket, version: encryption.bucketKeyVersion)
        let id = DataKeyID(bucket: bucket, version: encryption.bucketKeyVersion, wrapped: encryption.wrappedDataKey)
        if holding, let held = dataKeys[id], held.bucketKey == bucketKey { return held.dataKey }
        let dataKey = try encryption.dataKey(unwrappingWith: bucketKey)
        // Not held if keys were forgotten while this one was read (as `load` does).
        if holding, forgotten == before { dataKeys.set(UnwrappedDataKey(bucketKey: bucketKey, dataKey: dataKey), for: id) }
        return dataKey
    }

    /// Throws what reading a blob under these key versions of `bucket` would throw (its keys
    /// destroyed, the key store unreachable), so that a GET can answer it before its response starts.
    func checkReadable(bucket: String, versions: Set<Int>) async throws {
        for version in versions.sorted() { _ = try await key(bucket: bucket, version: version) }
    }

    /// Adds a version of the bucket's key, which wraps every new data key from now on; earlier
    /// versions keep unwrapping the data keys they wrapped. Returns the new version.
    func addVersion(bucket: String) async throws -> Int {
        // The catalogue's own latest version, not what is held: another gateway may have rotated.
        _ = try await currentKey(bucket: bucket)
        let version = (try await load(bucket: bucket).current ?? 0) + 1
        let record = BucketKeyRecord(
            bucket: bucket, version: version, wrappedKey: try await store.wrap(SymmetricKey(size: .bits256)).encodedString(),
            state: .active, created: Date())
        guard try await catalogue.addBucketKey(record) else {
            throw EngineError(.unavailable, "bucket \(bucket) got a key version \(version) from elsewhere meanwhile; rotate again")
        }
        try await load(bucket: bucket)
        return version
    }

    /// The blob's data key wrapped by the bucket's current key version; nil if it already is.
    func rewrap(bucket: String, _ encryption: BlobEncryption) async throws -> BlobEncryption? {
        // SSE-C blobs are wrapped by their client's key, which Souverain does not hold.
        guard encryption.customerKeyMD5 == nil else { return nil }
        // A named key's blobs follow their key's rotation, not the bucket's.
        guard encryption.keyID == nil else { return nil }
        let (version, bucketKey) = try await currentKey(bucket: bucket)
        guard encryption.bucketKeyVersion != version else { return nil }
        let dataKey = try await dataKey(bucket: bucket, encryption)
        var rewrapped = encryption
        rewrapped.bucketKeyVersion = version
        rewrapped.wrappedDataKey = try AES.KeyWrap.wrap(dataKey, using: bucketKey).base64EncodedString()
        return rewrapped
    }

    /// Deletes a version of the bucket's key, refused for the current one and while a blob
    /// still depends on it (rotate first: rotation re-wraps every object's data key).
    func retire(bucket: String, version: Int) async throws {
        let loaded = try await load(bucket: bucket)
        guard loaded.keys[version] != nil else {
            throw EngineError(.invalidArgument, "bucket \(bucket) has no key version \(version)")
        }
        guard loaded.current != version else {
            throw EngineError(.invalidArgument, "version \(version) is the current key of bucket \(bucket): rotate first")
        }
        guard try await catalogue.retireBucketKey(bucket: bucket, version: version) else {
            throw EngineError(.invalidArgument, "blobs of bucket \(bucket) still have data keys wrapped by version \(version) (objects written or uploaded parts not rewrapped since): rotate again, or complete or abort the uploads")
        }
        try await load(bucket: bucket)
    }

    /// Re-wraps every bucket key that the key store's current master key does not wrap yet.
    /// Returns how many were re-wrapped.
    func rewrapUnderCurrentMaster() async throws -> Int {
        let master = try await store.currentMasterKey()
        var count = 0
        for record in try await catalogue.allBucketKeys() {
            guard let rewrapped = try await store.rewrapped(record.wrappedKey, under: master) else { continue }
            try await catalogue.rewrapBucketKey(bucket: record.bucket, version: record.version, wrappedKey: rewrapped)
            count += 1
        }
        return count
    }

    /// How many bucket key versions each master key version wraps.
    func bucketKeysByMaster() async throws -> [UInt32: Int] {
        try WrappedKey.countByMaster(try await catalogue.allBucketKeys().map(\.wrappedKey))
    }

    /// Forgets what is cached of `bucket` (after the bucket is deleted, its keys go with it).
    public func forget(bucket: String) {
        unwrapped[bucket] = nil
        current[bucket] = nil
        forgotten += 1
        dataKeys.removeAll()
        // The blobs' keys derived from them go too (the cache does not say whose they are).
        BlobKeyCache.shared.removeAll()
    }

    /// Forgets every bucket's keys, and every named key's.
    func forgetEverything() async {
        unwrapped = [:]
        current = [:]
        forgotten += 1
        dataKeys.removeAll()
        // The blobs' keys derived from them go too (the cache does not say whose they are).
        BlobKeyCache.shared.removeAll()
        await named.forgetEverything()
    }

    /// Whether held keys may be used now.
    private var holding: Bool { validity?.isValid ?? true }

    private func currentKey(bucket: String) async throws -> (Int, SymmetricKey) {
        if holding, let version = current[bucket], let key = unwrapped[bucket]?[version] { return (version, key) }
        let loaded = try await load(bucket: bucket)
        if let version = loaded.current, let key = loaded.keys[version] { return (version, key) }
        if let shredded = try await shreddedAt(bucket) {
            throw EngineError(.bucketShredded, "The keys of bucket \(bucket) were destroyed on \(shredded.formatted(.iso8601)): it takes no new object. Delete it and create a new one.")
        }
        // The bucket's first key. Another gateway (or task) may add version 1 at the same time:
        // the catalogue keeps the first, and everyone reloads it.
        let key = SymmetricKey(size: .bits256)
        let record = BucketKeyRecord(
            bucket: bucket, version: 1, wrappedKey: try await store.wrap(key).encodedString(), state: .active, created: Date())
        _ = try await catalogue.addBucketKey(record)
        let reloaded = try await load(bucket: bucket)
        guard let version = reloaded.current, let key = reloaded.keys[version] else {
            throw KeysError(.unknownKey, "bucket \(bucket) has no active key")
        }
        return (version, key)
    }

    private func key(bucket: String, version: Int) async throws -> SymmetricKey {
        if holding, let key = unwrapped[bucket]?[version] { return key }
        guard let key = try await load(bucket: bucket).keys[version] else {
            if let shredded = try await shreddedAt(bucket) {
                throw EngineError(.objectShredded, "The keys of bucket \(bucket) were destroyed on \(shredded.formatted(.iso8601)) (crypto-shredding): this object can never be read again.")
            }
            throw KeysError(.unknownKey, "bucket \(bucket) has no key version \(version): it was destroyed, or the catalogue is not the one its objects were written with")
        }
        return key
    }

    private func shreddedAt(_ bucket: String) async throws -> Date? {
        try await catalogue.bucket(named: bucket)?.shreddedAt
    }

    /// Reads and unwraps every key version of `bucket`, and holds them if nothing was forgotten
    /// meanwhile and holding is valid (a key read before its shredding was applied is used by
    /// the call that read it, never held).
    @discardableResult
    private func load(bucket: String) async throws -> (keys: [Int: SymmetricKey], current: Int?) {
        let before = forgotten
        let records = try await catalogue.bucketKeys(bucket: bucket)
        var keys: [Int: SymmetricKey] = [:]
        for record in records {
            keys[record.version] = try await store.unwrap(WrappedKey(encodedString: record.wrappedKey))
        }
        let latest = records.map(\.version).max()
        if forgotten == before, holding {
            unwrapped[bucket] = keys
            current[bucket] = latest
        }
        return (keys, latest)
    }
}

extension BlobEncryption {
    /// A fresh data key for a new blob, and what the catalogue keeps of it: the data key wrapped
    /// (RFC 3394) by `wrappingKey`, a bucket key version or, for SSE-C, the client's key.
    static func newBlob(
        wrappedBy wrappingKey: SymmetricKey, bucketKeyVersion: Int, chunkSize: Int, customerKeyMD5: String? = nil
    ) throws -> (dataKey: SymmetricKey, encryption: BlobEncryption) {
        let dataKey = SymmetricKey(size: .bits256)
        let encryption = BlobEncryption(
            bucketKeyVersion: bucketKeyVersion, wrappedDataKey: try AES.KeyWrap.wrap(dataKey, using: wrappingKey).base64EncodedString(),
            identity: BlobIdentity.random().description, chunkSize: chunkSize, storedSize: 0, customerKeyMD5: customerKeyMD5)
        return (dataKey, encryption)
    }

    /// The blob's data key, unwrapped with the key that wrapped it.
    func dataKey(unwrappingWith wrappingKey: SymmetricKey) throws -> SymmetricKey {
        guard let wrapped = Data(base64Encoded: wrappedDataKey) else {
            throw KeysError(.integrity, "the wrapped data key of blob \(identity) is not base64")
        }
        do {
            return try AES.KeyWrap.unwrap(wrapped, using: wrappingKey)
        } catch {
            throw KeysError(.integrity, "the data key of blob \(identity) does not unwrap under the key that should wrap it")
        }
    }
}
