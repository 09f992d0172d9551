/// A change to something gateways keep in memory (docs/scale-out.md, "What each gateway shares
/// and what it keeps"): recorded by the catalogue in the same transaction as the change itself, so
/// that every gateway sharing the catalogue can drop exactly what it cached of `name`.
public struct CatalogueChange: Sendable, Equatable {
    /// What changed. A kind this version does not know (written by a newer one) is `.unknown`, on
    /// which a gateway drops everything it caches.
    public enum Kind: Sendable, Equatable {
        /// The key versions of bucket `name`: one added (a rotation), retired, or every one
        /// destroyed (crypto-shredding).
        case bucketKeys
        /// The versions of named key `name` (its id): one added, retired, or the key shredded.
        case namedKey
        /// The access documents of bucket `name` (policy, public access block, ownership, CORS, ACL).
        case bucketAccess
        /// Bucket `name` was deleted, with everything it had (keys, access documents, configuration).
        case bucketDeleted
        case unknown(String)

        public init(rawValue: String) {
            switch rawValue {
            case "bucket-keys": self = .bucketKeys
            case "named-key": self = .namedKey
            case "bucket-access": self = .bucketAccess
            case "bucket-deleted": self = .bucketDeleted
            default: self = .unknown(rawValue)
            }
        }

        public var rawValue: String {
            switch self {
            case .bucketKeys: "bucket-keys"
            case .namedKey: "named-key"
            case .bucketAccess: "bucket-access"
            case .bucketDeleted: "bucket-deleted"
            case .unknown(let value): value
            }
        }
    }

    /// Increases with every change, in the order the changes committed.
    public var sequence: Int64
    public var kind: Kind
    public var name: String

    public init(sequence: Int64, kind: Kind, name: String) {
        self.sequence = sequence
        self.kind = kind
        self.name = name
    }
}

/// The feed of changes that gateways follow (the table `catalogue_changes`). Calls that change
/// something a gateway caches append to it in their own transaction: adding, retiring or
/// destroying a bucket key version (`bucketKeys`), a named key's version (`namedKey`), setting or
/// removing a bucket access document (`bucketAccess`), deleting a bucket (`bucketDeleted`).
///
/// Sequence numbers are handed out in commit order: a reader that has seen sequence N never later
/// finds a change numbered N or less appear. Changes older than a day may be pruned.
public protocol CatalogueChangeFeed: Sendable {
    /// The sequence number of the latest change (0 when there was none).
    func latestChangeSequence() async throws -> Int64
    /// The changes after `sequence`, oldest first, at most `limit`.
    func changes(after sequence: Int64, limit: Int) async throws -> [CatalogueChange]
}
