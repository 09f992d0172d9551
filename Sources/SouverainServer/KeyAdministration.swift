import Foundation
public import SouverainEngine
import SouverainKeys
import SouverainS3

/// The key administration's actions and their JSON answers (docs/keys.md), shared by the admin
/// API (`/_souverain/keys`, run by the server, whose cached keys then follow) and `souverain keys`
/// when no server runs (on a store the command opens itself).
public enum KeyAdministration {
    /// The master key versions, their state, and how many bucket keys each wraps.
    public static func list(_ store: ObjectStore) async throws -> KeyListAnswer {
        let report = try await store.masterKeyReport().map { info, bucketKeys in
            KeyListAnswer.MasterKey(
                version: Int(info.reference.version), keyID: info.reference.keyID, store: info.reference.storeKind,
                state: info.state.rawValue, current: info.isCurrent, bucketKeys: bucketKeys, created: S3Date.iso8601(info.created))
        }
        return KeyListAnswer(masterKeys: report, namedKeys: try await namedKeys(store))
    }

    /// A new version of `bucket`'s key (every object's data keys re-wrapped under it), or of the
    /// master key when `bucket` is nil (every bucket key re-wrapped under it).
    public static func rotate(_ store: ObjectStore, bucket: String?) async throws -> KeyActionAnswer {
        if let bucket {
            let rotation = try await store.rotateBucketKey(bucket)
            return KeyActionAnswer(bucket: bucket, version: rotation.version, objectsRewrapped: rotation.rewrapped)
        }
        let (reference, rewrapped) = try await store.rotateMasterKey()
        return KeyActionAnswer(masterVersion: Int(reference.version), bucketKeysRewrapped: rewrapped)
    }

    /// Retires a version of `bucket`'s key, or of the master key when `bucket` is nil; refused
    /// while anything depends on it.
    public static func retire(_ store: ObjectStore, bucket: String?, version: UInt32) async throws -> KeyActionAnswer {
        if let bucket {
            try await store.retireBucketKey(bucket, version: Int(version))
            return KeyActionAnswer(bucket: bucket, retiredVersion: Int(version))
        }
        try await store.retireMasterKey(version: version)
        return KeyActionAnswer(retiredMasterVersion: Int(version))
    }
}

/// `GET /_souverain/keys` and `souverain keys list`.
public struct KeyListAnswer: Codable, Sendable {
    public struct MasterKey: Codable, Sendable {
        public var version: Int
        public var keyID: String
        public var store: String
        public var state: String
        public var current: Bool
        /// How many bucket keys this version wraps.
        public var bucketKeys: Int
        public var created: String
    }

    public struct NamedKey: Codable, Sendable {
        public struct Version: Codable, Sendable {
            public var version: Int
            public var created: String
            public var current: Bool
        }

        public struct Grant: Codable, Sendable {
            public var user: String
            public var encrypt: Bool
            public var decrypt: Bool
        }

        public var keyID: String
        public var alias: String
        public var description: String
        public var arn: String
        public var creator: String
        public var created: String
        /// `enabled` or `shredded`.
        public var state: String
        public var versions: [Version]
        public var grants: [Grant]
        public var shredded: String?
    }

    public var masterKeys: [MasterKey]
    public var namedKeys: [NamedKey]
}

/// What one key action did; each action fills the fields it concerns, the others are absent from
/// the JSON (rotating a bucket key: `bucket`, `version`, `objectsRewrapped`; the master key:
/// `masterVersion`, `bucketKeysRewrapped`; a named key's actions: `key`, `keyID` and theirs).
public struct KeyActionAnswer: Codable, Sendable {
    public var bucket: String?
    public var key: String?
    public var keyID: String?
    public var alias: String?
    public var arn: String?
    public var user: String?
    public var version: Int?
    public var retiredVersion: Int?
    public var objectsRewrapped: Int?
    public var keyVersionsDestroyed: Int?
    public var masterVersion: Int?
    public var bucketKeysRewrapped: Int?
    public var retiredMasterVersion: Int?
    public var encrypt: Bool?
    public var decrypt: Bool?

    public init(
        bucket: String? = nil, key: String? = nil, keyID: String? = nil, alias: String? = nil, arn: String? = nil,
        user: String? = nil, version: Int? = nil, retiredVersion: Int? = nil, objectsRewrapped: Int? = nil,
        keyVersionsDestroyed: Int? = nil, masterVersion: Int? = nil, bucketKeysRewrapped: Int? = nil,
        retiredMasterVersion: Int? = nil, encrypt: Bool? = nil, decrypt: Bool? = nil
    ) {
        self.bucket = bucket
        self.key = key
        self.keyID = keyID
        self.alias = alias
        self.arn = arn
        self.user = user
        self.version = version
        self.retiredVersion = retiredVersion
        self.objectsRewrapped = objectsRewrapped
        self.keyVersionsDestroyed = keyVersionsDestroyed
        self.masterVersion = masterVersion
        self.bucketKeysRewrapped = bucketKeysRewrapped
        self.retiredMasterVersion = retiredMasterVersion
        self.encrypt = encrypt
        self.decrypt = decrypt
    }

    /// What the trail's record of a named key's action says of it (`key=alias/x keyID=… user=…`).
    var auditDetail: String {
        let fields: [(String, String?)] = [
            ("key", key), ("keyID", keyID), ("user", user), ("version", version.map(String.init)),
            ("retiredVersion", retiredVersion.map(String.init)), ("keyVersionsDestroyed", keyVersionsDestroyed.map(String.init)),
            ("encrypt", encrypt.map(String.init)), ("decrypt", decrypt.map(String.init)), ("alias", alias),
        ]
        return fields.compactMap { name, value in value.map { "\(name)=\($0)" } }.joined(separator: " ")
    }
}
