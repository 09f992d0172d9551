import Foundation
import NIOCore
import SouverainS3Client

/// The audit records concerning one bucket, read from a Souverain server's admin API
/// (`GET /_souverain/audit/records?bucket=B`, the path `souverain audit export` stands for when
/// the server runs), page by page, into `audit.jsonl`.
enum AuditExport {
    /// Records per request: the admin API's maximum.
    static let pageSize: UInt64 = 10_000

    /// What became of the audit records.
    enum Outcome: Sendable {
        case written(ExportManifest.Audit)
        /// The source has no trail this client may read; the reason, for the summary.
        case unavailable(String)
    }

    /// Writes every record concerning `bucket` to `directory`'s `audit.jsonl` (through a temporary
    /// file, then a rename).
    static func write(client: S3Client, bucket: String, directory: ExportDirectory, sync: Bool) async throws -> Outcome {
        let temporary = directory.temporaryPath + "/audit-\(UUID().uuidString)"
        var sink = try FileSink(creating: temporary)
        var records = 0
        var from: UInt64 = 1
        do {
            while true {
                let page: ByteBuffer
                do {
                    page = try await client.adminRequest(
                        method: "GET", path: "audit/records",
                        query: [("bucket", bucket), ("from", String(from)), ("limit", String(pageSize))])
                } catch let error as S3ClientError where records == 0 && error.code == .s3 {
                    // 403: not an admin or auditor; 503: no trail; 404/501 and others: not a Souverain.
                    sink.discard()
                    return .unavailable(error.description)
                }
                let lines = page.readableBytesView.split(separator: UInt8(ascii: "\n"))
                for line in lines {
                    var buffer = ByteBuffer(bytes: line)
                    buffer.writeInteger(UInt8(ascii: "\n"))
                    try sink.write(buffer)
                }
                records += lines.count
                guard UInt64(lines.count) == pageSize, let last = lines.last, let sequence = Self.sequence(of: Array(last)) else { break }
                from = sequence + 1
            }
        } catch {
            sink.discard()
            throw error
        }
        let size = sink.count
        let digest = try sink.finish(sync: sync)
        try POSIX.rename(temporary, directory.auditPath)
        return .written(ExportManifest.Audit(path: ExportDirectory.auditName, records: records, size: size, sha256: digest))
    }

    /// The `sequence` of one exported record (docs/audit-format.md: every line has one).
    static func sequence(of line: [UInt8]) -> UInt64? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
              let number = object["sequence"] as? NSNumber
        else { return nil }
        return number.uint64Value
    }
}
