public import Foundation

/// Signs requests with Signature V4 (client side): Authorization header, presigned URL, and the
/// seed of a streaming upload. Used by tests and by our own S3 client.
public struct SigV4Signer: Sendable {
    /// The access key ID put in the credential.
    public let accessKeyID: String
    private let secretAccessKey: String
    /// The region of the credential scope.
    public let region: String
    /// The service of the credential scope.
    public let service: String
    /// A client signs a day's requests with one key: derived once (four HMACs, 5% of the bench
    /// generator's CPU on small HEADs when derived per request).
    let signingKeys = SigningKeyCache(capacity: 8)

    /// Creates a signer for one key pair, region and service.
    public init(accessKeyID: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    /// Adds `x-amz-date`, `x-amz-content-sha256` (= `payloadHash`) and `Authorization` to `headers`
    /// (which must contain `host`), replacing any already there, and signs every header given.
    /// `path` and `query` are as they will be sent, percent-encoded.
    public func sign(
        method: String, path: String, query: String, headers: inout [(name: String, value: String)],
        payloadHash: String, date: Date
    ) {
        _ = signHeaders(
            method: method, path: path, query: query, headers: &headers, payloadHash: payloadHash, date: date)
    }

    /// Signs a streaming (aws-chunked) upload like `sign`, with `x-amz-content-sha256` set to
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` (or `…-PAYLOAD-TRAILER` when `trailer`), and returns
    /// the context that signs its chunks. The caller adds `content-encoding: aws-chunked` and
    /// `x-amz-decoded-content-length` (and `x-amz-trailer`) to `headers` before.
    public func signStreaming(
        method: String, path: String, query: String, headers: inout [(name: String, value: String)],
        trailer: Bool = false, date: Date
    ) -> ChunkSigningContext {
        let payloadHash = trailer ? PayloadMode.streamingSignedTrailerPayload : PayloadMode.streamingSignedPayload
        let (signature, timestamp, scope, key) = signHeaders(
            method: method, path: path, query: query, headers: &headers, payloadHash: payloadHash, date: date)
        return ChunkSigningContext(signingKey: key, timestamp: timestamp, scope: scope, seedSignature: signature)
    }

    /// The full query string of a presigned URL: `query` (canonicalised) plus the X-Amz-* parameters,
    /// X-Amz-Signature last. The payload is `UNSIGNED-PAYLOAD`; only `host` is signed.
    /// `expires` is in seconds (1...604800).
    public func presign(method: String, path: String, query: String, host: String, expires: Int, date: Date) -> String {
        let timestamp = AmzDate.formatBasic(date)
        let scope = CredentialScope(date: String(timestamp.prefix(8)), region: region, service: service)
        var parameters = CanonicalRequest.parameters(lenientRawQuery: query)
        let added = [
            ("X-Amz-Algorithm", ParsedAuthentication.algorithm),
            ("X-Amz-Credential", "\(accessKeyID)/\(scope.string)"),
            ("X-Amz-Date", timestamp),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", "host"),
        ]
        for (name, value) in added {
            parameters.append((Array(name.utf8), Array(value.utf8)))
        }
        let canonicalQuery = CanonicalRequest.query(parameters)
        // Every signed name is given, so the request is always complete.
        let canonicalRequest = (try? CanonicalRequest.bytes(
            method: method, uri: CanonicalRequest.uri(lenientRawPath: path), query: canonicalQuery, signedHeaders: ["host"],
            headers: [(name: "host", value: host)], payloadHash: PayloadMode.unsignedPayload)) ?? []
        let stringToSign = CanonicalRequest.stringToSign(
            timestamp: timestamp, scope: scope, canonicalRequest: canonicalRequest)
        let signature = signingKeys.key(secretAccessKey: secretAccessKey, scope: scope).signature(stringToSign)
        return canonicalQuery + "&X-Amz-Signature=" + signature
    }

    /// Percent-encodes an object key or path for the wire and for signing: every byte except
    /// `A-Z a-z 0-9 - . _ ~ /` becomes `%XX`.
    public static func encodePath(_ path: String) -> String {
        PercentEncoding.encode(path.utf8, keepSlash: true)
    }

    /// Percent-encodes a query parameter name or value: every byte except `A-Z a-z 0-9 - . _ ~`.
    public static func encodeQueryComponent(_ component: String) -> String {
        PercentEncoding.encode(component.utf8, keepSlash: false)
    }

    private func signHeaders(
        method: String, path: String, query: String, headers: inout [(name: String, value: String)],
        payloadHash: String, date: Date
    ) -> (signature: String, timestamp: String, scope: CredentialScope, key: SigningKey) {
        let timestamp = AmzDate.formatBasic(date)
        let scope = CredentialScope(date: String(timestamp.prefix(8)), region: region, service: service)
        let replaced: Set<String> = ["authorization", "x-amz-date", "x-amz-content-sha256"]
        headers.removeAll { replaced.contains($0.name.lowercased()) }
        headers.append((name: "x-amz-date", value: timestamp))
        headers.append((name: "x-amz-content-sha256", value: payloadHash))

        let signedHeaders = Set(headers.map { $0.name.lowercased() }).sorted {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
        // Every signed name comes from `headers`, so the request is always complete.
        let canonicalRequest = (try? CanonicalRequest.bytes(
            method: method, uri: CanonicalRequest.uri(lenientRawPath: path),
            query: CanonicalRequest.query(CanonicalRequest.parameters(lenientRawQuery: query)), signedHeaders: signedHeaders,
            headers: headers, payloadHash: payloadHash)) ?? []
        let stringToSign = CanonicalRequest.stringToSign(
            timestamp: timestamp, scope: scope, canonicalRequest: canonicalRequest)
        let key = signingKeys.key(secretAccessKey: secretAccessKey, scope: scope)
        let signature = key.signature(stringToSign)
        headers.append(
            (
                name: "Authorization",
                value:
                    "\(ParsedAuthentication.algorithm) Credential=\(accessKeyID)/\(scope.string),SignedHeaders=\(signedHeaders.joined(separator: ";")),Signature=\(signature)"
            ))
        return (signature, timestamp, scope, key)
    }
}

extension SigV4Signer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "SigV4Signer(accessKeyID: \(accessKeyID), region: \(region), service: \(service), secretAccessKey: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": accessKeyID, "region": region, "service": service])
    }
}
