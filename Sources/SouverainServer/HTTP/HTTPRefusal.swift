import SouverainAudit
import SouverainS3

/// A request the HTTP layer refused before it became an S3 request (a header section too large
/// or too slow, a malformed request line or `Content-Length`, a connection over the cap): what
/// could be read of it and why, for the trail and the log. It never holds a header value, and
/// the target keeps only its path and the names of its query parameters, so no signature or
/// credential of a presigned URL is kept.
struct HTTPRefusal: Sendable {
    static let targetLimit = 256

    var requestID: String
    var source: String?
    var method: String?
    var target: String?
    /// Bytes and lines of the header section read before the refusal.
    var headerBytes: Int
    var headerLines: Int
    var code: S3ErrorCode
    var reason: String

    init(
        requestID: String, source: String?, method: String?, target: String?, headerBytes: Int, headerLines: Int,
        code: S3ErrorCode, reason: String
    ) {
        self.requestID = requestID
        self.source = source
        self.method = method
        self.target = target.map(Self.redacted)
        self.headerBytes = headerBytes
        self.headerLines = headerLines
        self.code = code
        self.reason = reason
    }

    /// `/bucket/key?X-Amz-Signature=abc&uploadId=1` becomes `/bucket/key?X-Amz-Signature&uploadId`,
    /// at most `targetLimit` characters.
    static func redacted(_ target: String) -> String {
        var shown = target
        if let mark = target.firstIndex(of: "?") {
            let names = target[target.index(after: mark)...].split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).first ?? "" }
            shown = String(target[..<mark]) + "?" + names.joined(separator: "&")
        }
        return shown.count > targetLimit ? String(shown.prefix(targetLimit)) + "…" : shown
    }

    /// `reason; method=PUT target=/b/k header-bytes=1200 header-lines=9`.
    var detail: String {
        var out = reason + ";"
        if let method { out += " method=\(method)" }
        if let target { out += " target=\(target)" }
        return out + " header-bytes=\(headerBytes) header-lines=\(headerLines)"
    }

    var event: AuditEvent {
        AuditEvent(
            requestID: requestID, sourceAddress: source, operation: .refusedRequest, status: UInt16(code.status),
            errorCode: code.name, detail: detail)
    }
}
