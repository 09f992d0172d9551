public import Foundation

/// A named encryption key (docs/keys.md, "Named keys"): a key that applications name as their
/// SSE-KMS key, by id (a UUID, as AWS key ids are), alias or ARN. Its versions are kept wrapped by
/// the key store's master key, like bucket keys.
public struct NamedKeyRecord: Sendable, Equatable {
    /// A UUID, lowercase.
    public var id: String
    /// The alias without its `alias/` prefix; unique.
    public var alias: String
    public var description: String
    /// The id of the admin who created it (`User.id`), or `operator` when created offline by
    /// `souverain keys create` with no server running. The creator decides the grants.
    public var creator: String
    public var created: Date
    /// When the key's versions were destroyed (crypto-shredding): nothing under it can be read again.
    public var shreddedAt: Date?

    public init(id: String, alias: String, description: String, creator: String, created: Date, shreddedAt: Date? = nil) {
        self.id = id
        self.alias = alias
        self.description = description
        self.creator = creator
        self.created = created
        self.shreddedAt = shreddedAt
    }
}

/// One version of a named key, wrapped by a master key version of the key store, never in clear.
/// The highest version wraps new data keys; every version unwraps those it wrapped.
public struct NamedKeyVersionRecord: Sendable, Equatable {
    public var keyID: String
    public var version: Int
    /// `WrappedKey.encodedString()` of the 32-byte key.
    public var wrappedKey: String
    public var created: Date

    public init(keyID: String, version: Int, wrappedKey: String, created: Date) {
        self.keyID = keyID
        self.version = version
        self.wrappedKey = wrappedKey
        self.created = created
    }
}

/// Which uses of a named key a user (not an admin: admins may use every key) is granted.
public struct NamedKeyGrant: Sendable, Equatable {
    public var keyID: String
    public var userID: String
    /// May write objects under the key (PutObject, CopyObject, multipart uploads).
    public var encrypt: Bool
    /// May read objects under the key (GetObject, and as a copy source).
    public var decrypt: Bool

    public init(keyID: String, userID: String, encrypt: Bool, decrypt: Bool) {
        self.keyID = keyID
        self.userID = userID
        self.encrypt = encrypt
        self.decrypt = decrypt
    }
}

/// A bucket's default encryption (PutBucketEncryption): what a write that asks for none gets.
public struct BucketEncryptionRecord: Sendable, Equatable {
    public enum Algorithm: String, Sendable {
        /// SSE-S3: under the bucket's key.
        case aes256 = "AES256"
        /// SSE-KMS: under a named key, or under the bucket's key when `keyID` is nil.
        case kms = "aws:kms"
    }

    public var bucket: String
    public var algorithm: Algorithm
    /// The named key's id, for `aws:kms` with a key.
    public var keyID: String?
    /// Accepted and answered back as AWS does; every data key is wrapped by a bucket or named key anyway.
    public var bucketKeyEnabled: Bool

    public init(bucket: String, algorithm: Algorithm, keyID: String?, bucketKeyEnabled: Bool) {
        self.bucket = bucket
        self.algorithm = algorithm
        self.keyID = keyID
        self.bucketKeyEnabled = bucketKeyEnabled
    }
}

/// The catalogue's part of named keys and bucket default encryption (docs/keys.md).
public protocol NamedKeyCatalogue: Sendable {
    /// Records a new key and its version 1; false (nothing written) when the alias is taken.
    func createNamedKey(_ key: NamedKeyRecord, firstVersion: NamedKeyVersionRecord) async throws -> Bool
    func namedKey(id: String) async throws -> NamedKeyRecord?
    func namedKey(alias: String) async throws -> NamedKeyRecord?
    /// Every named key, by alias.
    func namedKeys() async throws -> [NamedKeyRecord]
    /// The versions of a key, oldest first (none once shredded).
    func namedKeyVersions(keyID: String) async throws -> [NamedKeyVersionRecord]
    func allNamedKeyVersions() async throws -> [NamedKeyVersionRecord]
    /// Adds a version; false if that version exists already (another gateway rotated meanwhile).
    /// Throws `.keyRetired` when the key was shredded.
    func addNamedKeyVersion(_ version: NamedKeyVersionRecord) async throws -> Bool
    /// Replaces a version's wrapped form (after the master key was rotated).
    func rewrapNamedKeyVersion(keyID: String, version: Int, wrappedKey: String) async throws
    /// Deletes a version, refused (false) while a blob of any bucket, object or uploaded part, still
    /// has its data key wrapped by it.
    func retireNamedKeyVersion(keyID: String, version: Int) async throws -> Bool
    /// Crypto-shredding: destroys every version of the key (overwritten, not merely unlinked) and
    /// records when. Returns how many versions were destroyed.
    func shredNamedKey(id: String, at date: Date) async throws -> Int
    /// Objects with a blob whose data key a version of the named key wraps, in (bucket, key) order
    /// after `after`, at most `limit`.
    func objectsUnderNamedKey(_ keyID: String, after: (bucket: String, key: String)?, limit: Int) async throws -> [ObjectRecord]

    func setNamedKeyGrant(_ grant: NamedKeyGrant) async throws
    func removeNamedKeyGrant(keyID: String, userID: String) async throws -> Bool
    func namedKeyGrant(keyID: String, userID: String) async throws -> NamedKeyGrant?
    func namedKeyGrants(keyID: String) async throws -> [NamedKeyGrant]

    /// The bucket's default encryption; nil when none was set (SSE-S3 then applies, as in AWS).
    func bucketEncryption(bucket: String) async throws -> BucketEncryptionRecord?
    /// Throws `.noSuchBucket` when the bucket is gone.
    func setBucketEncryption(_ encryption: BucketEncryptionRecord) async throws
    func deleteBucketEncryption(bucket: String) async throws
}
