internal import CCRC

/// The CRCs of the S3 additional checksums, each computed in C (`CCRC`):
///
/// - CRC32, the reflected polynomial 0xEDB88320 (zlib, `x-amz-checksum-crc32`), by the system's
///   zlib: the one current SDKs send with every upload.
/// - CRC32C, the Castagnoli polynomial 0x82F63B78, by SSE4.2's crc32 instruction where the CPU has
///   it, else sliced by eight.
/// - CRC64NVME, the reflected polynomial 0x9A6C9329AC4BC9B5, sliced by eight.
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
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        value = souverain_crc32c(value, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    public var bigEndianBytes: [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
}

public struct CRC64NVME: Sendable {
    public private(set) var value: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        value = souverain_crc64nvme(value, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    public var bigEndianBytes: [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
}
