import SouverainTesting
import Crypto
import NIOCore

/// Deterministic test bytes and their digests.
enum TestData {
    /// `count` pseudo-random bytes from `seed` (SplitMix64).
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return generator.bytes(count: count)
    }

    static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hex(hasher.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// `bytes` cut into buffers of `chunk` bytes (the last may be shorter), as an async sequence.
    static func stream(_ bytes: [UInt8], chunk: Int) -> BufferSequence {
        var buffers: [ByteBuffer] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            buffers.append(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        }
        return BufferSequence(buffers: buffers)
    }
}

/// Buffers handed out one by one.
struct BufferSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffers: [ByteBuffer]
    /// When set, the sequence throws after yielding this many buffers.
    var failAfter: Int?

    struct AsyncIterator: AsyncIteratorProtocol {
        var buffers: IndexingIterator<[ByteBuffer]>
        var failAfter: Int?
        var yielded = 0

        mutating func next() async throws -> ByteBuffer? {
            if let failAfter, yielded >= failAfter { throw TestServerError("the body failed on purpose") }
            yielded += 1
            return buffers.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffers: buffers.makeIterator(), failAfter: failAfter)
    }
}

/// Reads a whole body and returns its SHA-256 and length.
func digest<S: AsyncSequence>(_ body: S) async throws -> (sha256: String, count: Int) where S.Element == ByteBuffer {
    var hasher = SHA256()
    var count = 0
    for try await buffer in body {
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        count += buffer.readableBytes
    }
    return (TestData.hex(hasher.finalize()), count)
}
