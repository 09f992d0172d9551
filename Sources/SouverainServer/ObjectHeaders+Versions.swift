import Foundation
import HTTPTypes
import SouverainCatalogue
import SouverainS3

/// The version and Object Lock headers of object requests and responses.
extension ObjectHeaders {
    /// The Object Lock a write asks for: `x-amz-object-lock-mode` with `-retain-until-date` (both
    /// or neither), and `x-amz-object-lock-legal-hold` (ON or OFF). Nil when none is given.
    static func requestedLock(_ head: S3RequestHead) throws -> RequestedLock? {
        let rawMode = head.header("x-amz-object-lock-mode")
        let rawDate = head.header("x-amz-object-lock-retain-until-date")
        let rawHold = head.header("x-amz-object-lock-legal-hold")
        guard rawMode != nil || rawDate != nil || rawHold != nil else { return nil }
        var lock = RequestedLock()
        switch (rawMode, rawDate) {
        case (nil, nil):
            break
        case (let rawMode?, let rawDate?):
            guard let mode = RetentionMode(rawValue: rawMode) else {
                throw S3Error(.invalidArgument, "Unknown wormMode directive.",
                              extra: [("ArgumentName", "x-amz-object-lock-mode"), ("ArgumentValue", rawMode)])
            }
            guard let date = S3Date.parseISO8601(rawDate) else {
                throw S3Error(.invalidArgument, "The retain until date must be provided in ISO 8601 format",
                              extra: [("ArgumentName", "x-amz-object-lock-retain-until-date"), ("ArgumentValue", rawDate)])
            }
            lock.retention = ObjectRetention(mode: mode, retainUntil: date)
        default:
            throw S3Error(.invalidArgument, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
        }
        if let rawHold {
            switch rawHold {
            case "ON": lock.legalHold = true
            case "OFF": lock.legalHold = false
            default:
                throw S3Error(.invalidArgument, "Legal Hold must be either of 'ON' or 'OFF'",
                              extra: [("ArgumentName", "x-amz-object-lock-legal-hold"), ("ArgumentValue", rawHold)])
            }
        }
        return lock
    }

    /// `x-amz-version-id` for a bucket that has ever been versioned (`null` for the null version),
    /// and the Object Lock headers of a version of a bucket with Object Lock.
    static func addVersion(of record: ObjectRecord, bucket: BucketRecord?, includeLock: Bool = true, to headers: inout HTTPFields) {
        guard let bucket, bucket.versioning != nil || record.versionID != nil else { return }
        headers[.amzVersionID] = record.versionID ?? "null"
        guard includeLock, bucket.objectLock != nil || record.retention != nil || record.legalHold else { return }
        if let retention = record.retention {
            headers[.amzObjectLockMode] = retention.mode.rawValue
            headers[.amzObjectLockRetainUntil] = S3Date.iso8601(retention.retainUntil)
        }
        headers[.amzObjectLockLegalHold] = record.legalHold ? "ON" : "OFF"
    }

    /// Whether the request asks to bypass GOVERNANCE retention.
    static func bypassesGovernance(_ head: S3RequestHead) -> Bool {
        head.header("x-amz-bypass-governance-retention")?.lowercased() == "true"
    }
}

extension HTTPField.Name {
    static let amzVersionID = HTTPField.Name("x-amz-version-id")!
    static let amzDeleteMarker = HTTPField.Name("x-amz-delete-marker")!
    static let amzCopySourceVersionID = HTTPField.Name("x-amz-copy-source-version-id")!
    static let amzObjectLockMode = HTTPField.Name("x-amz-object-lock-mode")!
    static let amzObjectLockRetainUntil = HTTPField.Name("x-amz-object-lock-retain-until-date")!
    static let amzObjectLockLegalHold = HTTPField.Name("x-amz-object-lock-legal-hold")!
}
