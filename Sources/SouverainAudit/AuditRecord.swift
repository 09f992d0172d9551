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
