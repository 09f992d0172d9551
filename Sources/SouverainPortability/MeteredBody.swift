import Crypto
import NIOCore
import Synchronization

/// A body on its way from a source to a destination: its bytes are counted (and reported to the
/// progress as they pass), optionally hashed, and when it ends it must have had the expected size
/// (and SHA-256), or it throws `PortabilityError(.integrity)` instead of ending, so that an upload
/// is never completed with the wrong bytes.
struct MeteredBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let key: String
    let expectedSize: Int64
    /// Lower-case hex; nil to count only.
    let expectedSHA256: String?
    let progress: ProgressReporter
    /// Counts every byte that passed, for the caller to take them back from the progress on a retry.
    let tally: ByteTally

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let body: MeteredBody
        var hasher = SHA256()
        var count: Int64 = 0
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            let next: ByteBuffer?
            do {
                next = try await base.next()
            } catch {
                finished = true
                throw error
            }
            guard let buffer = next else {
                finished = true
                guard count == body.expectedSize else {
                    throw PortabilityError(
                        .integrity, "\(body.key): \(count) bytes came from the source, \(body.expectedSize) were expected.")
                }
                if let expected = body.expectedSHA256 {
                    let actual = Hex.encode(hasher.finalize())
                    guard actual == expected else {
                        throw PortabilityError(
                            .integrity, "\(body.key): the source's bytes have SHA-256 \(actual), the manifest says \(expected).")
                    }
                }
                return nil
            }
            if body.expectedSHA256 != nil { buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
            count += Int64(buffer.readableBytes)
            body.progress.add(bytes: Int64(buffer.readableBytes))
            body.tally.add(Int64(buffer.readableBytes))
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), body: self) }
}

/// A count of bytes shared between a body and the task that uploads it.
final class ByteTally: Sendable {
    // Atomic: added to by the upload's body, read by the task that started it.
    private let count = Atomic<Int64>(0)

    var value: Int64 { count.load(ordering: .relaxed) }

    func add(_ bytes: Int64) { count.add(bytes, ordering: .relaxed) }
}
