/// The result of verifying a trail: counts, where the chain ends, and the first broken point.
public struct AuditVerification: Hashable, Sendable, CustomStringConvertible {
    /// Records verified within the requested range, checkpoints included.
    public var records = 0
    /// Checkpoints verified (signature, range and head) within the range.
    public var checkpoints = 0
    /// Segment files read.
    public var segments = 0
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    /// The hash of the last record verified: compare it with a head recorded earlier to detect a
    /// trail cut back to an older checkpoint.
    public var head: AuditHash?
    /// The sequence of the last checkpoint verified.
    public var lastCheckpoint: UInt64?
    /// Records in range after the last checkpoint: chained, but not yet signed. Not a failure unless
    /// verification is strict.
    public var unsignedTail = 0
    /// The first broken point; nil when everything read verified.
    public var failure: AuditVerificationFailure?

    public var isValid: Bool { failure == nil }

    public var description: String {
        let summary = "\(records) records, \(checkpoints) checkpoints, \(segments) segments, \(unsignedTail) unsigned"
        return failure.map { "FAILED at \($0) (\(summary))" } ?? "verified: \(summary)"
    }
}
