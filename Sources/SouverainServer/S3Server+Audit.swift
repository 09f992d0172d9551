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

    /// The admin API action a request asks for, named before authentication so that a refused
    /// call is recorded as what it tried (`ShredBucket`, `Migrate`, `Repair`, ...), not as a bare
    /// `AdminAPI`; each handler confirms or refines the name.
    static func adminAction(path: String, method: HTTPRequest.Method) -> String {
        switch (path.dropFirst(adminPrefix.count), method) {
        case ("placement/enforce", .post): "EnforcePlacement"
        case ("migrate", .get): "MigrationPlan"
        case ("migrate", .post): "Migrate"
        case ("buckets/shred", .post): "ShredBucket"
        case ("locations", .get): "ListLocationHealth"
        case ("repair", .get): "RepairStatus"
        case ("repair", .post): "Repair"
        case ("scrub", .post): "Scrub"
        case ("keys", .get): "ListKeys"
        case ("keys/rotate", .post): "RotateKeys"
        case ("keys/retire", .post): "RetireKey"
        case ("keys/create", .post): "CreateKey"
        case ("keys/shred", .post): "ShredKey"
        case ("keys/grant", .post): "GrantKey"
        case ("keys/revoke", .post): "RevokeKey"
        case ("audit/records", .get): "ReadAuditTrail"
        case ("lifecycle/run", .post): "RunLifecycle"
        case ("report", .get): "GetComplianceReport"
        case ("roles", .get): "ListRoles"
        case ("roles", .post): "CreateRole"
        case ("roles", .delete): "DeleteRole"
        case ("whoami", .get): "WhoAmI"
        case ("users", .get): "ListUsers"
        case ("users", .post): "CreateUser"
        case ("users", .delete): "DeleteUser"
        case ("buckets", .get): "ListBucketGrants"
        case ("buckets/grant", .post): "GrantBucket"
        case ("buckets/revoke", .post): "RevokeBucket"
        case ("placement/explain", .get): "ExplainPlacement"
        case ("audit/verify", .get): "VerifyAuditTrail"
        default: "AdminAPI"
        }
    }

    /// The admin API under `/_souverain/`, authenticated like S3 (SigV4). For now it serves the
    /// audit trail to admins and auditors: `GET /_souverain/audit/records` with the filters
    /// `bucket`, `key`, `user`, `operation`, `country`, `from`, `to` (sequences), `since`, `until`
    /// (ISO 8601) and `limit` (default 1000, at most 10000). Each read is itself a record.
    func handleAdmin(_ call: inout S3Call) async throws -> Response {
        call.operationName = Self.adminAction(path: call.path, method: call.request.method)
        call.adminBucket = call.queryParameters["bucket"].flatMap { $0.isEmpty ? nil : $0 }
        let route = (call.path.dropFirst(Self.adminPrefix.count), call.request.method)
        let openToAnySigned = ["whoami", "placement/explain"].contains(route.0)
        let user = try adminCaller(try await authenticate(&call), call, openToAnySigned: openToAnySigned)
        switch route {
        case ("whoami", .get): return try whoAmI(&call, caller: user)
        case ("placement/explain", .get): return try explainPlacement(&call)
        case ("users", .get), ("users", .post), ("users", .delete), ("buckets", .get), ("buckets/grant", .post), ("buckets/revoke", .post):
            guard user.role == .admin else { throw S3Error(.accessDenied, "Managing users and grants needs the admin role.") }
            switch route {
            case ("users", .get): return try await listUsers(&call)
            case ("users", .post): return try await createUser(&call)
            case ("users", .delete): return try await deleteUser(&call, caller: user)
            case ("buckets", .get): return try await listBucketGrants(&call)
            case ("buckets/grant", .post): return try await grantBucket(&call)
            default: return try await revokeBucket(&call)
            }
        case ("audit/verify", .get):
            guard user.role.readsAuditTrail else { throw S3Error(.accessDenied, "Verifying the audit trail needs the admin or auditor role.") }
            return try await verifyAuditTrail(&call)
        default: break
        }
        if call.path == Self.adminPrefix + "roles" {
            return try await manageRoles(&call, user: user)
        }
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
        if call.path == Self.adminPrefix + "lifecycle/run" {
            return try await runLifecycle(&call, user: user)
        }
        if call.path == Self.adminPrefix + "report", call.request.method == .get {
            return try await serveReport(&call, user: user)
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
