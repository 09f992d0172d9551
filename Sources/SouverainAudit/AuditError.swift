/// The one error type of the audit trail. Messages say what happened and what to do; they never
/// contain key material.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case io, corrupt, tornTail, keyMismatch, invalidKey, closed, failed, recordTooLarge
            case unsupportedFormat, invalidArgument
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// A system call failed; `errno` is in the message.
        public static let io = Code(.io)
        /// A segment is damaged somewhere other than its tail (a bad header, a file name that does not
        /// match its header, a trail id that changes). Run the verifier.
        public static let corrupt = Code(.corrupt)
        /// The last segment ends with bytes that do not form a valid record; `recovery` says where.
        /// The writer refuses to open until told to truncate them (`AuditWriter.TornTailPolicy.truncate`).
        public static let tornTail = Code(.tornTail)
        /// The trail was started with another audit key than the one given.
        public static let keyMismatch = Code(.keyMismatch)
        /// A key file or a public key is malformed or unsafe (readable by others).
        public static let invalidKey = Code(.invalidKey)
        /// The writer was closed.
        public static let closed = Code(.closed)
        /// An earlier write failed; the writer accepts nothing more. Reopen it (and handle its recovery).
        public static let failed = Code(.failed)
        /// A record would exceed the maximum canonical size (1 MiB).
        public static let recordTooLarge = Code(.recordTooLarge)
        /// A header or a record has a format version this build does not know.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        public static let invalidArgument = Code(.invalidArgument)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?
    /// Set when `code` is `.tornTail`: exactly what the writer found, to pass back in `.truncate(_:)`.
    public var recovery: AuditRecovery?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil, recovery: AuditRecovery? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
        self.recovery = recovery
    }

    public var description: String {
        cause.map { "\(code): \(message) (cause: \($0))" } ?? "\(code): \(message)"
    }
}
