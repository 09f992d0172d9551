/// The one error type of the data path. The server maps each code to its S3 error.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case noSuchBucket, noSuchKey, noSuchUpload, bucketAlreadyOwnedByYou, bucketAlreadyExists, bucketNotEmpty
            case accessDenied, invalidPart, invalidPartOrder, entityTooSmall, entityTooLarge, invalidArgument
            case internalError, unavailable, placementViolation, bucketShredded, objectShredded
            case namedKeyNotFound, namedKeyShredded
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        public static let noSuchBucket = Code(.noSuchBucket)
        public static let noSuchKey = Code(.noSuchKey)
        public static let noSuchUpload = Code(.noSuchUpload)
        public static let bucketAlreadyOwnedByYou = Code(.bucketAlreadyOwnedByYou)
        public static let bucketAlreadyExists = Code(.bucketAlreadyExists)
        public static let bucketNotEmpty = Code(.bucketNotEmpty)
        public static let accessDenied = Code(.accessDenied)
        public static let invalidPart = Code(.invalidPart)
        public static let invalidPartOrder = Code(.invalidPartOrder)
        public static let entityTooSmall = Code(.entityTooSmall)
        public static let entityTooLarge = Code(.entityTooLarge)
        public static let invalidArgument = Code(.invalidArgument)
        /// Storage failed or returned something inconsistent; details are in `cause`, for the log only.
        public static let internalError = Code(.internalError)
        /// The catalogue or a location cannot be reached now.
        public static let unavailable = Code(.unavailable)
        /// The bucket's classification allows no configured location: the message names the
        /// classification and every location's reasons.
        public static let placementViolation = Code(.placementViolation)
        /// A write to a bucket whose keys were destroyed.
        public static let bucketShredded = Code(.bucketShredded)
        /// A read of an object whose bucket's keys were destroyed: it can never be read again.
        public static let objectShredded = Code(.objectShredded)
        /// An SSE-KMS key id, alias or ARN that names no named key.
        public static let namedKeyNotFound = Code(.namedKeyNotFound)
        /// A write under a named key that was shredded.
        public static let namedKeyShredded = Code(.namedKeyShredded)
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
