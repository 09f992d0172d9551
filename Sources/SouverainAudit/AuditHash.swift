import Crypto

/// A SHA-256 value: a record's hash, a chain head, a key fingerprint.
public struct AuditHash: Hashable, Sendable, CustomStringConvertible {
    /// Always 32 bytes.
    public let bytes: [UInt8]

    /// Returns nil unless `bytes` holds exactly 32 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// SHA-256 of `data`.
    public static func of(_ data: some Sequence<UInt8>) -> AuditHash {
        var hasher = SHA256()
        hasher.update(data: Array(data))
        return AuditHash(unchecked: Array(hasher.finalize()))
    }

    static func of(_ data: ArraySlice<UInt8>) -> AuditHash {
        var hasher = SHA256()
        data.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return AuditHash(unchecked: Array(hasher.finalize()))
    }

    /// Lower-case hex, 64 characters.
    public var hex: String { Hex.encode(bytes) }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    public var description: String { hex }

    /// The value a trail's first record chains from:
    /// SHA-256("souverain-audit-genesis-v1" ‖ trail id, 16 bytes).
    public static func genesis(trail: AuditTrailID) -> AuditHash {
        AuditHash.of(Array("souverain-audit-genesis-v1".utf8) + trail.bytes)
    }
}

enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
