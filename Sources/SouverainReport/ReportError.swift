/// What went wrong writing or verifying a report bundle; the message says what to do.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case io, malformed, badSignature, keyMismatch }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// A file could not be read or written.
        public static let io = Code(.io)
        /// report.json or report.sig is not what this build writes.
        public static let malformed = Code(.malformed)
        /// The signature does not verify over report.json's bytes: the report was changed.
        public static let badSignature = Code(.badSignature)
        /// The signing key is not the audit trail's key the verifier was given.
        public static let keyMismatch = Code(.keyMismatch)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }
}
