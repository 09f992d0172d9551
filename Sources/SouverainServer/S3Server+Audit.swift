import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SouverainAudit
import SouverainModel
import SouverainS3

extension S3Server {
    /// The trail's record of one request: who, from where, what, on which bucket and key, how
    /// many bytes, which location and country the bytes went to or came from, and the outcome.
    func event(for call: S3Call, status: Int, errorCode: String?, audit: AuditTrail) -> AuditEvent {
        let locations = call.locationsTouched.map { audit.access($0.id, $0.direction) }
        var user = call.user.map { "\($0.name) (\($0.accessKeyID))" }
        if user == nil, let claimed = call.claimedAccessKey { user = "unverified access key \(claimed)" }
        return AuditEvent(
            requestID: call.requestID, user: user, sourceAddress: call.remoteAddress,
            operation: AuditOperation(call.operationName ?? "Unknown"), bucket: call.operation?.bucket, key: call.operation?.key,
            bytesIn: UInt64(max(0, call.bytesIn)), bytesOut: UInt64(max(0, call.bytesOut)), locations: locations,
            status: UInt16(clamping: status), errorCode: errorCode)
    }

    /// The admin API under `/_souverain/`, authenticated like S3 (SigV4). For now it serves the
    /// audit trail to admins and auditors: `GET /_souverain/audit/records` with the filters
    /// `bucket`, `key`, `user`, `operation`, `country`, `from`, `to` (sequences), `since`, `until`
    /// (ISO 8601) and `limit` (default 1000, at most 10000). Each read is itself a record.
    func handleAdmin(_ call: inout S3Call) async throws -> Response {
        call.operationName = "AdminAPI"
        let user = try await authenticate(&call)
        if call.path == Self.adminPrefix + "placement/enforce", call.request.method == .post {
            return try await enforcePlacement(&call, user: user)
        }
        if call.path == Self.adminPrefix + "migrate" {
            return try await migrate(&call, user: user)
        }
        if call.path == Self.adminPrefix + "buckets/shred", call.request.method == .post {
            return try await shredBucket(&call, user: user)
        }
        if ["locations", "repair", "scrub"].contains(call.path.dropFirst(Self.adminPrefix.count)) {
            return try await manageReplicas(&call, user: user)
        }
        if call.path == Self.adminPrefix + "portability/record", call.request.method == .post {
            return try await recordPortability(&call, user: user)
        }
        if call.path.hasPrefix(Self.adminPrefix + "keys") {
            return try await manageKeys(&call, user: user)
        }
        guard call.path == Self.adminPrefix + "audit/records", call.request.method == .get else {
            throw S3Error(.notImplemented, "No admin API at \(call.request.method.rawValue) \(call.path).")
        }
        call.operationName = "ReadAuditTrail"
        guard user.role.readsAuditTrail else {
            throw S3Error(.accessDenied, "Reading the audit trail needs the admin or auditor role.")
        }
        guard let audit else { throw S3Error(.serviceUnavailable, "The audit trail is not enabled on this server.") }
        let query = call.queryParameters
        var filter = AuditFilter()
        filter.bucket = query["bucket"]
        filter.key = query["key"]
        filter.user = query["user"]
        filter.country = query["country"]?.uppercased()
        if let operation = query["operation"] { filter.operations = [AuditOperation(operation)] }
        let from = try query["from"].map { try Self.sequence($0, "from") } ?? 1
        let to = try query["to"].map { try Self.sequence($0, "to") } ?? .max
        guard from <= to else { throw S3Error(.invalidArgument, "from must not be after to.") }
        filter.sequences = from...to
        let since = try query["since"].map { try Self.time($0, "since") } ?? AuditTime(millisecondsSince1970: 0)
        let until = try query["until"].map { try Self.time($0, "until") } ?? AuditTime(millisecondsSince1970: .max)
        guard since <= until else { throw S3Error(.invalidArgument, "since must not be after until.") }
        filter.time = since...until
        let limit = min(try query["limit"].map { try Self.sequence($0, "limit") } ?? 1000, 10_000)
        // Everything appended so far is on disk (appends return only once durable).
        var lines = ""
        var count: UInt64 = 0
        do {
            try AuditReader(directory: audit.writer.directory).forEach(matching: filter) { record in
                guard count < limit else { return }
                lines += record.jsonLine + "\n"
                count += 1
            }
        } catch {
            throw S3Error(.internalError, "The audit trail could not be read.")
        }
        call.bytesOut = Int64(lines.utf8.count)
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: .init(byteBuffer: ByteBuffer(string: lines)))
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
