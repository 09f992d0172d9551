import NIOCore

/// Sizes used across the suite.
enum Size {
    static let kibibyte = 1_024
    static let mebibyte = 1_024 * 1_024
}

/// `count` bytes of a fixed, non-constant pattern, the same on every run.
func patternBytes(count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
}

/// `buffer` cut into consecutive slices of `size` bytes (the last may be shorter), as a socket
/// or a file read would hand them over.
func pieces(of buffer: ByteBuffer, size: Int) -> [ByteBuffer] {
    var rest = buffer
    var result: [ByteBuffer] = []
    while rest.readableBytes > 0 {
        result.append(rest.readSlice(length: min(size, rest.readableBytes))!)
    }
    return result
}
