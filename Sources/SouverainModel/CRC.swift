internal import CZlibCRC

/// The CRCs of the S3 additional checksums.
///
/// CRC32 is the reflected polynomial 0xEDB88320 (zlib, `x-amz-checksum-crc32`), computed by the
/// system's zlib (`CZlibCRC`): the one current SDKs send with every upload. CRC32C (the Castagnoli
/// polynomial 0x82F63B78) is table-driven, slicing by eight; CRC64NVME (the reflected polynomial
/// 0x9A6C9329AC4BC9B5) a byte at a time.
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        value = souverain_crc32(value, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    public var bigEndianBytes: [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
}

public struct CRC32C: Sendable {
    private static let tables = makeSlicingTables32(polynomial: 0x82F6_3B78)
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        value = crc32Update(value, bytes, CRC32C.tables)
    }

    public var bigEndianBytes: [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
}

public struct CRC64NVME: Sendable {
    private static let table: [UInt64] = (0..<256).map { index in
        var crc = UInt64(index)
        for _ in 0..<8 { crc = (crc & 1) == 1 ? (crc >> 1) ^ 0x9A6C_9329_AC4B_C9B5 : crc >> 1 }
        return crc
    }
    public private(set) var value: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = ~value
        CRC64NVME.table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8) }
        }
        value = ~crc
    }

    public var bigEndianBytes: [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
}

private func makeSlicingTables32(polynomial: UInt32) -> [UInt32] {
    var tables = [UInt32](repeating: 0, count: 8 * 256)
    for index in 0..<256 {
        var crc = UInt32(index)
        for _ in 0..<8 { crc = (crc & 1) == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
        tables[index] = crc
    }
    for index in 0..<256 {
        for slice in 1..<8 {
            let previous = tables[(slice - 1) * 256 + index]
            tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
        }
    }
    return tables
}

private func crc32Update(_ value: UInt32, _ bytes: UnsafeRawBufferPointer, _ tables: [UInt32]) -> UInt32 {
    var crc = ~value
    tables.withUnsafeBufferPointer { t in
        var index = 0
        let count = bytes.count
        while count - index >= 8 {
            let low = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16
                | UInt32(bytes[index + 3]) << 24
            let one = crc ^ low
            let two = UInt32(bytes[index + 4]) | UInt32(bytes[index + 5]) << 8 | UInt32(bytes[index + 6]) << 16
                | UInt32(bytes[index + 7]) << 24
            crc = t[7 * 256 + Int(one & 0xFF)] ^ t[6 * 256 + Int((one >> 8) & 0xFF)]
                ^ t[5 * 256 + Int((one >> 16) & 0xFF)] ^ t[4 * 256 + Int(one >> 24)]
                ^ t[3 * 256 + Int(two & 0xFF)] ^ t[2 * 256 + Int((two >> 8) & 0xFF)]
                ^ t[1 * 256 + Int((two >> 16) & 0xFF)] ^ t[Int(two >> 24)]
            index += 8
        }
        while index < count {
            crc = t[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
            index += 1
        }
    }
    return ~crc
}
