import Foundation

/// The `multipart/form-data` body of a browser-form upload (PostObject), read as it arrives: the
/// fields before the `file` field are read whole (they are small and bounded), then the file's
/// bytes stream through `MultipartForm.FileScanner` up to the boundary that ends them. Fields
/// after the file are ignored, as AWS ignores them.
public enum MultipartForm {
    /// The most bytes read before the file's content starts (AWS allows 20 KB of fields before
    /// the file). Small, so that parsing the start again as each piece arrives stays cheap.
    public static let maximumFieldBytes = 20 * 1024

    /// The boundary of a `multipart/form-data` Content-Type, nil when it is another type.
    public static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "="), part[..<equals].lowercased() == "boundary" else { continue }
            var value = String(part[part.index(after: equals)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.utf8.count > 200 ? nil : value
        }
        return nil
    }

    /// What precedes the file: the fields in order, the file part's own details, and the bytes of
    /// the file already read.
    public struct Head: Sendable, Equatable {
        public var fields: [(name: String, value: String)]
        public var fileName: String?
        public var fileContentType: String?
        public var fileBytes: [UInt8]

        public static func == (lhs: Head, rhs: Head) -> Bool {
            lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
                && lhs.fileName == rhs.fileName && lhs.fileContentType == rhs.fileContentType && lhs.fileBytes == rhs.fileBytes
        }
    }

    /// Parses the start of the body up to the file's content: nil when more bytes are needed.
    /// Throws `MalformedPOSTRequest` for a body that is not form data, `InvalidArgument` when the
    /// form ends without a file, and `MaxPostPreDataLengthExceededError`'s equivalent when the
    /// fields are too large.
    public static func head(_ buffer: [UInt8], boundary: String) throws(S3Error) -> Head? {
        let opening = Array(("--" + boundary).utf8)
        let delimiter = Array(("\r\n--" + boundary).utf8)
        guard let first = find(opening, in: buffer, from: 0) else {
            if buffer.count > maximumFieldBytes { throw malformed() }
            return nil
        }
        guard first == 0 || find(delimiter, in: buffer, from: 0) == first - 2 else { throw malformed() }
        var position = first + opening.count
        var fields: [(name: String, value: String)] = []
        while true {
            // After a boundary: CRLF and a part, or "--" and the end.
            guard buffer.count >= position + 2 else { return try needMore(buffer) }
            if buffer[position] == UInt8(ascii: "-"), buffer[position + 1] == UInt8(ascii: "-") {
                throw S3Error(.invalidArgument, "POST requires exactly one file upload per request.")
            }
            guard buffer[position] == 13, buffer[position + 1] == 10 else { throw malformed() }
            position += 2
            guard let headersEnd = find([13, 10, 13, 10], in: buffer, from: position) else { return try needMore(buffer) }
            let headers = try partHeaders(buffer[position..<headersEnd])
            position = headersEnd + 4
            guard let disposition = headers["content-disposition"], let name = parameter("name", of: disposition) else {
                throw malformed()
            }
            if name.lowercased() == "file" {
                return Head(
                    fields: fields, fileName: parameter("filename", of: disposition), fileContentType: headers["content-type"],
                    fileBytes: Array(buffer[position...]))
            }
            guard let end = find(delimiter, in: buffer, from: position) else { return try needMore(buffer) }
            guard let value = String(validating: buffer[position..<end], as: UTF8.self) else { throw malformed() }
            fields.append((name, value))
            position = end + delimiter.count
        }
    }

    static func needMore(_ buffer: [UInt8]) throws(S3Error) -> Head? {
        if buffer.count > maximumFieldBytes {
            throw S3Error(.invalidArgument, "Your POST request fields preceding the upload file were too large (over 20 KiB).")
        }
        return nil
    }

    static func malformed() -> S3Error {
        S3Error(.malformedPOSTRequest, "The body of your POST request is not well-formed multipart/form-data.")
    }

    /// A part's headers, names lowercased.
    static func partHeaders(_ bytes: ArraySlice<UInt8>) throws(S3Error) -> [String: String] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw malformed() }
        var headers: [String: String] = [:]
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw malformed() }
            headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    /// A parameter of a Content-Disposition value (`name="key"`), unquoted.
    static func parameter(_ wanted: String, of disposition: String) -> String? {
        for piece in disposition.split(separator: ";").dropFirst() {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals].lowercased() == wanted else { continue }
            var value = String(trimmed[trimmed.index(after: equals)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    /// The first index of `needle` in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let head = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == head {
                var matched = 1
                while matched < needle.count, haystack[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    /// The file's bytes, up to the boundary that ends them: feed what arrives, pass on what it
    /// returns. Bytes that could be the start of the boundary are held back until the next feed.
    public struct FileScanner: Sendable {
        let delimiter: [UInt8]
        var pending: [UInt8] = []
        public private(set) var finished = false

        public init(boundary: String) {
            delimiter = Array(("\r\n--" + boundary).utf8)
        }

        /// The file bytes that `bytes` completes; `finished` turns true at the closing boundary
        /// (what follows it is dropped).
        public mutating func feed(_ bytes: [UInt8]) -> [UInt8] {
            guard !finished else { return [] }
            pending += bytes
            if let end = MultipartForm.find(delimiter, in: pending, from: 0) {
                finished = true
                let out = Array(pending[..<end])
                pending = []
                return out
            }
            let keep = min(pending.count, delimiter.count - 1)
            let out = Array(pending[..<(pending.count - keep)])
            pending.removeFirst(pending.count - keep)
            return out
        }
    }
}
