import Crypto

/// Where an object's bytes are kept in an export's `objects/` tree: a pure function of the key,
/// injective, whose result can never leave `objects/` (docs/export-format.md, "Paths").
///
/// The key is split into segments at every `/` (a Unicode scalar, never a `Character`: `/`
/// followed by a combining mark is still a separator). Each segment is written as is, except:
/// - `%`, `~`, the characters Windows forbids (`\ : * ? " < > |`), C0 and C1 controls, DEL, and
///   the invisible line, paragraph, byte-order and bidirectional controls are percent-encoded,
///   byte by byte of their UTF-8 (`%2F` style, upper-case hex);
/// - an empty segment (from a leading `/`, `//` or a trailing `/`) is written `%`;
/// - a trailing `.` or space is percent-encoded, so `.` becomes `%2E` and `..` becomes `.%2E`;
/// - a segment whose name before its first `.` is a Windows device name (`CON`, `nul`, `COM1`...)
///   has its first character percent-encoded;
/// - a segment longer than `maximumSegmentBytes` once encoded is cut (between whole escapes and
///   scalars) to `truncatedPrefixBytes` and followed by `~` and 32 hex digits of the SHA-256 of
///   the original segment; only such a segment holds a `~`.
///
/// Every other path decodes back to its key (`decode`). The manifest, which keeps the key,
/// is authoritative in every case.
public enum ObjectPath {
    /// The longest encoded segment kept whole (file systems allow 255 bytes per name).
    public static let maximumSegmentBytes = 200
    /// How much of a longer encoded segment is kept before its `~` and hash.
    public static let truncatedPrefixBytes = 160

    /// The path, relative to `objects/`, for `key`.
    public static func encode(_ key: String) -> String {
        segments(of: key).map(encodeSegment).joined(separator: "/")
    }

    /// The segments of a key: split at every U+002F, empty ones kept.
    static func segments(of key: String) -> [String.UnicodeScalarView.SubSequence] {
        key.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// One segment, encoded as the type's documentation says.
    static func encodeSegment(_ segment: String.UnicodeScalarView.SubSequence) -> String {
        if segment.isEmpty { return "%" }
        let scalars = Array(segment)
        var pieces: [String] = []
        pieces.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            let isLast = index == scalars.count - 1
            let mustEncode = needsEncoding(scalar)
                || (isLast && (scalar == "." || scalar == " "))
                || (index == 0 && isWindowsDeviceName(scalars))
            pieces.append(mustEncode ? percentEncoded(scalar) : String(Character(scalar)))
        }
        var encoded = pieces.joined()
        guard encoded.utf8.count > maximumSegmentBytes else { return encoded }
        encoded = ""
        var length = 0
        for piece in pieces {
            let pieceLength = piece.utf8.count
            guard length + pieceLength <= truncatedPrefixBytes else { break }
            encoded += piece
            length += pieceLength
        }
        let digest = SHA256.hash(data: Array(String(String.UnicodeScalarView(segment)).utf8))
        return encoded + "~" + Hex.encode(digest.prefix(16))
    }

    /// Whether a scalar is written percent-encoded wherever it appears.
    static func needsEncoding(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F, 0x80...0x9F: return true
        case 0x25, 0x7E: return true  // % and ~: this encoding's own markers
        case 0x5C, 0x3A, 0x2A, 0x3F, 0x22, 0x3C, 0x3E, 0x7C: return true  // \ : * ? " < > |
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }

    /// `CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`, `LPT0`–`LPT9`, in any case, alone or before a `.`.
    static func isWindowsDeviceName(_ scalars: [Unicode.Scalar]) -> Bool {
        let base = scalars.prefix { $0 != "." }
        guard base.count == 3 || base.count == 4, base.allSatisfy(\.isASCII) else { return false }
        let name = String(String.UnicodeScalarView(base)).uppercased()
        if base.count == 3 { return ["CON", "PRN", "AUX", "NUL"].contains(name) }
        return (name.hasPrefix("COM") || name.hasPrefix("LPT")) && name.last!.isNumber
    }

    static func percentEncoded(_ scalar: Unicode.Scalar) -> String {
        var out = ""
        for byte in String(Character(scalar)).utf8 {
            out += "%" + String(Hex.upperDigits[Int(byte >> 4)]) + String(Hex.upperDigits[Int(byte & 0x0F)])
        }
        return out
    }

    /// The key a path (relative to `objects/`) stands for; nil when the path is not the
    /// encoding of any key, or holds a cut segment (`~`), which only the manifest can resolve.
    public static func decode(_ path: String) -> String? {
        var key: [UInt8] = []
        for (index, segment) in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).enumerated() {
            if index > 0 { key.append(UInt8(ascii: "/")) }
            if segment.elementsEqual("%".utf8) { continue }
            var bytes = segment.makeIterator()
            while let byte = bytes.next() {
                if byte == UInt8(ascii: "~") { return nil }
                guard byte == UInt8(ascii: "%") else {
                    key.append(byte)
                    continue
                }
                guard let high = bytes.next().flatMap(Hex.value), let low = bytes.next().flatMap(Hex.value) else { return nil }
                key.append(high << 4 | low)
            }
        }
        guard let decoded = String(validating: key, as: UTF8.self), encode(decoded).utf8.elementsEqual(path.utf8) else {
            return nil
        }
        return decoded
    }

    /// Whether a path (relative to `objects/`) is one an export may hold: relative, made of
    /// non-empty segments none of which is `.` or `..`, without NUL or backslash. A manifest that
    /// names any other path is refused before a byte is read or written.
    public static func isSafe(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, !bytes.contains(0), !bytes.contains(UInt8(ascii: "\\")) else { return false }
        for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if segment.isEmpty || segment.count > 255 { return false }
            if segment.elementsEqual([UInt8(ascii: ".")]) || segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                return false
            }
        }
        return true
    }
}
