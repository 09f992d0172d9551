public import Foundation

/// Verifies Signature V4 requests (Authorization header and presigned URL) for one region.
///
/// Pure: no I/O, and the time is passed in.
public struct SigV4Verifier: Sendable {
    /// The region that credential scopes must name.
    public let region: String
    /// The service that credential scopes must name.
    public let service: String
    /// How far the request time may be from `now`.
    public let allowedSkew: TimeInterval
    let signingKeys = SigningKeyCache()

    /// Creates a verifier for `region` and `service`.
    public init(region: String, service: String = "s3", allowedSkew: TimeInterval = 15 * 60) {
        self.region = region
        self.service = service
        self.allowedSkew = allowedSkew
    }

    /// Parses the request's authentication: nil when it carries none at all (anonymous).
    /// Throws on a malformed Authorization header or malformed presigned query.
    public func parse(_ request: SigV4Request) throws(SigV4Error) -> ParsedAuthentication? {
        let presigned = try ParsedAuthentication(presignedQuery: request.query)
        guard let authorization = request.header("authorization") else { return presigned }
        guard presigned == nil else {
            throw SigV4Error(
                code: .invalidArgument,
                message:
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified."
            )
        }
        return try ParsedAuthentication(authorizationHeader: authorization)
    }

    /// Checks the time and skew, a presigned URL's expiry, the credential scope (date, region,
    /// service, `aws4_request`), that `host` is signed, and the signature (constant-time).
    public func verify(
        _ auth: ParsedAuthentication, secretAccessKey: String, request: SigV4Request, now: Date
    ) throws(SigV4Error) -> VerifiedSignature {
        let malformed = auth.isPresigned ? SigV4Error.queryMalformed : SigV4Error.headerMalformed
        let (timestamp, time) = try requestTime(auth, request)
        try checkTime(time, auth: auth, now: now)
        try checkScope(auth, timestamp: timestamp, malformed: malformed)
        guard auth.signedHeaders.contains("host") else {
            throw malformed("SignedHeaders must include host.")
        }
        let (payload, payloadHash) = try payloadMode(auth, request)

        let uri = try CanonicalRequest.uri(rawPath: request.path)
        guard var parameters = CanonicalRequest.parameters(rawQuery: request.query) else {
            throw .signatureDoesNotMatch("The query string has an invalid percent-encoding.")
        }
        if auth.isPresigned {
            let signatureName = Array("X-Amz-Signature".utf8)
            parameters.removeAll { $0.name == signatureName }
        }
        let canonicalRequest = try CanonicalRequest.bytes(
            method: request.method, uri: uri, query: CanonicalRequest.query(parameters), signedHeaders: auth.signedHeaders,
            headers: request.headers, payloadHash: payloadHash)
        let stringToSign = CanonicalRequest.stringToSign(
            timestamp: timestamp, scope: auth.scope, canonicalRequest: canonicalRequest)
        let key = signingKeys.key(secretAccessKey: secretAccessKey, scope: auth.scope)
        let expected = key.signature(stringToSign)
        guard Hex.constantTimeEqual(Array(expected.utf8), Array(auth.signature.utf8)) else {
            throw .signatureDoesNotMatch()
        }
        let chunkSigning =
            payload.hasSignedChunks
            ? ChunkSigningContext(signingKey: key, timestamp: timestamp, scope: auth.scope, seedSignature: expected)
            : nil
        return VerifiedSignature(
            accessKeyID: auth.accessKeyID, payload: payload, chunkSigning: chunkSigning, isPresigned: auth.isPresigned)
    }

    /// The request time as ISO 8601 basic, and as a date.
    private func requestTime(
        _ auth: ParsedAuthentication, _ request: SigV4Request
    ) throws(SigV4Error) -> (String, Date) {
        if let presigned = auth.presigned {
            guard let time = AmzDate.parseBasic(presigned.amzDate) else {
                throw .queryMalformed("X-Amz-Date must be in the ISO 8601 basic format, such as 20130524T000000Z.")
            }
            return (presigned.amzDate, time)
        }
        if let amzDate = request.header("x-amz-date") {
            let trimmed = CanonicalRequest.normalize(amzDate)
            guard let time = AmzDate.parseBasic(trimmed) else {
                throw SigV4Error(
                    code: .missingDate,
                    message:
                        "AWS authentication requires a valid Date or x-amz-date header; x-amz-date must look like 20130524T000000Z."
                )
            }
            return (trimmed, time)
        }
        if let date = request.header("date") {
            guard let time = AmzDate.parseRFC1123(CanonicalRequest.normalize(date)) else {
                throw SigV4Error(
                    code: .missingDate,
                    message:
                        "AWS authentication requires a valid Date or x-amz-date header; Date must look like Fri, 24 May 2013 00:00:00 GMT."
                )
            }
            return (AmzDate.formatBasic(time), time)
        }
        throw SigV4Error(code: .missingDate, message: "AWS authentication requires a valid Date or x-amz-date header.")
    }

    private func checkTime(_ time: Date, auth: ParsedAuthentication, now: Date) throws(SigV4Error) {
        let ahead = time.timeIntervalSince(now)
        let skewed = SigV4Error(
            code: .requestTimeTooSkewed,
            message: "The difference between the request time and the server's time is too large.")
        if let presigned = auth.presigned {
            guard ahead <= allowedSkew else { throw skewed }
            guard -ahead <= TimeInterval(presigned.expires) else {
                throw SigV4Error(code: .expired, message: "Request has expired")
            }
        } else {
            guard abs(ahead) <= allowedSkew else { throw skewed }
        }
    }

    private func checkScope(
        _ auth: ParsedAuthentication, timestamp: String, malformed: (String) -> SigV4Error
    ) throws(SigV4Error) {
        let scope = auth.scope
        guard scope.date == timestamp.prefix(8) else {
            throw malformed("the credential date '\(scope.date)' is not the date of the request time.")
        }
        guard scope.region == region else {
            throw malformed("the region '\(scope.region.prefix(64))' is wrong; expecting '\(region)'.")
        }
        guard scope.service == service else {
            throw malformed("the service '\(scope.service.prefix(64))' is wrong; expecting '\(service)'.")
        }
        guard auth.terminator == "aws4_request" else {
            throw malformed("the credential must end in 'aws4_request'.")
        }
    }

    /// The payload mode, and the payload hash as it goes into the canonical request.
    private func payloadMode(
        _ auth: ParsedAuthentication, _ request: SigV4Request
    ) throws(SigV4Error) -> (PayloadMode, String) {
        if let presigned = auth.presigned {
            let declared = presigned.contentSHA256 ?? PayloadMode.unsignedPayload
            switch PayloadMode(contentSHA256: declared) {
            case .unsigned: return (.unsigned, declared)
            case .sha256(let hash): return (.sha256(hash), declared)
            default:
                throw SigV4Error(
                    code: .invalidArgument,
                    message: "X-Amz-Content-Sha256 in a presigned URL must be UNSIGNED-PAYLOAD or a SHA-256 hex digest."
                )
            }
        }
        guard let header = request.header("x-amz-content-sha256") else {
            throw SigV4Error(
                code: .invalidArgument, message: "Missing required header for this request: x-amz-content-sha256.")
        }
        let declared = CanonicalRequest.normalize(header)
        guard let mode = PayloadMode(contentSHA256: declared) else {
            throw SigV4Error(
                code: .invalidArgument,
                message:
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a SHA-256 hex digest."
            )
        }
        return (mode, declared)
    }
}
