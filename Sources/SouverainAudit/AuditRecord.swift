/// One record of the trail: its place (sequence, link to the record before), its time, and what it
/// holds: an event (a request or an internal movement) or a signed checkpoint.
///
/// Records are made by `AuditWriter`, which assigns `sequence`, `time` and `previousHash`.
public struct AuditRecord: Hashable, Sendable {
    public enum Kind: UInt8, Hashable, Sendable, CustomStringConvertible {
        case event = 1
        case checkpoint = 2

        public var description: String {
            switch self {
            case .event: "event"
            case .checkpoint: "checkpoint"
            }
        }
    }

    public enum Content: Hashable, Sendable {
        case event(AuditEvent)
        case checkpoint(AuditCheckpoint)
    }

    /// 1 for the first record of a trail, then +1 for each record, checkpoints included.
    public var sequence: UInt64
    /// When the writer appended the record. Never decreases along a trail.
    public var time: AuditTime
    /// SHA-256 of the previous record's canonical bytes, or the trail's genesis value.
    public var previousHash: AuditHash
    public var content: Content

    public init(sequence: UInt64, time: AuditTime, previousHash: AuditHash, content: Content) {
        self.sequence = sequence
        self.time = time
        self.previousHash = previousHash
        self.content = content
    }

    public var kind: Kind {
        switch content {
        case .event: .event
        case .checkpoint: .checkpoint
        }
    }

    public var event: AuditEvent? {
        if case .event(let event) = content { return event }
        return nil
    }

    public var checkpoint: AuditCheckpoint? {
        if case .checkpoint(let checkpoint) = content { return checkpoint }
        return nil
    }
}

/// What happened: one S3 request or one internal movement of bytes.
public struct AuditEvent: Hashable, Sendable {
    /// The request id returned to the client (`x-amz-request-id`); nil for internal movements.
    public var requestID: String?
    /// The access key id that signed the request, never a secret; nil if anonymous or internal.
    public var user: String?
    /// The client's address (`203.0.113.7:51234`, `[2001:db8::1]:443`); nil for internal movements.
    public var sourceAddress: String?
    public var operation: AuditOperation
    public var bucket: String?
    public var key: String?
    public var version: String?
    /// Payload bytes received (request body) or moved in.
    public var bytesIn: UInt64
    /// Payload bytes sent (response body) or moved out.
    public var bytesOut: UInt64
    /// Every storage location read, written or deleted from, in the order they were touched.
    public var locations: [AuditLocationAccess]
    /// The HTTP status answered; nil when there was no HTTP answer (internal movements).
    public var status: UInt16?
    /// The S3 error code (`NoSuchKey`, `PlacementViolation`, ...) when the request failed.
    public var errorCode: String?
    /// Free text for internal movements and recoveries; never a secret.
    public var detail: String?

    public init(
        requestID: String? = nil,
        user: String? = nil,
        sourceAddress: String? = nil,
        operation: AuditOperation,
        bucket: String? = nil,
        key: String? = nil,
        version: String? = nil,
        bytesIn: UInt64 = 0,
        bytesOut: UInt64 = 0,
        locations: [AuditLocationAccess] = [],
        status: UInt16? = nil,
        errorCode: String? = nil,
        detail: String? = nil
    ) {
        self.requestID = requestID
        self.user = user
        self.sourceAddress = sourceAddress
        self.operation = operation
        self.bucket = bucket
        self.key = key
        self.version = version
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.locations = locations
        self.status = status
        self.errorCode = errorCode
        self.detail = detail
    }
}

/// One storage location an event touched.
public struct AuditLocationAccess: Hashable, Sendable {
    public enum Direction: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        case read = 1
        case write = 2
        case delete = 3

        public var description: String {
            switch self {
            case .read: "read"
            case .write: "write"
            case .delete: "delete"
            }
        }
    }

    /// The location's id in the configuration (`local`, `ovh-gra`, ...).
    public var locationID: String
    /// The provider's id in the registry (`self` for on-premise).
    public var providerID: String
    /// ISO 3166-1 alpha-2 code of the datacentre's country, upper case (`FR`).
    public var country: String
    public var direction: Direction

    public init(locationID: String, providerID: String, country: String, direction: Direction) {
        self.locationID = locationID
        self.providerID = providerID
        self.country = country
        self.direction = direction
    }
}

/// A signed statement that the chain up to `to` has head `head`. Made by the writer every N
/// records or T seconds, at each segment rotation and on close.
public struct AuditCheckpoint: Hashable, Sendable {
    /// The first sequence since the previous checkpoint (1 for the trail's first checkpoint).
    public var from: UInt64
    /// The last sequence covered: always the checkpoint's own sequence minus one.
    public var to: UInt64
    /// The hash of record `to`: the chain head the signature vouches for.
    public var head: AuditHash
    /// SHA-256 of the raw Ed25519 public key that signed.
    public var keyFingerprint: AuditHash
    /// Ed25519 signature (64 bytes) over `AuditCheckpoint.signedBytes(trail:from:to:head:)`.
    public var signature: [UInt8]

    public init(from: UInt64, to: UInt64, head: AuditHash, keyFingerprint: AuditHash, signature: [UInt8]) {
        self.from = from
        self.to = to
        self.head = head
        self.keyFingerprint = keyFingerprint
        self.signature = signature
    }

    /// The exact bytes signed: "souverain-audit-checkpoint-v1" (29 ASCII bytes) ‖ trail id (16) ‖
    /// from (u64 BE) ‖ to (u64 BE) ‖ head (32) = 93 bytes.
    public static func signedBytes(trail: AuditTrailID, from: UInt64, to: UInt64, head: AuditHash) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes(Array("souverain-audit-checkpoint-v1".utf8))
        writer.bytes(trail.bytes)
        writer.u64(from)
        writer.u64(to)
        writer.bytes(head.bytes)
        return writer.buffer
    }
}
