/// Where and how a trail stopped verifying.
public struct AuditVerificationFailure: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// A record's bytes changed: they no longer hash to the value stored with them (or their
        /// successor holds).
        case recordModified
        /// Records are missing: the next record found has a later sequence and links past the gap.
        case recordDeleted
        /// A record that does not belong: the chain continues after it from the record before it.
        case recordInserted
        /// Records are out of order.
        case recordsReordered
        /// A record's link to the one before it is wrong and the cause cannot be told apart.
        case chainBroken
        /// A whole segment file is missing (its successor's header names another predecessor).
        case segmentMissing
        /// A segment header is malformed, fails its checksum, or names another trail.
        case segmentInvalid
        /// The file ends inside a record.
        case truncated
        /// A checkpoint's Ed25519 signature does not verify with the public key.
        case badSignature
        /// A checkpoint's signature verifies but its range or head does not match its place.
        case checkpointInvalid
        /// The segment header names another audit key than the one given.
        case keyMismatch
        /// Strict mode only: records after the last checkpoint.
        case unsignedTail
        /// A header or a record of a format version this build does not know.
        case unsupportedFormat
        /// A file could not be read.
        case unreadable
    }

    public var kind: Kind
    /// The segment file name (`audit-00000000000000000001.log`).
    public var segment: String
    /// The byte offset in that file: the frame's first byte, or 0 for a header.
    public var offset: Int64
    /// The sequence expected at that point.
    public var sequence: UInt64
    public var message: String

    public init(kind: Kind, segment: String, offset: Int64, sequence: UInt64, message: String) {
        self.kind = kind
        self.segment = segment
        self.offset = offset
        self.sequence = sequence
        self.message = message
    }

    public var description: String { "\(kind.rawValue) in \(segment) at byte \(offset), sequence \(sequence): \(message)" }
}
