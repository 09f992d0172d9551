import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

extension S3Server {
    /// `POST /_souverain/placement/enforce` (admins): moves every object stored where its rules
    /// no longer allow it, and answers one JSON line per object. Each move is a record of the
    /// audit trail, with the location read and the location written; the old blobs are deleted
    /// by garbage collection after the grace period. One enforcement runs at a time.
    func enforcePlacement(_ call: inout S3Call, user: User) async throws -> Response {
        call.operationName = "EnforcePlacement"
        guard user.role == .admin else { throw S3Error(.accessDenied, "Enforcing placement needs the admin role.") }
        guard enforcement.start() else {
            throw S3Error(.operationAborted, "A placement enforcement is already running; try again when it has finished.")
        }
        defer { enforcement.finish() }
        var lines = ""
        let requestID = call.requestID
        let who = "\(user.name) (\(user.accessKeyID))"
        let source = call.remoteAddress
        var moved: Int64 = 0
        try await store.enforcePlacement { relocation in
            var line: [String: Any] = [
                "bucket": relocation.object.bucket, "key": relocation.object.key, "size": relocation.object.size,
                "classification": relocation.classification, "from": relocation.from, "outcome": relocation.outcome.rawValue,
            ]
            if let to = relocation.to { line["to"] = to }
            if let message = relocation.message { line["message"] = message }
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
            lines += String(decoding: data, as: UTF8.self) + "\n"
            guard relocation.outcome == .moved, let to = relocation.to else { return }
            moved += relocation.object.size
            if let audit {
                let size = UInt64(relocation.object.size)
                let event = AuditEvent(
                    requestID: requestID, user: who, sourceAddress: source, operation: AuditOperation("RelocateObject"),
                    bucket: relocation.object.bucket, key: relocation.object.key, bytesIn: size, bytesOut: size,
                    locations: [audit.access(relocation.from, .read), audit.access(to, .write), audit.access(relocation.from, .delete)],
                    status: 200, errorCode: nil)
                try await audit.record(event)
            }
        }
        call.bytesOut = Int64(lines.utf8.count)
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: .init(byteBuffer: ByteBuffer(string: lines)))
    }
}

/// At most one placement enforcement at a time.
final class EnforcementGate: Sendable {
    private let running = NIOLockedValueBox(false)

    func start() -> Bool {
        running.withLockedValue { running in
            if running { return false }
            running = true
            return true
        }
    }

    func finish() { running.withLockedValue { $0 = false } }
}
