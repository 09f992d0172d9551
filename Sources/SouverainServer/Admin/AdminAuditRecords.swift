import Foundation
import Hummingbird
import NIOCore
import SouverainAudit
import SouverainS3

extension S3Server {
    /// `GET /_souverain/audit/records` (admins and auditors): the records matching the filters
    /// `bucket`, `key`, `user`, `operation`, `country`, `from`, `to` (sequences), `since`, `until`
    /// (ISO 8601) and `limit` (default 1000, at most 10000), as JSON Lines (`AuditRecord.jsonLine`,
    /// docs/audit-format.md). Each read is itself a record.
    func readAuditTrail(_ call: inout S3Call) async throws -> Response {
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

}
