public import Foundation
public import SouverainCatalogue
public import SouverainModel

/// Named keys and bucket default encryption (docs/keys.md, "Named keys"): making keys, naming
/// them, who may use them, their rotation, retirement and shredding.
extension ObjectStore {
    /// What a user does with a named key.
    public enum NamedKeyUse: String, Sendable {
        /// Write objects under it.
        case encrypt
        /// Read objects under it.
        case decrypt
    }

    /// A named key with its versions and grants, for `souverain keys list`.
    public struct NamedKeyReport: Sendable {
        public var key: NamedKeyRecord
        public var versions: [NamedKeyVersionRecord]
        public var grants: [NamedKeyGrant]
    }

    public func createNamedKey(alias: String, description: String, creator: String, now: Date = Date()) async throws -> NamedKeyRecord {
        guard NamedKeyReference.isValidAlias(alias) else {
            throw EngineError(.invalidArgument, "An alias is 1 to 250 letters, digits, '/', '_' or '-', and does not start with aws/.")
        }
        return try await requireNamedKeys().create(alias: alias, description: description, creator: creator, now: now)
    }

    public func namedKeyReport() async throws -> [NamedKeyReport] {
        var report: [NamedKeyReport] = []
        for key in try await catalogue({ try await $0.namedKeys() }) {
            report.append(NamedKeyReport(
                key: key, versions: try await catalogue { try await $0.namedKeyVersions(keyID: key.id) },
                grants: try await catalogue { try await $0.namedKeyGrants(keyID: key.id) }))
        }
        return report
    }

    /// The key an SSE-KMS key id, alias or ARN names (`NamedKeyReference`); `namedKeyNotFound`
    /// (answered as AWS answers it, `KMS.NotFoundException`) when none.
    public func resolveNamedKey(_ text: String) async throws -> NamedKeyRecord {
        let found: NamedKeyRecord?
        switch NamedKeyReference(text) {
        case .id(let id)?: found = try await catalogue { try await $0.namedKey(id: id.lowercased()) }
        case .alias(let alias)?: found = try await catalogue { try await $0.namedKey(alias: alias) }
        case nil: found = nil
        }
        guard let found else { throw EngineError(.namedKeyNotFound, "Invalid keyId '\(text)'") }
        return found
    }

    /// The key an operator names on the command line: `NAME`, `alias/NAME`, its id or ARN.
    public func namedKeyForAdministration(_ text: String) async throws -> NamedKeyRecord {
        if NamedKeyReference.isValidAlias(text), let key = try await catalogue({ try await $0.namedKey(alias: text) }) {
            return key
        }
        do {
            return try await resolveNamedKey(text)
        } catch let error as EngineError where error.code == .namedKeyNotFound {
            throw EngineError(.invalidArgument, "There is no named key \(text): see `souverain keys list`.")
        }
    }

    /// Refuses (`accessDenied`, naming the key) a use of a named key the user is not granted.
    /// Admins may use every key; any other user needs a grant for the use (`souverain keys grant`),
    /// the owner of a bucket whose default is the key included.
    public func authorizeNamedKey(_ key: NamedKeyRecord, user: User, use: NamedKeyUse) async throws {
        if user.role == .admin { return }
        let grant = try await catalogue { try await $0.namedKeyGrant(keyID: key.id, userID: user.id) }
        let allowed = switch use {
        case .encrypt: grant?.encrypt == true
        case .decrypt: grant?.decrypt == true
        }
        guard allowed else {
            throw EngineError(.accessDenied, "User \(user.name) is not allowed to \(use.rawValue) with the key alias/\(key.alias) (\(key.id)): ask its administrator for a grant.")
        }
    }

    /// Refuses a read of an object under a named key by a user without the decrypt grant, and by
    /// an anonymous caller (nil) always.
    public func authorizeRead(_ record: ObjectRecord, user: User?) async throws {
        let keyIDs = Set(record.segments.compactMap { $0.encryption?.keyID })
        for keyID in keyIDs.sorted() {
            guard let key = try await catalogue({ try await $0.namedKey(id: keyID) }) else { continue }
            guard let user else {
                throw EngineError(.accessDenied, "Access Denied: an object under the key alias/\(key.alias) is never served anonymously")
            }
            try await authorizeNamedKey(key, user: user, use: .decrypt)
        }
    }

    /// Grants (or, with both false, removes) uses of a named key to a user.
    public func setNamedKeyGrant(_ key: NamedKeyRecord, user: User, encrypt: Bool, decrypt: Bool) async throws {
        try await catalogue {
            try await $0.setNamedKeyGrant(NamedKeyGrant(keyID: key.id, userID: user.id, encrypt: encrypt, decrypt: decrypt))
        }
    }

    public func namedKeyGrant(_ key: NamedKeyRecord, user: User) async throws -> NamedKeyGrant? {
        try await catalogue { try await $0.namedKeyGrant(keyID: key.id, userID: user.id) }
    }

    /// A new version of the key wraps new data keys; every object's data keys under the key are
    /// re-wrapped under it (a catalogue update per object, skipped for one overwritten meanwhile).
    /// Uploaded parts of uploads in progress are not: they keep the version they were written with.
    public func rotateNamedKey(_ key: NamedKeyRecord) async throws -> (version: Int, rewrapped: Int) {
        let named = try requireNamedKeys()
        if key.shreddedAt != nil { throw EngineError(.namedKeyShredded, "The key alias/\(key.alias) was destroyed.") }
        let version = try await named.addVersion(keyID: key.id)
        var rewrapped = 0
        var after: (bucket: String, key: String)?
        while true {
            let page = try await catalogue { try await $0.objectsUnderNamedKey(key.id, after: after, limit: 500) }
            for object in page {
                var segments = object.segments
                var changed = false
                for index in segments.indices {
                    guard let encryption = segments[index].encryption, let new = try await named.rewrap(encryption) else { continue }
                    segments[index].encryption = new
                    changed = true
                }
                if changed, try await catalogue({ try await $0.rewrapObject(object, segments: segments) }) { rewrapped += 1 }
            }
            guard let last = page.last, page.count == 500 else { break }
            after = (last.bucket, last.key)
        }
        return (version, rewrapped)
    }

    public func retireNamedKeyVersion(_ key: NamedKeyRecord, version: Int) async throws {
        try await requireNamedKeys().retire(keyID: key.id, alias: key.alias, version: version)
    }

    /// Crypto-shredding of a named key: its versions are destroyed (overwritten in the catalogue,
    /// and dropped from memory here), so every object under it, at every location and in every
    /// copy, can never be decrypted again. Returns how many versions were destroyed.
    public func shredNamedKey(_ key: NamedKeyRecord, now: Date = Date()) async throws -> Int {
        let destroyed = try await catalogue { try await $0.shredNamedKey(id: key.id, at: now) }
        await keys?.named.forget(keyID: key.id)
        return destroyed
    }

    // MARK: Bucket default encryption

    public func bucketEncryption(_ bucket: String) async throws -> BucketEncryptionRecord? {
        try await catalogue { try await $0.bucketEncryption(bucket: bucket) }
    }

    public func setBucketEncryption(_ encryption: BucketEncryptionRecord) async throws {
        try await catalogue { try await $0.setBucketEncryption(encryption) }
    }

    public func deleteBucketEncryption(_ bucket: String) async throws {
        try await catalogue { try await $0.deleteBucketEncryption(bucket: bucket) }
    }

    private func requireNamedKeys() throws -> NamedKeys {
        guard let keys else { throw EngineError(.unavailable, "this server runs without a key store") }
        return keys.named
    }
}
