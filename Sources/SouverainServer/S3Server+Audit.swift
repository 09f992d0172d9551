import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SouverainAudit
import SouverainModel
import SouverainS3
import SouverainSTS

extension S3Server {
    /// The trail's record of one request: who, from where, what, on which bucket and key, how
    /// many bytes, which location and country the bytes went to or came from, and the outcome.
    /// A request that failed is recorded with why (`detail`: the S3 error's message, prefixed
    /// `unauthenticated:` when no signature was verified, so that its user, operation, bucket and
    /// key are what the request claimed, not facts).
    func event(for call: S3Call, status: Int, errorCode: String?, audit: AuditTrail) -> AuditEvent {
        let locations = call.locationsTouched.map { audit.access($0.id, $0.direction) }
        // The name, then the access key and the user's stable id: a later namesake has another id.
        var user = call.user.map { "\($0.name) (\($0.accessKeyID), id \($0.id))" }
        // A session's record names its role, its session name and the original identity.
        if call.user != nil, let session = call.session?.session { user = session.auditIdentity }
        if user == nil, let claimed = call.claimedAccessKey { user = "unverified access key \(claimed)" }
        // An unsigned request: decided as the principal `anonymous` (docs/access.md).
        if user == nil, call.isAnonymous { user = "anonymous" }
        var detail = errorCode == nil ? call.detail : nil
        if errorCode != nil, let failure = call.failure {
            let reason = failure.count > 200 ? String(failure.prefix(200)) + "…" : failure
            detail = call.user == nil ? "unauthenticated: \(reason)" : reason
        }
        return AuditEvent(
            requestID: call.requestID, user: user, sourceAddress: call.sourceAddress ?? call.remoteAddress,
            operation: AuditOperation(call.operationName ?? "Unknown"), bucket: call.operation?.bucket ?? call.adminBucket,
            key: call.operation?.key, version: call.versionID ?? call.queryParameters["versionId"], bytesIn: UInt64(max(0, call.bytesIn)), bytesOut: UInt64(max(0, call.bytesOut)),
            locations: locations, status: UInt16(clamping: status), errorCode: errorCode, detail: detail)
    }

    /// Names the operation, bucket and key a failed request targeted when it failed before they
    /// were parsed (authentication comes first): parsed from the request as sent, trusted for
    /// nothing but the record, which says it was unauthenticated.
    func identifyUnverifiedTarget(_ call: inout S3Call) {
        guard call.operation == nil, !call.isWebsite, !call.path.hasPrefix(Self.adminPrefix) else { return }
        guard let operation = try? S3Operation.parse(call.unsignedHead, addressing: addressing) else { return }
        call.operation = operation
        call.operationName = operation.name
    }

    static func sequence(_ value: String, _ name: String) throws -> UInt64 {
        guard let number = UInt64(value) else { throw S3Error(.invalidArgument, "\(name) must be a non-negative integer.") }
        return number
    }

    static func time(_ value: String, _ name: String) throws -> AuditTime {
        guard let date = S3Date.parseISO8601(value) else { throw S3Error(.invalidArgument, "\(name) must be an ISO 8601 time.") }
        return AuditTime(millisecondsSince1970: Int64(date.timeIntervalSince1970 * 1000))
    }
}
