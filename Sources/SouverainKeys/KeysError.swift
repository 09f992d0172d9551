/// The one error type of keys and the encrypted blob format. Messages say what happened and what
/// to do; they never contain key material, wrapped or not.
public struct KeysError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case integrity, unsupportedFormat, invalidArgument, unknownKey, retiredKey, shredded
            case keyStoreUnavailable, io
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// Bytes failed authentication: a chunk modified, reordered, dropped, truncated or moved
        /// from another blob, or the wrong key. Nothing of the failing chunk is returned.
        public static let integrity = Code(.integrity)
        /// A header or a key file has a format version or algorithm this build does not know.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        public static let invalidArgument = Code(.invalidArgument)
        /// No key with this id and version in the key store.
        public static let unknownKey = Code(.unknownKey)
        /// The key version was retired: it no longer unwraps.
        public static let retiredKey = Code(.retiredKey)
        /// The key was destroyed (crypto-shredding): what it protected can never be read again.
        public static let shredded = Code(.shredded)
        /// The key store (keyring file, HSM) cannot be reached or refused the operation.
        public static let keyStoreUnavailable = Code(.keyStoreUnavailable)
        /// A system call failed; `errno` is in the message.
        public static let io = Code(.io)
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

    public var description: String {
        cause.map { "\(code): \(message) (cause: \($0))" } ?? "\(code): \(message)"
    }
}
