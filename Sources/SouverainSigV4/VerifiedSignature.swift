/// A request whose signature checked out.
public struct VerifiedSignature: Sendable {
    /// Who signed the request.
    public let accessKeyID: String
    /// How the body is covered: for `.sha256`, the caller hashes the body and compares.
    public let payload: PayloadMode
    /// What verifies the chunks: non-nil for `.streamingSigned` and `.streamingSignedTrailer`.
    public let chunkSigning: ChunkSigningContext?
    /// Whether the request was authenticated by a presigned URL.
    public let isPresigned: Bool
}
