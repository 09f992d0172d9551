import AsyncHTTPClient
public import NIOCore

/// The body of a GetObject answer, streamed with backpressure: the next bytes are read from the
/// connection only as they are consumed. Read it to the end or drop it (which closes the connection).
/// Its errors are `S3ClientError`s.
public struct ObjectBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let base: HTTPClientResponse.Body
    let request: S3Request

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let request: S3Request

        public mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch {
                throw S3Client.transportError(error, request: request)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), request: request)
    }

    /// The whole body in one buffer; throws `.invalidResponse` when it is longer than `maxBytes`.
    public func collect(upTo maxBytes: Int) async throws -> ByteBuffer {
        var out = ByteBuffer()
        for try await var buffer in self {
            guard out.readableBytes + buffer.readableBytes <= maxBytes else {
                throw S3ClientError(
                    code: .invalidResponse, message: "The body is longer than the \(maxBytes) bytes expected.",
                    operation: request.operation, resource: request.resource)
            }
            out.writeBuffer(&buffer)
        }
        return out
    }

    /// Reads the body to its end, discarding it, and returns how many bytes it had.
    public func consume() async throws -> Int64 {
        var count: Int64 = 0
        for try await buffer in self { count += Int64(buffer.readableBytes) }
        return count
    }
}

/// A GetObject answer: the object's head, and its body still to be read.
public struct GetObjectResponse: Sendable {
    public var head: ObjectHead
    public var body: ObjectBody
}
