/// Why a benchmark could not run. Failures of the operations measured are never thrown: they are
/// counted in the report.
public struct BenchError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidConfiguration, setupFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A knob is out of range; the message names it.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The client, the null endpoint, the bucket or the prepared objects could not be set up.
        public static let setupFailed = Code(.setupFailed)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What happened and what to do.
    public var message: String
    public var cause: (any Error)?

    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        "\(message)" + (cause.map { " (\($0))" } ?? "")
    }
}
