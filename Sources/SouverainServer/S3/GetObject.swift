import Foundation
import Hummingbird
import HTTPTypes
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3
import SouverainSigV4

extension S3Server {
    /// GetObject and HeadObject: conditionals, a single range, response-* overrides, then the
    /// bytes: read whole when they fit in one read chunk, else streamed from storage with
    /// backpressure.
    func getObject(_ bucket: String, _ key: String, isHead: Bool, _ call: inout S3Call) async throws -> Response {
        let record = try await store.objectVersion(bucket: bucket, key: key, versionID: call.queryParameters["versionId"])
        call.versionID = record.versionID ?? (call.bucket?.versioning == nil ? nil : "null")
        let customerKey = try ObjectHeaders.customerKey(call.head)
        try store.checkCustomerKey(record, customerKey)
        try Self.checkConditions(record, head: call.head)

        var status = HTTPResponse.Status.ok
        var range: ClosedRange<Int64>?
        if let partNumber = try Self.requestedPart(call) {
            // ?partNumber=N: the bytes of part N, as a range (a single-part object is one part).
            guard partNumber <= record.reportedPartCount else {
                throw S3Error(.invalidPartNumber, "The requested partnumber is not satisfiable",
                              extra: [("PartNumberRequested", String(partNumber)), ("ActualPartCount", String(record.reportedPartCount))])
            }
            range = record.byteRange(ofPart: partNumber)
            if range != nil { status = .partialContent }
        } else {
            switch RangeRequest.parse(call.header("range"), size: record.size) {
            case .none:
                break
            case .satisfiable(let wanted):
                range = wanted
                status = .partialContent
            case .unsatisfiable:
                throw S3Error(.invalidRange, "The requested range is not satisfiable",
                              extra: [("RangeRequested", call.header("range") ?? ""), ("ActualObjectSize", String(record.size))])
            }
        }
        let wantsChecksums = call.header("x-amz-checksum-mode")?.uppercased() == "ENABLED" && range == nil
        var headers = ObjectHeaders.responseHeaders(for: record, includeChecksums: wantsChecksums)
        ObjectHeaders.addVersion(of: record, bucket: call.bucket, to: &headers)
        ObjectHeaders.addTagCount(of: record, to: &headers)
        if let range { headers[.contentRange] = RangeRequest.contentRange(range, size: record.size) }
        Self.applyOverrides(call.queryParameters, to: &headers)
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? record.size
        headers[.contentLength] = String(length)
        if isHead {
            return Response(status: status, headers: headers, body: .init())
        }
        try await store.authorizeRead(record, user: call.user)
        try await store.checkReadable(record)
        call.bytesOut = length
        call.touched(store.readLocation(of: record), .read)
        let store = self.store
        let wanted = range
        if length <= ObjectStore.readChunkSize {
            // A body no longer than one read chunk (what a streamed read holds at once anyway) is
            // read before the response starts: head, body and end then leave in one write to the
            // connection instead of three, and a blob that fails to read or authenticate is an
            // S3 error rather than a body cut short.
            var body = ByteBuffer()
            do {
                try await store.read(record, range: wanted, customerKey: customerKey) { piece in
                    if body.readableBytes == 0 { body = piece } else { body.writeImmutableBuffer(piece) }
                }
            } catch {
                call.bytesOut = 0  // the trail records that no byte went out
                throw error
            }
            return Response(status: status, headers: headers, body: .init(byteBuffer: body))
        }
        let body = ResponseBody(contentLength: Int(length)) { writer in
            try await store.read(record, range: wanted, customerKey: customerKey) { buffer in try await writer.write(buffer) }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The `partNumber` a GET or HEAD asks for (validated by the parser: 1 to 10000), refused
    /// together with a Range header, as AWS refuses it.
    static func requestedPart(_ call: S3Call) throws -> Int? {
        guard let raw = call.queryParameters["partNumber"], let number = Int(raw) else { return nil }
        if call.header("range") != nil {
            throw S3Error(.invalidRequest, "Cannot specify both Range header and partNumber query parameter")
        }
        return number
    }

    /// If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since, with S3's precedence:
    /// a true If-Match overrides a false If-Unmodified-Since; a false If-None-Match overrides a
    /// true If-Modified-Since.
    static func checkConditions(_ record: ObjectRecord, head: S3RequestHead) throws {
        let modified = record.lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch = head.header("if-match") {
            if !etagMatches(ifMatch, record.etag) { throw S3Error(.preconditionFailed, "At least one of the pre-conditions you specified did not hold", extra: [("Condition", "If-Match")]) }
        } else if let since = head.header("if-unmodified-since").flatMap(S3Date.parseHTTPDate),
                  modified > since.timeIntervalSince1970 {
            throw S3Error(.preconditionFailed, "At least one of the pre-conditions you specified did not hold", extra: [("Condition", "If-Unmodified-Since")])
        }
        if let ifNoneMatch = head.header("if-none-match") {
            if etagMatches(ifNoneMatch, record.etag) { throw notModified(record) }
        } else if let since = head.header("if-modified-since").flatMap(S3Date.parseHTTPDate),
                  modified <= since.timeIntervalSince1970 {
            throw notModified(record)
        }
    }

    /// 304 carries no body; the ETag travels in `extra` to the response headers.
    static func notModified(_ record: ObjectRecord) -> S3Error {
        S3Error(.notModified, "Not Modified", extra: [("ETag", "\"\(record.etag)\"")])
    }

    /// Whether an If-Match style list (`"a", "b"`, `*`, weak tags) names this ETag.
    static func etagMatches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || ObjectStore.unquoted(trimmed) == etag
        }
    }

    static func applyOverrides(_ query: [String: String], to headers: inout HTTPFields) {
        let overrides: [(String, HTTPField.Name)] = [
            ("response-content-type", .contentType), ("response-content-language", .contentLanguage),
            ("response-expires", .expires), ("response-cache-control", .cacheControl),
            ("response-content-disposition", .contentDisposition), ("response-content-encoding", .contentEncoding),
        ]
        for (parameter, field) in overrides {
            if let value = query[parameter] { headers[field] = value }
        }
    }
}
