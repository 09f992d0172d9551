import NIOCore
import SouverainSigV4

/// A body re-cut into chunks of exactly `chunkSize` bytes (the last one shorter), each framed and
/// signed as aws-chunked, then the final empty chunk. Slices are taken without copying when the
/// source's buffers are large enough.
struct AWSChunkedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let signing: ChunkSigningContext
    let chunkSize: Int

    /// The framed length of a body of `length` bytes: each chunk is `hex-size;chunk-signature=<64>\r\n`,
    /// its data and `\r\n`; the final chunk `0;chunk-signature=<64>\r\n\r\n`.
    static func encodedLength(of length: Int64, chunkSize: Int) -> Int64 {
        func framed(_ size: Int64) -> Int64 {
            Int64(String(size, radix: 16).utf8.count) + 17 + 64 + 2 + size + 2
        }
        let chunk = Int64(chunkSize)
        let full = length / chunk
        let rest = length % chunk
        return full * framed(chunk) + (rest > 0 ? framed(rest) : 0) + 1 + 17 + 64 + 2 + 2
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var encoder: AWSChunkedEncoder
        let chunkSize: Int
        var pending = ByteBuffer()
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            while pending.readableBytes < chunkSize {
                guard var more = try await base.next() else {
                    finished = true
                    var out = pending.readableBytes > 0 ? encoder.encode(chunk: pending) : ByteBuffer()
                    var last = encoder.finish()
                    out.writeBuffer(&last)
                    return out
                }
                if pending.readableBytes == 0 {
                    pending = more
                } else {
                    pending.writeBuffer(&more)
                }
            }
            // Safe: at least chunkSize bytes are readable.
            let chunk = pending.readSlice(length: chunkSize)!
            return encoder.encode(chunk: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), encoder: AWSChunkedEncoder(signing: signing), chunkSize: chunkSize)
    }
}
