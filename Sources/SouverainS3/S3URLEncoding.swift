/// Percent-encoding as S3 and SigV4 use it.
///
/// Paths keep '+' as a literal plus. Query strings turn '+' into a space, as Ceph RGW, MinIO
/// and Garage do when they decode query parameters (SDKs send spaces as `%20` anyway).
public enum S3URLEncoding {
    /// Percent-encodes every byte outside `A-Z a-z 0-9 - _ . ~` as `%XX` (uppercase hex).
    /// With `keepSlash`, '/' is kept as is (object keys in paths and listings).
    public static func encode(_ string: String, keepSlash: Bool = false) -> String {
        let utf8 = string.utf8
        if utf8.allSatisfy({ isUnreserved($0) || (keepSlash && $0 == UInt8(ascii: "/")) }) {
            return string
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-decodes `string` ('+' stays a plus). Nil when a '%' is not followed by two hex
    /// digits or when the bytes are not valid UTF-8.
    public static func decode(_ string: String) -> String? {
        percentDecode(Substring(string), plusIsSpace: false)
    }

    /// Splits a raw query string into decoded (name, value) pairs, in order. A parameter without
    /// '=' has the value "". '+' decodes to a space. A piece that cannot be decoded is kept verbatim.
    public static func parseQuery(_ raw: String) -> [(String, String)] {
        var result: [(String, String)] = []
        forEachPair(raw) { name, value in
            result.append((percentDecode(name, plusIsSpace: true) ?? String(name),
                           percentDecode(value, plusIsSpace: true) ?? String(value)))
            return true
        }
        return result
    }

    /// Like `parseQuery`, but nil when any piece is not valid percent-encoded UTF-8.
    static func parseQueryStrict(_ raw: String) -> [(name: String, value: String)]? {
        var result: [(name: String, value: String)] = []
        let complete = forEachPair(raw) { name, value in
            guard let decodedName = percentDecode(name, plusIsSpace: true),
                  let decodedValue = percentDecode(value, plusIsSpace: true)
            else { return false }
            result.append((decodedName, decodedValue))
            return true
        }
        return complete ? result : nil
    }

    // MARK: - Internals

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Calls `body` with the raw name and value of each non-empty '&'-separated piece, in order,
    /// until it returns false; returns false when it did.
    @discardableResult
    private static func forEachPair(_ raw: String, _ body: (Substring, Substring) -> Bool) -> Bool {
        let utf8 = raw.utf8
        var start = utf8.startIndex
        while start < utf8.endIndex {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "&")) ?? utf8.endIndex
            if start < end {
                let piece = raw[start..<end]
                let name: Substring, value: Substring
                if let equals = piece.utf8.firstIndex(of: UInt8(ascii: "=")) {
                    name = piece[..<equals]
                    value = piece[piece.utf8.index(after: equals)...]
                } else {
                    name = piece
                    value = piece[piece.endIndex...]
                }
                guard body(name, value) else { return false }
            }
            start = end == utf8.endIndex ? end : utf8.index(after: end)
        }
        return true
    }

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        let bytes = text.utf8
        guard bytes.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                guard first != bytes.endIndex else { return nil }
                let second = bytes.index(after: first)
                guard second != bytes.endIndex,
                      let high = hexValue(bytes[first]), let low = hexValue(bytes[second])
                else { return nil }
                out.append(high << 4 | low)
                index = bytes.index(after: second)
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = bytes.index(after: index)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
