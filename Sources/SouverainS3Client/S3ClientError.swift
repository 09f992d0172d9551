public import SouverainS3

/// An error from `S3Client`: what failed, the S3 error the server gave if any, and what to do.
///
/// It never holds the secret key, a signature or a signed header: messages are built from the
/// operation, the resource, and the `Code`, `Message` and `RequestId` of the server's error body.
public struct S3ClientError: Error, Sendable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case s3 = "s3"
            case transport = "transport"
            case timeout = "timeout"
            case invalidResponse = "invalidResponse"
            case invalidRequest = "invalidRequest"
            case bodyStream = "bodyStream"
            case cancelled = "cancelled"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server answered with an error status; see `status`, `s3Code` and `message`.
        public static let s3 = Code(.s3)
        /// The connection could not be made, or broke before the response was complete.
        public static let transport = Code(.transport)
        /// A connect, read or request timeout expired.
        public static let timeout = Code(.timeout)
        /// The server's answer could not be understood (malformed XML, missing fields).
        public static let invalidResponse = Code(.invalidResponse)
        /// The request could not be built: bad endpoint, argument, or a body of the wrong length.
        public static let invalidRequest = Code(.invalidRequest)
        /// The request body's own sequence threw; see `cause`.
        public static let bodyStream = Code(.bodyStream)
        /// The task was cancelled.
        public static let cancelled = Code(.cancelled)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do; for `.s3`, the server's own message.
    public var message: String
    /// The S3 operation, such as `PutObject`.
    public var operation: String
    /// `/bucket/key` (or `/bucket`) the request concerned.
    public var resource: String?
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// The S3 error code from the body (`NoSuchKey`); `NotFound` for a HEAD answered 404 with no
    /// body, as the AWS SDKs report it; nil when the answer had no code.
    public var s3Code: String?
    /// `x-amz-request-id` (or `<RequestId>`) of the failed answer, to look it up in the server's log.
    public var requestID: String?
    /// How many attempts were made.
    public var attempts: Int
    /// The underlying error, for `.transport`, `.timeout` and `.bodyStream`.
    public var cause: (any Error)?

    /// Creates an error.
    public init(
        code: Code, message: String, operation: String, resource: String? = nil, status: Int? = nil,
        s3Code: String? = nil, requestID: String? = nil, attempts: Int = 1, cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.operation = operation
        self.resource = resource
        self.status = status
        self.s3Code = s3Code
        self.requestID = requestID
        self.attempts = attempts
        self.cause = cause
    }

    /// The S3 error code, when it is one this project knows.
    public var s3ErrorCode: S3ErrorCode? { s3Code.flatMap(S3ErrorCode.init(named:)) }

    /// Whether `RetryPolicy` would try the request again (the body permitting): 5xx, 429,
    /// `SlowDown`, `RequestTimeout`, transport failures and timeouts.
    public var isRetryable: Bool {
        switch code {
        case .transport, .timeout: return true
        case .s3:
            if let status, status >= 500 || status == 429 { return true }
            return s3Code == "SlowDown" || s3Code == "RequestTimeout"
        default: return false
        }
    }

    /// A short name for counting errors by kind: the S3 code when there is one, `HTTP <status>`
    /// when the answer had none, the `Code` otherwise.
    public var summary: String {
        if let s3Code { return s3Code }
        if let status { return "HTTP \(status)" }
        return code.description
    }
}

extension S3ClientError: CustomStringConvertible {
    public var description: String {
        var text = "\(operation)"
        if let resource { text += " \(resource)" }
        text += " failed"
        if let status { text += " (HTTP \(status)" + (s3Code.map { " \($0)" } ?? "") + ")" }
        text += ": \(message)"
        if let requestID { text += " [request id \(requestID)]" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        if let cause { text += " (\(String(describing: cause)))" }
        return text
    }
}
