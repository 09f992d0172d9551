/// What the writer found at the end of the trail when it opened.
public enum AuditRecovery: Hashable, Sendable, CustomStringConvertible {
    public enum Reason: String, Hashable, Sendable {
        /// The file ends inside a record (a write cut short), or the rest is zeros.
        case incomplete
        /// A length field that no record can have.
        case badLength
        /// Bytes that do not hash to the hash stored after them.
        case badHash
        /// A whole record that does not follow the one before it (wrong sequence or link).
        case badChain
        /// Bytes that hash correctly but are not a record this build can read.
        case undecodable
    }

    /// The last segment ends on a record boundary: nothing to do.
    case clean
    /// From byte `at` of `segment` to its end (`length` bytes), the bytes do not form the record
    /// `sequence` that should be there. Never accepted silently: the writer refuses to open until it
    /// is told to truncate exactly this tail, then keeps the bytes in `<segment>.torn-<at>` and
    /// appends an `audit-recovered` record naming it.
    case tornTail(at: Int64, sequence: UInt64, segment: String, length: Int64, reason: Reason)

    public var description: String {
        switch self {
        case .clean:
            "clean"
        case .tornTail(let offset, let sequence, let segment, let length, let reason):
            "torn tail in \(segment) at byte \(offset) (\(length) bytes, \(reason.rawValue)) where sequence \(sequence) should be"
        }
    }
}
