import Foundation

/// The S3 XML namespace, set on the root of every response.
let s3XMLNamespace = "http://s3.amazonaws.com/doc/2006-03-01/"

/// Builds an XML document: a declaration, one root, no indentation.
///
/// Element names are trusted (they come from this module); all text goes through the escaping of
/// `XMLWriter.escape`. The document is built as UTF-8 bytes and becomes a String once, at the end:
/// a 1000-key listing is about 250 KB, and appending it to a String piece by piece (and escaping
/// every quoted ETag scalar by scalar) was half of a listing's time in the server's profile.
public struct XMLWriter {
    private var output: [UInt8] = []

    /// Starts a document whose root carries the S3 namespace (or none when `namespace` is nil).
    init(root: String, namespace: String? = s3XMLNamespace) {
        output.reserveCapacity(512)
        raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<")
        raw(root)
        if let namespace {
            raw(" xmlns=\"")
            Self.escape(namespace, into: &output)
            raw("\"")
        }
        raw(">")
    }

    /// A document made of one empty root element, e.g. `<VersioningConfiguration xmlns="…"/>`.
    static func emptyDocument(root: String, namespace: String? = s3XMLNamespace) -> String {
        var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root
        if let namespace { output += " xmlns=\"" + escape(namespace) + "\"" }
        return output + "/>"
    }

    /// Markup written as is (element names, attributes: never text from a request or a record).
    private mutating func raw(_ markup: String) {
        var markup = markup
        markup.withUTF8 { output.append(contentsOf: $0) }
    }

    mutating func open(_ name: String, attributes: String = "") {
        raw("<")
        raw(name)
        raw(attributes)
        raw(">")
    }

    mutating func close(_ name: String) {
        raw("</")
        raw(name)
        raw(">")
    }

    /// Escaped text inside the element last opened.
    mutating func append(text: String) {
        Self.escape(text, into: &output)
    }

    mutating func element(_ name: String, _ text: String) {
        open(name)
        Self.escape(text, into: &output)
        close(name)
    }

    /// Writes the element only when `text` is not nil.
    mutating func element(_ name: String, ifPresent text: String?) {
        if let text { element(name, text) }
    }

    mutating func element(_ name: String, _ value: Int) { element(name, String(value)) }
    mutating func element(_ name: String, _ value: Int64) { element(name, String(value)) }
    mutating func element(_ name: String, _ value: Bool) { element(name, value ? "true" : "false") }
    mutating func element(_ name: String, _ date: Date) { element(name, S3Date.iso8601(date)) }

    mutating func owner(_ name: String, _ owner: S3Owner) {
        open(name)
        element("ID", owner.id)
        element("DisplayName", ifPresent: owner.displayName)
        close(name)
    }

    /// `"etag"`: quotes are added unless the value already has them.
    mutating func etag(_ etag: String) {
        open("ETag")
        let quoted = ETag.isQuoted(etag)
        if !quoted { raw("&quot;") }
        Self.escape(etag, into: &output)
        if !quoted { raw("&quot;") }
        close("ETag")
    }

    mutating func checksums(_ checksums: [String: String]) {
        for (name, value) in S3Checksums.ordered(checksums) { element(name, value) }
    }

    /// Closes the root and returns the document.
    consuming func finish(closing root: String) -> String {
        close(root)
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: - Escaping

    /// Escapes text for XML 1.0 element content or attribute values.
    ///
    /// `& < > " '` become entities, CR becomes `&#xD;` (so parsers do not turn it into LF), and
    /// DEL and the C1 controls (U+007F–U+009F) become `&#x..;`. Tab and LF stay literal. The
    /// characters XML 1.0 cannot carry at all, even as references (the C0 controls other than
    /// tab, LF and CR, and U+FFFE, U+FFFF), are replaced by U+FFFD; a client that needs them
    /// exact must list with `encoding-type=url`. Public: the S3 client's request bodies and the
    /// STS answers escape their text with it too.
    public static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        escape(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `escape`, appended to `out` as UTF-8. A String is valid UTF-8, so the scalars to change are
    /// recognised by their bytes: U+0080–U+009F are C2 80–C2 9F, U+FFFE and U+FFFF are EF BF BE/BF.
    static func escape(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0  // the first byte not yet copied
            var index = 0
            func flush(upTo end: Int) {
                if start < end { out.append(contentsOf: bytes[start..<end]) }
            }
            func replace(_ count: Int, with replacement: StaticString) {
                flush(upTo: index)
                replacement.withUTF8Buffer { out.append(contentsOf: $0) }
                index += count
                start = index
            }
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case 0x26: replace(1, with: "&amp;")
                case 0x3C: replace(1, with: "&lt;")
                case 0x3E: replace(1, with: "&gt;")
                case 0x22: replace(1, with: "&quot;")
                case 0x27: replace(1, with: "&apos;")
                case 0x0D: replace(1, with: "&#xD;")
                case 0x09, 0x0A: index += 1
                case 0x00...0x1F: replace(1, with: "\u{FFFD}")
                case 0x7F: replace(1, with: "&#x7F;")
                case 0xC2 where index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]):
                    let value = bytes[index + 1]
                    flush(upTo: index)
                    out.append(contentsOf: "&#x".utf8)
                    out.append(hexDigit(value >> 4))
                    out.append(hexDigit(value & 0x0F))
                    out.append(UInt8(ascii: ";"))
                    index += 2
                    start = index
                case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBF && (bytes[index + 2] == 0xBE || bytes[index + 2] == 0xBF):
                    replace(3, with: "\u{FFFD}")
                default: index += 1
                }
            }
            flush(upTo: bytes.count)
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }
}

/// The order in which checksum elements appear, as in AWS responses.
enum S3Checksums {
    static let knownOrder = [
        "ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256",
        "ChecksumSHA512", "ChecksumMD5", "ChecksumXXHASH64", "ChecksumXXHASH3", "ChecksumXXHASH128",
    ]

    /// Known names first in AWS order, then any other `Checksum[A-Za-z0-9]+` sorted by name;
    /// names that are not of that form are dropped (they become element names).
    static func ordered(_ checksums: [String: String]) -> [(String, String)] {
        guard !checksums.isEmpty else { return [] }
        var result: [(String, String)] = []
        for name in knownOrder { if let value = checksums[name] { result.append((name, value)) } }
        for name in checksums.keys.sorted() where !knownOrder.contains(name) && isChecksumName(name) {
            result.append((name, checksums[name]!))
        }
        return result
    }

    static func isChecksumName(_ name: String) -> Bool {
        name.hasPrefix("Checksum") && name.utf8.count > 8 && name.utf8.dropFirst(8).allSatisfy {
            ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
        }
    }
}

enum ETag {
    /// Whether the ETag is already between double quotes, as S3 writes it.
    static func isQuoted(_ etag: String) -> Bool {
        etag.utf8.count >= 2 && etag.utf8.first == UInt8(ascii: "\"") && etag.utf8.last == UInt8(ascii: "\"")
    }

    /// The ETag without surrounding whitespace and double quotes.
    static func unquoted(_ etag: String) -> String {
        var value = Substring(etag)
        while let first = value.first, first.isWhitespace { value.removeFirst() }
        while let last = value.last, last.isWhitespace { value.removeLast() }
        if value.hasPrefix("\"") { value.removeFirst() }
        if value.hasSuffix("\"") { value.removeLast() }
        return String(value)
    }
}
