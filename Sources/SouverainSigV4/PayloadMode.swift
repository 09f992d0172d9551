/// How the request body is covered by the signature, from `x-amz-content-sha256`.
public enum PayloadMode: Sendable, Equatable {
    /// `UNSIGNED-PAYLOAD`, and presigned URLs: the body is not covered.
    case unsigned
    /// The lowercase hex SHA-256 the client declared; the caller hashes the body and compares.
    case sha256(String)
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: an aws-chunked body with signed chunks.
    case streamingSigned
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer.
    case streamingSignedTrailer
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned chunks and a trailer.
    case streamingUnsignedTrailer

    static let unsignedPayload = "UNSIGNED-PAYLOAD"
    static let streamingSignedPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    static let streamingSignedTrailerPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    static let streamingUnsignedTrailerPayload = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"

    /// The mode an `x-amz-content-sha256` value names; nil when it names none.
    init?(contentSHA256 value: String) {
        switch value {
        case Self.unsignedPayload: self = .unsigned
        case Self.streamingSignedPayload: self = .streamingSigned
        case Self.streamingSignedTrailerPayload: self = .streamingSignedTrailer
        case Self.streamingUnsignedTrailerPayload: self = .streamingUnsignedTrailer
        default:
            let lowered = value.lowercased()
            guard Hex.isLowercase(lowered, count: 64) else { return nil }
            self = .sha256(lowered)
        }
    }

    /// Whether chunks carry signatures, so that the verifier hands out a `ChunkSigningContext`.
    var hasSignedChunks: Bool {
        self == .streamingSigned || self == .streamingSignedTrailer
    }
}
