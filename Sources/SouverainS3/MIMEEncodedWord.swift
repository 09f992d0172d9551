import Foundation

/// RFC 2047 encoded words (`=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?=`), as S3 uses them for user metadata
/// on the REST API: a value sent encoded is decoded before it is stored; a stored value that is
/// not US-ASCII is answered encoded (base64, UTF-8), so that a header stays mail-safe ASCII and
/// every client reads back exactly the bytes it can decode (the S3 user guide, "Working with
/// object metadata", user-defined metadata).
public enum MIMEEncodedWord {
    /// The value as S3 answers it: unchanged when US-ASCII, else one `=?UTF-8?B?...?=` word.
    public static func encode(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 >= 0x80 }) else { return value }
        return "=?UTF-8?B?" + Data(value.utf8).base64EncodedString() + "?="
    }

    /// The value as S3 stores it: every encoded word decoded (UTF-8, US-ASCII or ISO-8859-1
    /// charsets; B or Q encoding), whitespace between adjacent encoded words dropped, other text
    /// kept. A value that holds a malformed or undecodable word is kept as sent.
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        let bytes = Array(value.utf8)
        var output: [UInt8] = []
        var pendingSpace: [UInt8] = []
        var afterWord = false
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "="), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?"),
               let (decoded, end) = word(bytes, at: index) {
                // Whitespace between two encoded words is not part of the text.
                if !afterWord { output += pendingSpace }
                pendingSpace = []
                output += decoded
                afterWord = true
                index = end
                continue
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                pendingSpace.append(byte)
            } else {
                guard !(byte == UInt8(ascii: "=") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "?")) else {
                    return value  // "=?" that does not start a valid word
                }
                output += pendingSpace
                pendingSpace = []
                output.append(byte)
                afterWord = false
            }
            index += 1
        }
        output += pendingSpace
        return String(validating: output, as: UTF8.self) ?? value
    }

    /// The decoded bytes of the encoded word starting at `start` (with "=?"), as UTF-8, and the
    /// index after it; nil when there is none there.
    private static func word(_ bytes: [UInt8], at start: Int) -> ([UInt8], Int)? {
        // =?charset?E?text?=
        var fields: [[UInt8]] = []
        var current: [UInt8] = []
        var index = start + 2
        while index < bytes.count, fields.count < 2 {
            if bytes[index] == UInt8(ascii: "?") {
                fields.append(current)
                current = []
            } else {
                current.append(bytes[index])
            }
            index += 1
        }
        guard fields.count == 2 else { return nil }
        var text: [UInt8] = []
        while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "?") && bytes[index + 1] == UInt8(ascii: "=")) {
            guard bytes[index] != UInt8(ascii: " ") else { return nil }
            text.append(bytes[index])
            index += 1
        }
        guard index + 1 < bytes.count else { return nil }
        let end = index + 2
        // RFC 2231 allows a language after '*' in the charset: "UTF-8*en".
        let charset = String(decoding: fields[0], as: UTF8.self).split(separator: "*").first.map(String.init)?.lowercased() ?? ""
        let encoding = String(decoding: fields[1], as: UTF8.self).uppercased()
        let raw: [UInt8]
        switch encoding {
        case "B":
            guard let data = Data(base64Encoded: Data(text)) else { return nil }
            raw = Array(data)
        case "Q":
            guard let decoded = quoted(text) else { return nil }
            raw = decoded
        default:
            return nil
        }
        switch charset {
        case "utf-8", "utf8":
            return (raw, end)
        case "us-ascii":
            guard raw.allSatisfy({ $0 < 0x80 }) else { return nil }
            return (raw, end)
        case "iso-8859-1", "latin1":
            return (Array(String(raw.map { Character(Unicode.Scalar($0)) }).utf8), end)
        default:
            return nil
        }
    }

    /// RFC 2047 "Q": `_` is a space, `=XX` a byte in hex.
    private static func quoted(_ text: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var index = 0
        while index < text.count {
            switch text[index] {
            case UInt8(ascii: "_"):
                out.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "="):
                guard index + 2 < text.count,
                      let byte = UInt8(String(decoding: text[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
                else { return nil }
                out.append(byte)
                index += 3
            default:
                out.append(text[index])
                index += 1
            }
        }
        return out
    }
}
