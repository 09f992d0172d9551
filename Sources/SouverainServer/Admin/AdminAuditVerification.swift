import Foundation
import Hummingbird
import SouverainAudit
import SouverainS3

/// `GET /_souverain/audit/verify` (admins and auditors): this server's trail verified as
/// `souverain audit verify` does (every hash, link and checkpoint signature), with the public
/// key the server signs with.
struct AuditVerificationAnswer: Encodable {
    struct Trail: Encodable {
        /// The gateway id (docs/scale-out.md), or `default` for a server that has none.
        var id: String
        /// The trail's own identity (32 hex characters), bound into every checkpoint.
        var trailId: String?
        var records: Int
        var checkpoints: Int
        var lastSequence: UInt64?
        var lastCheckpoint: UInt64?
        /// Records after the last checkpoint: chained, not signed yet.
        var unsignedTail: Int
        /// The first broken point, if any (verification stops there).
        var failures: [String]
    }

    var valid: Bool
    var trails: [Trail]
}

extension S3Server {
    func verifyAuditTrail(_ call: inout S3Call) async throws -> Response {
        call.operationName = "VerifyAuditTrail"
        guard let audit else { throw S3Error(.serviceUnavailable, "The audit trail is not enabled on this server.") }
        // Up to the last record appended now; a record being appended meanwhile is not this answer's.
        let next = await audit.writer.nextSequence
        let last = next > 0 ? next - 1 : 0
        var result = AuditVerifier.verify(directory: audit.writer.directory, publicKey: audit.writer.publicKey, to: last)
        if let failure = result.failure, failure.sequence > last, failure.kind == .truncated { result.failure = nil }
        let trail = AuditVerificationAnswer.Trail(
            id: gatewayID ?? "default", trailId: "\(audit.writer.trailID)", records: result.records, checkpoints: result.checkpoints,
            lastSequence: result.lastSequence, lastCheckpoint: result.lastCheckpoint, unsignedTail: result.unsignedTail,
            failures: result.failure.map { ["\($0)"] } ?? [])
        call.detail = result.isValid ? "verified \(result.records) records" : "verification failed: \(trail.failures.joined())"
        return try AdminJSON.response(AuditVerificationAnswer(valid: result.isValid, trails: [trail]), call: &call)
    }
}
