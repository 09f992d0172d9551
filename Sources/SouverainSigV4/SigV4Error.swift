/// An error from Signature V4 parsing, verification or aws-chunked decoding.
///
/// `code` names the S3 error to answer with; `message` says what is wrong. A message never
/// holds the secret access key, a signing key or the signature the server expected.
public struct SigV4Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as an S3 error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case signatureDoesNotMatch
            case requestTimeTooSkewed
            case authorizationHeaderMalformed
            case authorizationQueryParametersError
            case expired
            case accessDenied
            case incompleteBody
            case invalidChunk
            case chunkSignatureMismatch
            case missingDate
            case invalidArgument
        }

        private let kind: Kind

        /// The exact S3 error code string, such as `SignatureDoesNotMatch`.
        public let s3Code: String

        private init(_ kind: Kind, _ s3Code: String) {
            self.kind = kind
            self.s3Code = s3Code
        }

        public static func == (lhs: Code, rhs: Code) -> Bool { lhs.kind == rhs.kind }
        public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
        public var description: String { s3Code }

        /// The signature computed by the server differs from the one sent.
        public static let signatureDoesNotMatch = Code(.signatureDoesNotMatch, "SignatureDoesNotMatch")
        /// The request time is too far from the server's clock.
        public static let requestTimeTooSkewed = Code(.requestTimeTooSkewed, "RequestTimeTooSkewed")
        /// The Authorization header cannot be parsed, or its credential scope is wrong (region included).
        public static let authorizationHeaderMalformed = Code(
            .authorizationHeaderMalformed, "AuthorizationHeaderMalformed")
        /// The presigned URL's X-Amz-* parameters are missing or malformed.
        public static let authorizationQueryParametersError = Code(
            .authorizationQueryParametersError, "AuthorizationQueryParametersError")
        /// The presigned URL is past X-Amz-Date + X-Amz-Expires.
        public static let expired = Code(.expired, "AccessDenied")
        /// Access is refused for another reason.
        public static let accessDenied = Code(.accessDenied, "AccessDenied")
        /// The aws-chunked body ended before its final chunk (or trailer) arrived.
        public static let incompleteBody = Code(.incompleteBody, "IncompleteBody")
        /// The aws-chunked framing is malformed.
        public static let invalidChunk = Code(.invalidChunk, "InvalidRequest")
        /// A chunk or trailer signature does not match.
        public static let chunkSignatureMismatch = Code(.chunkSignatureMismatch, "SignatureDoesNotMatch")
        /// The request carries neither a valid x-amz-date nor a valid Date header.
        public static let missingDate = Code(.missingDate, "AccessDenied")
        /// A parameter has a value outside what is accepted.
        public static let invalidArgument = Code(.invalidArgument, "InvalidArgument")
    }

    /// What went wrong, as an S3 error code.
    public let code: Code
    /// What is wrong, for the client; never holds secrets or the expected signature.
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.s3Code): \(message)" }
}

extension SigV4Error {
    static func signatureDoesNotMatch(_ message: String = SigV4Error.mismatchMessage) -> SigV4Error {
        SigV4Error(code: .signatureDoesNotMatch, message: message)
    }

    static let mismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your key and signing method."

    static func headerMalformed(_ message: String) -> SigV4Error {
        SigV4Error(code: .authorizationHeaderMalformed, message: "The authorization header is malformed; \(message)")
    }

    static func queryMalformed(_ message: String) -> SigV4Error {
        SigV4Error(code: .authorizationQueryParametersError, message: message)
    }

    static func invalidChunk(_ message: String) -> SigV4Error {
        SigV4Error(code: .invalidChunk, message: "Invalid aws-chunked body: \(message)")
    }

    static func incompleteBody(_ message: String) -> SigV4Error {
        SigV4Error(code: .incompleteBody, message: message)
    }
}
