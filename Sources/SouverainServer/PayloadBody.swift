import Crypto
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import SouverainModel
import SouverainS3
import SouverainSigV4

/// A request body as the bytes of the object: aws-chunked framing removed and chunk signatures
/// verified, the declared SHA-256 checked, trailing checksums captured. It throws instead of
/// ending when the body is truncated or tampered with, so nothing partial is ever committed.
struct PayloadBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    typealias Failure = any Error

    let source: RequestBody
    let signature: VerifiedSignature
    /// `x-amz-decoded-content-length`, checked against the decoded length at the end.
    let decodedContentLength: Int64?
    let outcome: Outcome

    /// What is known only once the body has been read: the trailers, the byte count.
    final class Outcome: Sendable {
        private let state = NIOLockedValueBox((trailers: [String: String](), bytes: Int64(0)))
        var trailers: [String: String] { state.withLockedValue { $0.trailers } }
        var bytes: Int64 { state.withLockedValue { $0.bytes } }
        func finish(trailers: [String: String], bytes: Int64) { state.withLockedValue { $0 = (trailers, bytes) } }
    }

    init(request: Request, signature: VerifiedSignature, decodedContentLength: Int64?) {
        self.source = request.body
        self.signature = signature
        self.decodedContentLength = decodedContentLength
        self.outcome = Outcome()
    }

    func makeAsyncIterator() -> Iterator {
        var decoder: AWSChunkedDecoder?
        switch signature.payload {
        case .streamingSigned: decoder = AWSChunkedDecoder(signing: signature.chunkSigning, expectsTrailer: false)
        case .streamingSignedTrailer: decoder = AWSChunkedDecoder(signing: signature.chunkSigning, expectsTrailer: true)
        case .streamingUnsignedTrailer: decoder = AWSChunkedDecoder(signing: nil, expectsTrailer: true)
        case .unsigned, .sha256: decoder = nil
        }
        var expectedSHA256: String?
        if case .sha256(let hex) = signature.payload { expectedSHA256 = hex }
        return Iterator(
            base: source.makeAsyncIterator(), decoder: decoder, expectedSHA256: expectedSHA256,
            sha256: expectedSHA256 == nil ? nil : SHA256(), decodedContentLength: decodedContentLength, outcome: outcome)
    }

    struct Iterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        var decoder: AWSChunkedDecoder?
        let expectedSHA256: String?
        var sha256: SHA256?
        let decodedContentLength: Int64?
        let outcome: Outcome
        var pending: [ByteBuffer] = []
        var pendingIndex = 0
        var bytes: Int64 = 0
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            while true {
                if pendingIndex < pending.count {
                    defer { pendingIndex += 1 }
                    bytes += Int64(pending[pendingIndex].readableBytes)
                    return pending[pendingIndex]
                }
                if finished { return nil }
                guard let chunk = try await base.next() else {
                    try finish()
                    return nil
                }
                if decoder != nil {
                    pending = try decoder!.feed(chunk)
                    pendingIndex = 0
                    continue
                }
                if sha256 != nil { chunk.withUnsafeReadableBytes { sha256!.update(bufferPointer: $0) } }
                bytes += Int64(chunk.readableBytes)
                return chunk
            }
        }

        private mutating func finish() throws {
            finished = true
            var trailers: [String: String] = [:]
            if decoder != nil {
                trailers = try decoder!.finish()
                if let decodedContentLength, decodedContentLength != bytes {
                    throw S3Error(.incompleteBody, "The decoded body is \(bytes) bytes, x-amz-decoded-content-length says \(decodedContentLength).")
                }
            }
            if let expectedSHA256, let sha256 {
                guard Hex.encode(sha256.finalize()) == expectedSHA256.lowercased() else {
                    throw S3Error(.xAmzContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
                }
            }
            outcome.finish(trailers: trailers, bytes: bytes)
        }
    }
}
