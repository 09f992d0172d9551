import Crypto
import Foundation
public import SouverainCatalogue
public import SouverainKeys

/// Named keys (docs/keys.md, "Named keys"): keys that applications name as their SSE-KMS key, in
/// place of the bucket's key. Each version is kept in the catalogue wrapped by the key store's
/// master key (so in the HSM's custody with PKCS#11), and held unwrapped in memory once used. A
/// blob under a named key has its data key wrapped by a version of it, in software (RFC 3394),
/// and its `BlobEncryption` names the key (`keyID`) and the version (`bucketKeyVersion`).
public actor NamedKeys {
    public nonisolated let store: any KeyStore
    private let catalogue: any Catalogue
    /// Unwrapped versions by key id.
    private var unwrapped: [String: [Int: SymmetricKey]] = [:]
    /// The version that wraps new data keys, by key id.
    private var current: [String: Int] = [:]
    /// Whether what is held may be used (BucketKeys.swift): nil, always.
    private nonisolated let validity: CacheValidity?
    /// Counts what was forgotten, so that a load overtaken by a change stores nothing.
    private var forgotten = 0

    public init(store: any KeyStore, catalogue: any Catalogue, validity: CacheValidity? = nil) {
        self.store = store
        self.catalogue = catalogue
        self.validity = validity
    }

    /// Makes a key: a UUID, the alias, its version 1 wrapped by the current master key.
    func create(alias: String, description: String, creator: String, now: Date) async throws -> NamedKeyRecord {
        let record = NamedKeyRecord(
            id: UUID().uuidString.lowercased(), alias: alias, description: description, creator: creator, created: now)
        let version = NamedKeyVersionRecord(
            keyID: record.id, version: 1, wrappedKey: try await store.wrap(SymmetricKey(size: .bits256)).encodedString(), created: now)
        guard try await catalogue.createNamedKey(record, firstVersion: version) else {
            throw EngineError(.invalidArgument, "The alias alias/\(alias) is already taken by another key.")
        }
        return record
    }

    /// A fresh data key for a new blob under the named key, with what the catalogue keeps of it.
    func newBlobKey(keyID: String, chunkSize: Int) async throws -> (dataKey: SymmetricKey, encryption: BlobEncryption) {
        let (version, key) = try await currentKey(keyID)
        var blob = try BlobEncryption.newBlob(wrappedBy: key, bucketKeyVersion: version, chunkSize: chunkSize)
        blob.encryption.keyID = keyID
        return blob
    }

    /// The data key of a blob under a named key.
    func dataKey(_ encryption: BlobEncryption) async throws -> SymmetricKey {
        guard let keyID = encryption.keyID else { throw EngineError(.internalError, "the blob is not under a named key") }
        return try encryption.dataKey(unwrappingWith: try await key(keyID, version: encryption.bucketKeyVersion))
    }

    /// Throws what reading blobs under these versions would throw (the key shredded, the key store
    /// unreachable), before a response starts.
    func checkReadable(keyID: String, versions: Set<Int>) async throws {
        for version in versions.sorted() { _ = try await key(keyID, version: version) }
    }

    /// Adds a version, which wraps every new data key from now on. Returns it.
    func addVersion(keyID: String) async throws -> Int {
        _ = try await currentKey(keyID)
        let version = (try await load(keyID).current ?? 0) + 1
        let record = NamedKeyVersionRecord(
            keyID: keyID, version: version, wrappedKey: try await store.wrap(SymmetricKey(size: .bits256)).encodedString(), created: Date())
        guard try await catalogue.addNamedKeyVersion(record) else {
            throw EngineError(.unavailable, "the named key got a version \(version) from elsewhere meanwhile; rotate again")
        }
        try await load(keyID)
        return version
    }

    /// The blob's data key wrapped by the current version of its named key; nil if it already is.
    func rewrap(_ encryption: BlobEncryption) async throws -> BlobEncryption? {
        guard let keyID = encryption.keyID else { return nil }
        let (version, key) = try await currentKey(keyID)
        guard encryption.bucketKeyVersion != version else { return nil }
        let dataKey = try await dataKey(encryption)
        var rewrapped = encryption
        rewrapped.bucketKeyVersion = version
        rewrapped.wrappedDataKey = try AES.KeyWrap.wrap(dataKey, using: key).base64EncodedString()
        return rewrapped
    }

    /// Deletes a version: refused for the current one and while a blob still depends on it.
    func retire(keyID: String, alias: String, version: Int) async throws {
        let loaded = try await load(keyID)
        guard loaded.keys[version] != nil else {
            throw EngineError(.invalidArgument, "the key alias/\(alias) has no version \(version)")
        }
        guard loaded.current != version else {
            throw EngineError(.invalidArgument, "version \(version) is the current version of alias/\(alias): rotate first")
        }
        guard try await catalogue.retireNamedKeyVersion(keyID: keyID, version: version) else {
            throw EngineError(.invalidArgument, "blobs still have data keys wrapped by version \(version) of alias/\(alias) (objects or uploaded parts not rewrapped since): rotate again, or complete or abort the uploads")
        }
        try await load(keyID)
    }

    /// Re-wraps every named key version that the current master key does not wrap yet.
    func rewrapUnderCurrentMaster() async throws -> Int {
        let master = try await store.currentMasterKey()
        var count = 0
        for record in try await catalogue.allNamedKeyVersions() {
            guard let rewrapped = try await store.rewrapped(record.wrappedKey, under: master) else { continue }
            try await catalogue.rewrapNamedKeyVersion(keyID: record.keyID, version: record.version, wrappedKey: rewrapped)
            count += 1
        }
        return count
    }

    /// How many named key versions each master key version wraps.
    func versionsByMaster() async throws -> [UInt32: Int] {
        try WrappedKey.countByMaster(try await catalogue.allNamedKeyVersions().map(\.wrappedKey))
    }

    /// Forgets what is cached of the key (after it is shredded).
    func forget(keyID: String) {
        unwrapped[keyID] = nil
        current[keyID] = nil
        forgotten += 1
        // The blobs' keys derived from them go too (the cache does not say whose they are).
        BlobKeyCache.shared.removeAll()
    }

    /// Forgets every key.
    func forgetEverything() {
        unwrapped = [:]
        current = [:]
        forgotten += 1
        // The blobs' keys derived from them go too (the cache does not say whose they are).
        BlobKeyCache.shared.removeAll()
    }

    private var holding: Bool { validity?.isValid ?? true }

    private func currentKey(_ keyID: String) async throws -> (Int, SymmetricKey) {
        if holding, let version = current[keyID], let key = unwrapped[keyID]?[version] { return (version, key) }
        let loaded = try await load(keyID)
        if let version = loaded.current, let key = loaded.keys[version] { return (version, key) }
        let record = try await catalogue.namedKey(id: keyID)
        if let record, let shredded = record.shreddedAt {
            throw EngineError(.namedKeyShredded, "The key alias/\(record.alias) was destroyed on \(shredded.formatted(.iso8601)): nothing can be encrypted under it any more.")
        }
        throw EngineError(.namedKeyNotFound, "Invalid keyId \(keyID)")
    }

    private func key(_ keyID: String, version: Int) async throws -> SymmetricKey {
        if holding, let key = unwrapped[keyID]?[version] { return key }
        guard let key = try await load(keyID).keys[version] else {
            if let record = try await catalogue.namedKey(id: keyID), let shredded = record.shreddedAt {
                throw EngineError(.objectShredded, "The key alias/\(record.alias) was destroyed on \(shredded.formatted(.iso8601)) (crypto-shredding): this object can never be read again.")
            }
            throw KeysError(.unknownKey, "the named key \(keyID) has no version \(version): it was destroyed, or the catalogue is not the one its objects were written with")
        }
        return key
    }

    /// Reads and unwraps every version of the key; holds them unless something was forgotten
    /// meanwhile or holding is not valid.
    @discardableResult
    private func load(_ keyID: String) async throws -> (keys: [Int: SymmetricKey], current: Int?) {
        let before = forgotten
        let records = try await catalogue.namedKeyVersions(keyID: keyID)
        var keys: [Int: SymmetricKey] = [:]
        for record in records {
            keys[record.version] = try await store.unwrap(WrappedKey(encodedString: record.wrappedKey))
        }
        let latest = records.map(\.version).max()
        if forgotten == before, holding {
            unwrapped[keyID] = keys
            current[keyID] = latest
        }
        return (keys, latest)
    }
}
