import SouverainCatalogue
import SouverainEngine
import SouverainS3
import SouverainSigV4
import SouverainStorage

/// Every conversion of a lower-layer error into the S3 error a client sees. What is not mapped
/// here is an InternalError with a generic message: the detail goes to the log, by request id.
extension S3Error {
    static func from(_ error: any Error, resource: String?) -> S3Error {
        switch error {
        case let error as S3Error:
            return error
        case let error as SigV4Error:
            let code = S3ErrorCode(named: error.code.s3Code) ?? .accessDenied
            return S3Error(code, error.message, resource: resource)
        case let error as EngineError:
            var s3Error = S3Error(code(for: error.code), error.message, resource: resource)
            if let version = error.versionHeaders {
                if version.isDeleteMarker { s3Error.headers.append(("x-amz-delete-marker", "true")) }
                if let id = version.versionID { s3Error.headers.append(("x-amz-version-id", id)) }
            }
            return s3Error
        case let error as CatalogueError:
            switch error.code {
            case .noSuchBucket: return S3Error(.noSuchBucket, resource: resource)
            case .noSuchUpload: return S3Error(.noSuchUpload, resource: resource)
            case .bucketNotEmpty: return S3Error(.bucketNotEmpty, resource: resource)
            default: return S3Error(.serviceUnavailable, "The catalogue is unavailable; retry later.", resource: resource)
            }
        case let error as StorageError where error.code == .unavailable:
            return S3Error(.serviceUnavailable, "A storage location is unavailable; retry later.", resource: resource)
        case is StorageError:
            return S3Error(.internalError, "We encountered an internal error. Please try again.", resource: resource)
        default:
            return S3Error(.internalError, "We encountered an internal error. Please try again.", resource: resource)
        }
    }

    private static func code(for code: EngineError.Code) -> S3ErrorCode {
        switch code {
        case .noSuchBucket: .noSuchBucket
        case .noSuchKey: .noSuchKey
        case .noSuchUpload: .noSuchUpload
        case .bucketAlreadyOwnedByYou: .bucketAlreadyOwnedByYou
        case .bucketAlreadyExists: .bucketAlreadyExists
        case .bucketNotEmpty: .bucketNotEmpty
        case .accessDenied: .accessDenied
        case .invalidPart: .invalidPart
        case .invalidPartOrder: .invalidPartOrder
        case .entityTooSmall: .entityTooSmall
        case .entityTooLarge: .entityTooLarge
        case .invalidArgument: .invalidArgument
        case .unavailable: .serviceUnavailable
        case .placementViolation: .placementViolation
        case .bucketShredded: .invalidBucketState
        case .objectShredded: .invalidObjectState
        case .namedKeyNotFound: .kmsNotFound
        case .namedKeyShredded: .kmsInvalidState
        case .noSuchVersion: .noSuchVersion
        case .methodNotAllowed: .methodNotAllowed
        case .invalidRequest: .invalidRequest
        case .invalidBucketState: .invalidBucketState
        case .objectLocked: .accessDenied
        case .noObjectLockConfiguration: .objectLockConfigurationNotFoundError
        case .noSuchObjectLockConfiguration: .noSuchObjectLockConfiguration
        case .malformedXML: .malformedXML
        case .preconditionFailed: .preconditionFailed
        case .noSuchEntity: .noSuchEntity
        case .entityAlreadyExists: .entityAlreadyExists
        case .deleteConflict: .deleteConflict
        default: .internalError
        }
    }
}
