/// Big-endian writer for the canonical record and header layouts.
struct ByteWriter {
    var buffer: [UInt8] = []

    init(capacity: Int = 256) {
        buffer.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { buffer.append(value) }

    mutating func u16(_ value: UInt16) {
        buffer.append(UInt8(truncatingIfNeeded: value >> 8))
        buffer.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    mutating func bytes(_ value: some Sequence<UInt8>) { buffer.append(contentsOf: value) }

    /// u32 byte length, then the UTF-8 bytes as they are (no normalisation).
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(clamping: utf8.count))
        buffer.append(contentsOf: utf8)
    }

    /// 0x00 for nil; 0x01 then the string.
    mutating func optionalString(_ value: String?) {
        if let value {
            u8(1)
            string(value)
        } else {
            u8(0)
        }
    }
}

struct ByteReaderError: Error {
    var message: String
    var unsupportedVersion: Bool = false
}

/// Big-endian reader; every read is bounds-checked and throws `ByteReaderError` past the end.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var index: Int
    let end: Int

    init(_ bytes: [UInt8], start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.index = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - index }

    mutating func take(_ count: Int) throws(ByteReaderError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw ByteReaderError(message: "truncated at byte \(index)") }
        defer { index += count }
        return bytes[index..<index + count]
    }

    mutating func u8() throws(ByteReaderError) -> UInt8 {
        try take(1).first!
    }

    mutating func u16() throws(ByteReaderError) -> UInt16 {
        try take(2).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func u32() throws(ByteReaderError) -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64() throws(ByteReaderError) -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func i64() throws(ByteReaderError) -> Int64 { Int64(bitPattern: try u64()) }

    mutating func hash() throws(ByteReaderError) -> AuditHash { AuditHash(unchecked: Array(try take(32))) }

    mutating func string() throws(ByteReaderError) -> String {
        let length = Int(try u32())
        let start = index
        let utf8 = try take(length)
        guard let value = String(validating: utf8, as: UTF8.self) else {
            throw ByteReaderError(message: "invalid UTF-8 in the string at byte \(start)")
        }
        return value
    }

    mutating func optionalString() throws(ByteReaderError) -> String? {
        let start = index
        switch try u8() {
        case 0: return nil
        case 1: return try string()
        case let other: throw ByteReaderError(message: "presence byte \(other) at byte \(start) is neither 0 nor 1")
        }
    }
}
