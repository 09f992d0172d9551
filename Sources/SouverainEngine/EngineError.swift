/// The one error type of the data path. The server maps each code to its S3 error.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case noSuchBucket, noSuchKey, noSuchUpload, bucketAlreadyOwnedByYou, bucketAlreadyExists, bucketNotEmpty
            case accessDenied, invalidPart, invalidPartOrder, entityTooSmall, entityTooLarge, invalidArgument
            case internalError, unavailable, placementViolation, bucketShredded, objectShredded
            case namedKeyNotFound, namedKeyShredded
            case noSuchVersion, methodNotAllowed, invalidRequest, invalidBucketState, objectLocked
            case noObjectLockConfiguration, noSuchObjectLockConfiguration, malformedXML
            case preconditionFailed
            case noSuchEntity, entityAlreadyExists, deleteConflict
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
        /// A version id names no version of the key.
        public static let noSuchVersion = Code(.noSuchVersion)
        /// A GET or HEAD of a delete marker by its version id.
        public static let methodNotAllowed = Code(.methodNotAllowed)
        public static let invalidRequest = Code(.invalidRequest)
        /// Versioning or Object Lock does not allow this (suspending versioning under Object Lock).
        public static let invalidBucketState = Code(.invalidBucketState)
        /// A retention or legal hold forbids deleting, replacing or shortening the version (AccessDenied).
        public static let objectLocked = Code(.objectLocked)
        /// The bucket has no Object Lock configuration.
        public static let noObjectLockConfiguration = Code(.noObjectLockConfiguration)
        /// The version has no retention (GetObjectRetention).
        public static let noSuchObjectLockConfiguration = Code(.noSuchObjectLockConfiguration)
        public static let malformedXML = Code(.malformedXML)
        /// A conditional write (If-None-Match, If-Match) found the key's current object otherwise.
        public static let preconditionFailed = Code(.preconditionFailed)
        /// A user (or another administered entity) the request names does not exist (IAM's NoSuchEntity).
        public static let noSuchEntity = Code(.noSuchEntity)
        /// A user to create exists already (IAM's EntityAlreadyExists).
        public static let entityAlreadyExists = Code(.entityAlreadyExists)
        /// An entity to delete is still in use, as a user owning buckets (IAM's DeleteConflict).
        public static let deleteConflict = Code(.deleteConflict)
        public var description: String { value.rawValue }
    }

    /// What a client must be told of a version in the headers of an error answer: a GET of a key
    /// whose latest version is a delete marker, a GET of a marker by version id.
    public struct VersionHeaders: Sendable {
        public var isDeleteMarker: Bool
        public var versionID: String?

        public init(isDeleteMarker: Bool, versionID: String?) {
            self.isDeleteMarker = isDeleteMarker
            self.versionID = versionID
        }
    }

    public var versionHeaders: VersionHeaders?
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
