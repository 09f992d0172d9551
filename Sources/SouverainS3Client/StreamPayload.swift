import AsyncHTTPClient
import NIOCore
import SouverainSigV4
import Synchronization

/// A streamed request body of known length, and a note of whether it was ever started.
struct StreamPayload: Sendable {
    /// The length of the body's bytes (before any aws-chunked framing).
    let length: Int64
    let tracker: BodyTracker
    /// Makes the HTTP body: as is when `signing` is nil, aws-chunked with signed chunks of
    /// `chunkSize` bytes otherwise.
    let makeBody: @Sendable (_ signing: ChunkSigningContext?, _ chunkSize: Int) -> HTTPClientRequest.Body

    init<Base: AsyncSequence & Sendable>(_ base: Base, length: Int64) where Base.Element == ByteBuffer {
        let tracker = BodyTracker()
        self.length = length
        self.tracker = tracker
        self.makeBody = { signing, chunkSize in
            let tracked = TrackedBody(base: base, tracker: tracker)
            guard let signing else { return .stream(tracked, length: .known(length)) }
            let encoded = AWSChunkedBody(base: tracked, signing: signing, chunkSize: chunkSize)
            return .stream(encoded, length: .known(AWSChunkedBody<TrackedBody<Base>>.encodedLength(
                of: length, chunkSize: chunkSize)))
        }
    }
}

/// Whether a body's iteration began: from then on it cannot be replayed.
final class BodyTracker: Sendable {
    // Atomic: set by the HTTP client's writer, read by the retry loop.
    private let started = Atomic<Bool>(false)

    var hasStarted: Bool { started.load(ordering: .acquiring) }

    func markStarted() { started.store(true, ordering: .releasing) }
}

/// The failure of a request body's own sequence, told apart from transport failures.
struct BodyStreamFailure: Error {
    let cause: any Error
}

/// A body sequence that notes when it is started and tags its sequence's errors.
struct TrackedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let tracker: BodyTracker

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch {
                throw BodyStreamFailure(cause: error)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        tracker.markStarted()
        return AsyncIterator(base: base.makeAsyncIterator())
    }
}
