import Foundation

/// The S3 XML namespace, set on the root of every response.
let s3XMLNamespace = "http://s3.amazonaws.com/doc/2006-03-01/"

/// Builds an XML document as a String: a declaration, one root, no indentation.
///
/// Element names are trusted (they come from this module); all text goes through `XMLWriter.escape`.
struct XMLWriter {
    private(set) var output: String

    /// Starts a document whose root carries the S3 namespace (or none when `namespace` is nil).
    init(root: String, namespace: String? = s3XMLNamespace) {
        output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<"
        output.reserveCapacity(512)
        output += root
        if let namespace {
            output += " xmlns=\""
            output += Self.escape(namespace)
            output += "\""
        }
        output += ">"
    }

    /// A document made of one empty root element, e.g. `<VersioningConfiguration xmlns="…"/>`.
    static func emptyDocument(root: String, namespace: String? = s3XMLNamespace) -> String {
        var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root
        if let namespace { output += " xmlns=\"" + escape(namespace) + "\"" }
        return output + "/>"
    }

    mutating func open(_ name: String, attributes: String = "") {
        output += "<"
        output += name
        output += attributes
        output += ">"
    }

    mutating func close(_ name: String) {
        output += "</"
        output += name
        output += ">"
    }

    /// Escaped text inside the element last opened.
    mutating func append(text: String) {
        output += Self.escape(text)
    }

    mutating func element(_ name: String, _ text: String) {
        open(name)
        output += Self.escape(text)
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
        element("ETag", ETag.quoted(etag))
    }

    mutating func checksums(_ checksums: [String: String]) {
        for (name, value) in S3Checksums.ordered(checksums) { element(name, value) }
    }

    /// Closes the root and returns the document.
    consuming func finish(closing root: String) -> String {
        close(root)
        return output
    }

    // MARK: - Escaping

    /// Escapes text for XML 1.0 element content or attribute values.
    ///
    /// `& < > " '` become entities, CR becomes `&#xD;` (so parsers do not turn it into LF), and
    /// DEL and the C1 controls (U+007F–U+009F) become `&#x..;`. Tab and LF stay literal. The
    /// characters XML 1.0 cannot carry at all, even as references (the C0 controls other than
    /// tab, LF and CR, and U+FFFE, U+FFFF), are replaced by U+FFFD; a client that needs them
    /// exact must list with `encoding-type=url`.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: needsEscaping) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: out += "&amp;"
            case 0x3C: out += "&lt;"
            case 0x3E: out += "&gt;"
            case 0x22: out += "&quot;"
            case 0x27: out += "&apos;"
            case 0x09, 0x0A: out.unicodeScalars.append(scalar)
            case 0x0D: out += "&#xD;"
            case 0x00...0x1F, 0xFFFE, 0xFFFF: out += "\u{FFFD}"
            case 0x7F...0x9F: out += "&#x" + String(scalar.value, radix: 16, uppercase: true) + ";"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// True for bytes that start something `escape` changes (a superset is fine: it only picks the slow path).
    @inline(__always)
    private static func needsEscaping(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x26, 0x3C, 0x3E, 0x22, 0x27: return true
        case 0x09, 0x0A: return false
        case 0x00...0x1F, 0x7F: return true
        case 0xC2, 0xEF: return true  // lead bytes of U+0080–U+00BF and U+F000–U+FFFF
        default: return false
        }
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
    /// The ETag between double quotes, as S3 writes it; an already-quoted value is kept.
    static func quoted(_ etag: String) -> String {
        etag.utf8.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? etag : "\"" + etag + "\""
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
