/// Writes the JSON text `JSONEncoder` with `.sortedKeys` writes, byte for byte, for the columns a
/// catalogue fills on every PUT: an object's segments and its checksums.
///
/// `JSONEncoder` was about 4% of a small PUT's server CPU (docs/benchmarks.md, "Issue 18's
/// fourteenth round"). Byte for byte, because a catalogue finds a row by the text it stored
/// (`rewrapObject` matches the old segments), and rows written before this writer existed were
/// written by `JSONEncoder`. Strings are escaped as it escapes them: `"`, `\` and `/` with a
/// backslash, `\b \f \n \r \t`, other control characters as `\u00xx`, everything else as is.
public struct CatalogueJSONWriter {
    private var bytes: [UInt8] = []

    private init() {
        bytes.reserveCapacity(256)
    }

    /// `[BlobSegment]` as `JSONEncoder` writes it: members by name, nil ones left out.
    public static func segments(_ segments: [BlobSegment]) -> String {
        var writer = CatalogueJSONWriter()
        writer.byte("[")
        for (index, segment) in segments.enumerated() {
            if index > 0 { writer.byte(",") }
            writer.segment(segment)
        }
        writer.byte("]")
        return writer.text
    }

    /// A `[String: String]` as `JSONEncoder` writes it, keys in byte order; nil when a key is not
    /// ASCII, where its order (by Unicode scalars, after normalisation) is left to `JSONEncoder`.
    public static func stringMap(_ map: [String: String]) -> String? {
        guard map.keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else { return nil }
        var writer = CatalogueJSONWriter()
        writer.byte("{")
        for (index, member) in map.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { writer.byte(",") }
            writer.string(member.key)
            writer.byte(":")
            writer.string(member.value)
        }
        writer.byte("}")
        return writer.text
    }

    private var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func segment(_ segment: BlobSegment) {
        byte("{")
        var first = true
        if let encryption = segment.encryption {
            name("encryption", &first)
            self.encryption(encryption)
        }
        member("locator", segment.locator, &first)
        member("partChecksum", segment.partChecksum, &first)
        name("size", &first)
        integer(segment.size)
        member("storedSHA256", segment.storedSHA256, &first)
        byte("}")
    }

    private mutating func encryption(_ encryption: BlobEncryption) {
        byte("{")
        var first = true
        name("bucketKeyVersion", &first)
        integer(Int64(encryption.bucketKeyVersion))
        name("chunkSize", &first)
        integer(Int64(encryption.chunkSize))
        member("customerKeyMD5", encryption.customerKeyMD5, &first)
        member("identity", encryption.identity, &first)
        member("keyID", encryption.keyID, &first)
        name("storedSize", &first)
        integer(encryption.storedSize)
        member("wrappedDataKey", encryption.wrappedDataKey, &first)
        byte("}")
    }

    /// A string member, left out when nil (as `JSONEncoder` leaves out a nil optional).
    private mutating func member(_ name: StaticString, _ value: String?, _ first: inout Bool) {
        guard let value else { return }
        self.name(name, &first)
        string(value)
    }

    /// A member's name and colon, after a comma unless it is the object's first.
    private mutating func name(_ name: StaticString, _ first: inout Bool) {
        if !first { byte(",") }
        first = false
        byte("\"")
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        byte("\"")
        byte(":")
    }

    private mutating func integer(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    private mutating func string(_ value: String) {
        byte("\"")
        for unit in value.utf8 {
            switch unit {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(unit)
            case 0x08: escape("b")
            case 0x0C: escape("f")
            case 0x0A: escape("n")
            case 0x0D: escape("r")
            case 0x09: escape("t")
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hexDigits[Int(unit >> 4)])
                bytes.append(Self.hexDigits[Int(unit & 0x0F)])
            default:
                bytes.append(unit)
            }
        }
        byte("\"")
    }

    private mutating func escape(_ letter: Unicode.Scalar) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: letter))
    }

    private mutating func byte(_ character: Unicode.Scalar) {
        bytes.append(UInt8(ascii: character))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
