import NIOCore

/// Seeded object bodies, cut from one random block: small bodies are slices of it, large bodies
/// streams of slices, each starting at an offset drawn from (seed, object, buffer) so that objects
/// differ. Nothing is copied and no large body is ever held whole.
struct PayloadSource: Sendable {
    /// `blockSize + variation` seeded random bytes.
    let block: ByteBuffer
    let blockSize: Int
    static let variation = 4096

    init(seed: UInt64, blockSize: Int) {
        self.blockSize = blockSize
        var random = SplitMix64(seed: seed)
        let count = blockSize + Self.variation
        var block = ByteBuffer()
        block.reserveCapacity(count + 8)
        while block.writerIndex < count { block.writeInteger(random.next(), endianness: .little) }
        block.moveWriterIndex(to: count)
        self.block = block
    }

    /// The offset of buffer `part` of object `index` in the block.
    func offset(index: Int, part: Int) -> Int {
        var random = SplitMix64(seed: block.getInteger(at: 0, as: UInt64.self)! ^ UInt64(truncatingIfNeeded: index &* 1_000_003 &+ part))
        return Int(random.next() % UInt64(Self.variation))
    }

    /// The body of small object `index`: a slice when it fits in the block, copies of slices otherwise.
    func bytes(index: Int, size: Int) -> ByteBuffer {
        if size <= blockSize { return block.getSlice(at: offset(index: index, part: 0), length: size)! }
        var out = ByteBuffer()
        out.reserveCapacity(size)
        var part = 0
        while out.readableBytes < size {
            var slice = block.getSlice(at: offset(index: index, part: part), length: min(blockSize, size - out.readableBytes))!
            out.writeBuffer(&slice)
            part += 1
        }
        return out
    }

    /// The body of large object `index`, `size` bytes in buffers of at most `blockSize`.
    func stream(index: Int, size: Int64) -> GeneratedBody {
        GeneratedBody(source: self, index: index, size: size)
    }
}

/// A large object's body, generated as it is read.
struct GeneratedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let source: PayloadSource
    let index: Int
    let size: Int64

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: PayloadSource
        let index: Int
        var remaining: Int64
        var part = 0

        mutating func next() async -> ByteBuffer? {
            guard remaining > 0 else { return nil }
            let length = Int(Swift.min(Int64(source.blockSize), remaining))
            remaining -= Int64(length)
            defer { part += 1 }
            return source.block.getSlice(at: source.offset(index: index, part: part), length: length)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: source, index: index, remaining: size)
    }
}

/// A small, fast, seeded generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
