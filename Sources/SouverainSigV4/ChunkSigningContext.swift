import Crypto
public import Foundation
public import NIOCore

/// What signs the chunks and trailer of an aws-chunked body: the signing key, the request
/// timestamp, the credential scope and the seed (request) signature.
///
/// Its description never shows the signing key.
public struct ChunkSigningContext: Sendable {
    let signingKey: SigningKey
    /// The request timestamp, ISO 8601 basic (`20130524T000000Z`).
    public let timestamp: String
    let scope: CredentialScope
    /// The request's signature, which the first chunk's signature chains from.
    public let seedSignature: String

    /// The credential scope, `date/region/service/aws4_request`.
    public var credentialScope: String { scope.string }

    init(signingKey: SigningKey, timestamp: String, scope: CredentialScope, seedSignature: String) {
        self.signingKey = signingKey
        self.timestamp = timestamp
        self.scope = scope
        self.seedSignature = seedSignature
    }

    /// A context for a streaming upload signed at `date` whose request signature is `seedSignature`.
    public init(
        secretAccessKey: String, date: Date, region: String, service: String = "s3", seedSignature: String
    ) {
        let timestamp = AmzDate.formatBasic(date)
        let scope = CredentialScope(date: String(timestamp.prefix(8)), region: region, service: service)
        self.init(
            signingKey: SigningKey(secretAccessKey: secretAccessKey, scope: scope), timestamp: timestamp,
            scope: scope, seedSignature: seedSignature)
    }

    /// The signature of a chunk whose data is `chunk`, chained from `previousSignature`
    /// (the seed signature for the first chunk). The final chunk is empty.
    public func chunkSignature(of chunk: ByteBuffer, previousSignature: String) -> String {
        var hasher = SHA256()
        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return chunkSignature(dataHash: Hex.encode(hasher.finalize()), previousSignature: previousSignature)
    }

    /// The `x-amz-trailer-signature` of trailing headers, chained from the final chunk's signature.
    public func trailerSignature(of trailers: [(name: String, value: String)], previousSignature: String) -> String {
        let stringToSign = [
            "AWS4-HMAC-SHA256-TRAILER", timestamp, scope.string, previousSignature,
            Digest.hex(Self.canonicalTrailer(trailers)),
        ].joined(separator: "\n")
        return signingKey.signature(stringToSign)
    }

    func chunkSignature(dataHash: String, previousSignature: String) -> String {
        let stringToSign = [
            "AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope.string, previousSignature, Digest.emptyHash, dataHash,
        ].joined(separator: "\n")
        return signingKey.signature(stringToSign)
    }

    /// Trailing headers as signed: `name:value\n` each, names lowercased, values trimmed, sorted by name.
    static func canonicalTrailer(_ trailers: [(name: String, value: String)]) -> String {
        trailers
            .map { (name: $0.name.lowercased(), value: CanonicalRequest.normalize($0.value)) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            .map { "\($0.name):\($0.value)\n" }
            .joined()
    }
}

extension ChunkSigningContext: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "ChunkSigningContext(timestamp: \(timestamp), scope: \(scope.string), signingKey: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["timestamp": timestamp, "scope": scope.string, "seedSignature": seedSignature])
    }
}
