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
