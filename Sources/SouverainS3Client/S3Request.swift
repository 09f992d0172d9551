import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One S3 request before signing: recreated as an `HTTPClientRequest`, freshly signed, on every attempt.
struct S3Request: Sendable {
    /// The S3 operation name, for errors (`PutObject`).
    var operation: String
    var method: HTTPMethod
    var bucket: String?
    var key: String?
    /// Query parameters, not encoded; a nil value is sent as a bare name (`?uploads`).
    var query: [(name: String, value: String?)] = []
    /// Headers to send and sign, besides `host` and the signature's own.
    var headers: [(name: String, value: String)] = []
    var payload: RequestPayload = .empty

    /// `/bucket/key`, for errors.
    var resource: String? {
        guard let bucket else { return nil }
        return "/" + bucket + (key.map { "/" + $0 } ?? "")
    }
}

/// A request body.
enum RequestPayload: Sendable {
    /// No body.
    case empty
    /// Bytes in memory: signed with their SHA-256, replayable.
    case bytes(ByteBuffer)
    /// A stream of known length: signed as the configuration says, replayable only until started.
    case stream(StreamPayload)

    /// Whether the request can be sent again with the same body.
    var canReplay: Bool {
        switch self {
        case .empty, .bytes: return true
        case .stream(let stream): return !stream.tracker.hasStarted
        }
    }
}
