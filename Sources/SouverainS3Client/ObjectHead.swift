public import Foundation
import NIOHTTP1
import SouverainS3

/// What HeadObject and GetObject say about an object.
public struct ObjectHead: Sendable {
    /// The length of the body sent: the object's size, or the range's for a ranged GET.
    public var contentLength: Int64
    /// The entity tag, without quotes.
    public var etag: String?
    public var lastModified: Date?
    public var contentType: String?
    /// `bytes first-last/size` for a ranged GET.
    public var contentRange: String?
    public var versionID: String?
    /// User metadata: `x-amz-meta-*` headers, names lowercased without the prefix.
    public var metadata: [String: String]
    public var requestID: String?
    /// Every header as received.
    public var headers: [(name: String, value: String)]

    /// The object's full size: from `Content-Range` for a ranged GET, `contentLength` otherwise.
    public var objectSize: Int64 {
        if let contentRange, let slash = contentRange.lastIndex(of: "/"),
           let size = Int64(contentRange[contentRange.index(after: slash)...]) {
            return size
        }
        return contentLength
    }

    init(headers: HTTPHeaders) {
        self.contentLength = headers.first(name: "content-length").flatMap { Int64($0) } ?? 0
        self.etag = headers.first(name: "etag").map(Self.unquoted)
        self.lastModified = headers.first(name: "last-modified").flatMap(S3Date.parseHTTPDate)
        self.contentType = headers.first(name: "content-type")
        self.contentRange = headers.first(name: "content-range")
        self.versionID = headers.first(name: "x-amz-version-id")
        self.requestID = headers.first(name: "x-amz-request-id")
        var metadata: [String: String] = [:]
        for (name, value) in headers where name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(name.lowercased().dropFirst("x-amz-meta-".count))] = value
        }
        self.metadata = metadata
        self.headers = headers.map { (name: $0.name, value: $0.value) }
    }

    /// An entity tag without its surrounding quotes (and without a weak `W/` prefix), spaces trimmed.
    static func unquoted(_ etag: String) -> String {
        var bytes = Substring(etag).utf8
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes.removeFirst() }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
        if bytes.starts(with: "W/".utf8) { bytes.removeFirst(2) }
        if bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") {
            bytes.removeFirst()
            bytes.removeLast()
        }
        return String(Substring(bytes))
    }
}
