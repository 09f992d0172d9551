import Testing
import SouverainS3

/// Every code's AWS name and HTTP status, written out.
private let codes: [(S3ErrorCode, String, Int)] = [
    (.malformedPolicy, "MalformedPolicy", 400),
    (.noSuchBucketPolicy, "NoSuchBucketPolicy", 404),
    (.noSuchPublicAccessBlockConfiguration, "NoSuchPublicAccessBlockConfiguration", 404),
    (.ownershipControlsNotFoundError, "OwnershipControlsNotFoundError", 404),
    (.noSuchCORSConfiguration, "NoSuchCORSConfiguration", 404),
    (.accessControlListNotSupported, "AccessControlListNotSupported", 400),
    (.invalidBucketAclWithObjectOwnership, "InvalidBucketAclWithObjectOwnership", 400),
    (.corsResponse, "CORSResponse", 403),
    (.invalidPolicyDocument, "InvalidPolicyDocument", 400),
    (.noSuchTagSet, "NoSuchTagSet", 404),
    (.noSuchWebsiteConfiguration, "NoSuchWebsiteConfiguration", 404),
    (.replicationConfigurationNotFoundError, "ReplicationConfigurationNotFoundError", 404),
    (.noSuchEntity, "NoSuchEntity", 404),
    (.entityAlreadyExists, "EntityAlreadyExists", 409),
    (.deleteConflict, "DeleteConflict", 409),
    (.accessDenied, "AccessDenied", 403),
    (.accountProblem, "AccountProblem", 403),
    (.authorizationHeaderMalformed, "AuthorizationHeaderMalformed", 400),
    (.authorizationQueryParametersError, "AuthorizationQueryParametersError", 400),
    (.badDigest, "BadDigest", 400),
    (.bucketAlreadyExists, "BucketAlreadyExists", 409),
    (.bucketAlreadyOwnedByYou, "BucketAlreadyOwnedByYou", 409),
    (.bucketNotEmpty, "BucketNotEmpty", 409),
    (.entityTooLarge, "EntityTooLarge", 400),
    (.entityTooSmall, "EntityTooSmall", 400),
    (.expiredToken, "ExpiredToken", 400),
    (.illegalLocationConstraintException, "IllegalLocationConstraintException", 400),
    (.incompleteBody, "IncompleteBody", 400),
    (.internalError, "InternalError", 500),
    (.invalidAccessKeyId, "InvalidAccessKeyId", 403),
    (.invalidArgument, "InvalidArgument", 400),
    (.invalidBucketName, "InvalidBucketName", 400),
    (.invalidBucketState, "InvalidBucketState", 409),
    (.invalidDigest, "InvalidDigest", 400),
    (.invalidEncryptionAlgorithmError, "InvalidEncryptionAlgorithmError", 400),
    (.invalidLocationConstraint, "InvalidLocationConstraint", 400),
    (.invalidObjectState, "InvalidObjectState", 403),
    (.invalidPart, "InvalidPart", 400),
    (.invalidPartNumber, "InvalidPartNumber", 416),
    (.invalidPartOrder, "InvalidPartOrder", 400),
    (.invalidRange, "InvalidRange", 416),
    (.invalidRequest, "InvalidRequest", 400),
    (.invalidStorageClass, "InvalidStorageClass", 400),
    (.invalidTag, "InvalidTag", 400),
    (.invalidToken, "InvalidToken", 400),
    (.kmsNotFound, "KMS.NotFoundException", 400),
    (.kmsInvalidState, "KMS.KMSInvalidStateException", 400),
    (.invalidURI, "InvalidURI", 400),
    (.keyTooLongError, "KeyTooLongError", 400),
    (.malformedACLError, "MalformedACLError", 400),
    (.malformedPOSTRequest, "MalformedPOSTRequest", 400),
    (.malformedXML, "MalformedXML", 400),
    (.maxMessageLengthExceeded, "MaxMessageLengthExceeded", 400),
    (.metadataTooLarge, "MetadataTooLarge", 400),
    (.methodNotAllowed, "MethodNotAllowed", 405),
    (.missingContentLength, "MissingContentLength", 411),
    (.missingRequestBodyError, "MissingRequestBodyError", 400),
    (.missingSecurityHeader, "MissingSecurityHeader", 400),
    (.noSuchBucket, "NoSuchBucket", 404),
    (.noSuchKey, "NoSuchKey", 404),
    (.noSuchLifecycleConfiguration, "NoSuchLifecycleConfiguration", 404),
    (.noSuchUpload, "NoSuchUpload", 404),
    (.noSuchVersion, "NoSuchVersion", 404),
    (.objectLockConfigurationNotFoundError, "ObjectLockConfigurationNotFoundError", 404),
    (.noSuchObjectLockConfiguration, "NoSuchObjectLockConfiguration", 404),
    (.notImplemented, "NotImplemented", 501),
    (.notModified, "NotModified", 304),
    (.operationAborted, "OperationAborted", 409),
    (.placementViolation, "PlacementViolation", 403),
    (.preconditionFailed, "PreconditionFailed", 412),
    (.requestHeaderSectionTooLarge, "RequestHeaderSectionTooLarge", 400),
    (.requestTimeTooSkewed, "RequestTimeTooSkewed", 403),
    (.requestTimeout, "RequestTimeout", 400),
    (.serviceUnavailable, "ServiceUnavailable", 503),
    (.signatureDoesNotMatch, "SignatureDoesNotMatch", 403),
    (.slowDown, "SlowDown", 503),
    (.tooManyBuckets, "TooManyBuckets", 400),
    (.unexpectedContent, "UnexpectedContent", 400),
    (.xAmzContentSHA256Mismatch, "XAmzContentSHA256Mismatch", 400),
]

@Suite("S3ErrorCode")
struct S3ErrorCodeTests {
    @Test(arguments: codes)
    func nameAndStatus(_ code: S3ErrorCode, _ name: String, _ status: Int) throws {
        #expect(code.name == name)
        #expect(code.description == name)
        #expect(code.status == status)
        #expect(!code.defaultMessage.isEmpty)
        #expect(try #require(S3ErrorCode(named: name)) == code)
        #expect(S3Error(code).message == code.defaultMessage)
    }

    @Test func tableCoversEveryCode() {
        #expect(S3ErrorCode.all.count == codes.count)
        #expect(Set(S3ErrorCode.all) == Set(codes.map(\.0)))
        #expect(Set(S3ErrorCode.all.map(\.name)).count == S3ErrorCode.all.count)
    }

    @Test func unknownNames() {
        #expect(S3ErrorCode(named: "NoSuchThing") == nil)
        #expect(S3ErrorCode(named: "nosuchkey") == nil)
        #expect(S3ErrorCode(named: "") == nil)
    }
}
