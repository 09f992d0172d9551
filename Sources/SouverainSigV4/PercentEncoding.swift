/// Percent-encoding as Signature V4 canonicalises it (RFC 3986 unreserved characters kept).
enum PercentEncoding {
    private static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Decodes `%XX` escapes; nil when an escape is malformed. `+` stays `+`.
    static func decode(_ string: some StringProtocol) -> [UInt8]? {
        var out: [UInt8] = []
        var bytes = string.utf8.makeIterator()
        out.reserveCapacity(string.utf8.count)
        while let byte = bytes.next() {
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                continue
            }
            guard let high = bytes.next().flatMap(Hex.value(of:)),
                let low = bytes.next().flatMap(Hex.value(of:))
            else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    /// Decodes `%XX` escapes, keeping a malformed escape as literal text.
    static func decodeLeniently(_ string: some StringProtocol) -> [UInt8] {
        let bytes = Array(string.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = Hex.value(of: bytes[index + 1]), let low = Hex.value(of: bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    /// Encodes every byte except `A-Z a-z 0-9 - . _ ~` (and `/` when `keepSlash`) as `%XX`, uppercase.
    static func encode(_ bytes: some Sequence<UInt8>, keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperDigits[Int(byte >> 4)])
                out.append(upperDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
