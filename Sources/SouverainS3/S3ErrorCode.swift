/// An S3 error code: the `<Code>` name AWS uses and the HTTP status it answers with.
///
/// Two codes are equal when their names are equal.
public struct S3ErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// The AWS name, e.g. "NoSuchKey".
    public let name: String
    /// The HTTP status, e.g. 404.
    public let status: Int
    /// AWS's generic message, used when an error is raised without one.
    public let defaultMessage: String

    private init(_ name: String, _ status: Int, _ defaultMessage: String) {
        self.name = name
        self.status = status
        self.defaultMessage = defaultMessage
    }

    /// Looks a code up by its AWS name; nil when unknown.
    public init?(named name: String) {
        guard let code = Self.byName[name] else { return nil }
        self = code
    }

    public var description: String { name }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    // MARK: - Codes

    public static let accessDenied = Self("AccessDenied", 403, "Access Denied")
    public static let accountProblem = Self("AccountProblem", 403, "There is a problem with your account that prevents the action from completing successfully.")
    public static let authorizationHeaderMalformed = Self("AuthorizationHeaderMalformed", 400, "The authorization header you provided is invalid.")
    public static let authorizationQueryParametersError = Self("AuthorizationQueryParametersError", 400, "The authorization query parameters you provided are invalid.")
    public static let badDigest = Self("BadDigest", 400, "The Content-MD5 or checksum you specified did not match what we received.")
    public static let bucketAlreadyExists = Self("BucketAlreadyExists", 409, "The requested bucket name is not available. Please select a different name and try again.")
    public static let bucketAlreadyOwnedByYou = Self("BucketAlreadyOwnedByYou", 409, "The bucket you tried to create already exists, and you own it.")
    public static let bucketNotEmpty = Self("BucketNotEmpty", 409, "The bucket you tried to delete is not empty.")
    public static let entityTooLarge = Self("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.")
    public static let entityTooSmall = Self("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.")
    public static let expiredToken = Self("ExpiredToken", 400, "The provided token has expired.")
    public static let illegalLocationConstraintException = Self("IllegalLocationConstraintException", 400, "The location constraint you specified is not allowed for this endpoint.")
    public static let incompleteBody = Self("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
    public static let internalError = Self("InternalError", 500, "We encountered an internal error. Please try again.")
    public static let invalidAccessKeyId = Self("InvalidAccessKeyId", 403, "The access key ID you provided does not exist in our records.")
    public static let invalidArgument = Self("InvalidArgument", 400, "Invalid Argument")
    public static let invalidBucketName = Self("InvalidBucketName", 400, "The specified bucket is not valid.")
    public static let invalidBucketState = Self("InvalidBucketState", 409, "The request is not valid with the current state of the bucket.")
    public static let invalidDigest = Self("InvalidDigest", 400, "The Content-MD5 or checksum you specified is not valid.")
    public static let invalidEncryptionAlgorithmError = Self("InvalidEncryptionAlgorithmError", 400, "The encryption request you specified is not valid.")
    public static let invalidLocationConstraint = Self("InvalidLocationConstraint", 400, "The specified location constraint is not valid.")
    public static let invalidObjectState = Self("InvalidObjectState", 403, "The operation is not valid for the current state of the object.")
    public static let invalidPart = Self("InvalidPart", 400, "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.")
    public static let invalidPartNumber = Self("InvalidPartNumber", 416, "The requested partnumber is not satisfiable")
    public static let invalidPartOrder = Self("InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
    public static let invalidRange = Self("InvalidRange", 416, "The requested range is not satisfiable.")
    public static let invalidRequest = Self("InvalidRequest", 400, "Invalid Request")
    public static let invalidStorageClass = Self("InvalidStorageClass", 400, "The storage class you specified is not valid.")
    /// A tag set that breaks S3's rules (count, lengths, duplicate keys, the reserved `aws:` prefix).
    public static let invalidTag = Self("InvalidTag", 400, "The tag provided was not a valid tag.")
    /// SSE-KMS with a key id, alias or ARN that names no key (AWS passes KMS's error through).
    public static let kmsNotFound = Self("KMS.NotFoundException", 400, "Invalid keyId")
    /// SSE-KMS with a key that cannot be used in its state (here: shredded).
    public static let kmsInvalidState = Self("KMS.KMSInvalidStateException", 400, "The key is not in a state that allows this operation.")
    public static let invalidToken = Self("InvalidToken", 400, "The provided token is malformed or otherwise invalid.")
    public static let invalidURI = Self("InvalidURI", 400, "Couldn't parse the specified URI.")
    public static let keyTooLongError = Self("KeyTooLongError", 400, "Your key is too long.")
    public static let malformedACLError = Self("MalformedACLError", 400, "The XML you provided was not well-formed or did not validate against our published schema.")
    public static let malformedPOSTRequest = Self("MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data.")
    public static let malformedXML = Self("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema.")
    public static let maxMessageLengthExceeded = Self("MaxMessageLengthExceeded", 400, "Your request was too big.")
    public static let metadataTooLarge = Self("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size.")
    public static let methodNotAllowed = Self("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
    public static let missingContentLength = Self("MissingContentLength", 411, "You must provide the Content-Length HTTP header.")
    public static let missingRequestBodyError = Self("MissingRequestBodyError", 400, "Request Body is empty.")
    public static let missingSecurityHeader = Self("MissingSecurityHeader", 400, "Your request is missing a required header.")
    public static let noSuchBucket = Self("NoSuchBucket", 404, "The specified bucket does not exist.")
    public static let noSuchKey = Self("NoSuchKey", 404, "The specified key does not exist.")
    public static let noSuchLifecycleConfiguration = Self("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist.")
    public static let noSuchUpload = Self("NoSuchUpload", 404, "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.")
    public static let objectLockConfigurationNotFoundError = Self("ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket")
    public static let noSuchObjectLockConfiguration = Self("NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration")
    public static let noSuchVersion = Self("NoSuchVersion", 404, "The specified version does not exist.")
    public static let notImplemented = Self("NotImplemented", 501, "A header or query you provided implies functionality that is not implemented.")
    public static let notModified = Self("NotModified", 304, "Not Modified")
    public static let operationAborted = Self("OperationAborted", 409, "A conflicting conditional operation is currently in progress against this resource. Try again.")
    public static let placementViolation = Self("PlacementViolation", 403, "No location allowed by the bucket's classification can store this object.")
    public static let preconditionFailed = Self("PreconditionFailed", 412, "At least one of the preconditions you specified did not hold.")
    public static let requestHeaderSectionTooLarge = Self("RequestHeaderSectionTooLarge", 400, "Your request header section exceeds the maximum allowed size.")
    public static let requestTimeTooSkewed = Self("RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large.")
    public static let requestTimeout = Self("RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period.")
    public static let serviceUnavailable = Self("ServiceUnavailable", 503, "Please reduce your request rate.")
    public static let signatureDoesNotMatch = Self("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
    public static let slowDown = Self("SlowDown", 503, "Please reduce your request rate.")
    public static let tooManyBuckets = Self("TooManyBuckets", 400, "You have attempted to create more buckets than allowed.")
    public static let unexpectedContent = Self("UnexpectedContent", 400, "This request does not support content.")
    public static let xAmzContentSHA256Mismatch = Self("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.")

    // Bucket policies, public access, ownership controls and CORS (docs/access.md).
    public static let malformedPolicy = Self("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'")
    public static let noSuchBucketPolicy = Self("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
    public static let noSuchPublicAccessBlockConfiguration = Self("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")
    public static let ownershipControlsNotFoundError = Self("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found")
    public static let noSuchCORSConfiguration = Self("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist")
    public static let accessControlListNotSupported = Self("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
    public static let invalidBucketAclWithObjectOwnership = Self("InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
    public static let corsResponse = Self("CORSResponse", 403, "This CORS request is not allowed.")
    // Browser form uploads (PostObject, docs/access.md).
    public static let invalidPolicyDocument = Self("InvalidPolicyDocument", 400, "The content of the form does not meet the conditions specified in the policy document.")
    // Bucket tags, website and replication configurations (BucketConfigurationOperation).
    public static let noSuchTagSet = Self("NoSuchTagSet", 404, "The TagSet does not exist")
    public static let noSuchWebsiteConfiguration = Self("NoSuchWebsiteConfiguration", 404, "The specified bucket does not have a website configuration")
    public static let replicationConfigurationNotFoundError = Self("ReplicationConfigurationNotFoundError", 404, "The replication configuration was not found")
    // The admin API's users (docs/admin-api.md), with IAM's names.
    public static let noSuchEntity = Self("NoSuchEntity", 404, "The request was rejected because it referenced an entity that does not exist.")
    public static let entityAlreadyExists = Self("EntityAlreadyExists", 409, "The request was rejected because it attempted to create a resource that already exists.")
    public static let deleteConflict = Self("DeleteConflict", 409, "The request was rejected because it attempted to delete a resource that has attached subordinate entities.")

    /// Every code above, for lookups and tests.
    public static let all: [S3ErrorCode] = [
        .accessDenied, .accountProblem, .authorizationHeaderMalformed, .authorizationQueryParametersError,
        .badDigest, .bucketAlreadyExists, .bucketAlreadyOwnedByYou, .bucketNotEmpty,
        .entityTooLarge, .entityTooSmall, .expiredToken, .illegalLocationConstraintException,
        .incompleteBody, .internalError, .invalidAccessKeyId, .invalidArgument, .invalidBucketName,
        .invalidBucketState, .invalidDigest, .invalidEncryptionAlgorithmError, .invalidLocationConstraint,
        .invalidObjectState, .invalidPart, .invalidPartNumber, .invalidPartOrder, .invalidRange, .invalidRequest,
        .invalidStorageClass, .invalidTag, .invalidToken, .kmsNotFound, .kmsInvalidState, .invalidURI, .keyTooLongError, .malformedACLError,
        .malformedPOSTRequest, .malformedXML, .maxMessageLengthExceeded, .metadataTooLarge,
        .methodNotAllowed, .missingContentLength, .missingRequestBodyError, .missingSecurityHeader,
        .objectLockConfigurationNotFoundError, .noSuchObjectLockConfiguration,
        .noSuchBucket, .noSuchKey, .noSuchLifecycleConfiguration, .noSuchUpload, .noSuchVersion, .notImplemented, .notModified,
        .operationAborted, .placementViolation, .preconditionFailed, .requestHeaderSectionTooLarge,
        .requestTimeTooSkewed, .requestTimeout, .serviceUnavailable, .signatureDoesNotMatch, .slowDown,
        .tooManyBuckets, .unexpectedContent, .xAmzContentSHA256Mismatch,
        .malformedPolicy, .noSuchBucketPolicy, .noSuchPublicAccessBlockConfiguration, .ownershipControlsNotFoundError,
        .noSuchCORSConfiguration, .accessControlListNotSupported, .invalidBucketAclWithObjectOwnership, .corsResponse,
        .invalidPolicyDocument, .noSuchTagSet, .noSuchWebsiteConfiguration, .replicationConfigurationNotFoundError,
        .noSuchEntity, .entityAlreadyExists, .deleteConflict,
    ]

    private static let byName: [String: S3ErrorCode] = Dictionary(
        all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }
    )
}
