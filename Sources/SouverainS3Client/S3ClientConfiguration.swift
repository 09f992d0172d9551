/// Everything an `S3Client` needs to reach one endpoint: where, as whom, how, and how patiently.
public struct S3ClientConfiguration: Sendable {
    /// How the bucket appears in a request.
    public enum Addressing: String, Sendable, Codable {
        /// `http://host/bucket/key`: works with any endpoint and with IP addresses.
        case path
        /// `http://bucket.host/key`: needs a DNS name that resolves `*.host`.
        case virtualHosted
    }

    /// How a streamed body (`putObject(bucket:key:body:length:)`, streamed `uploadPart`) is signed.
    /// Bodies given as bytes are always signed with their SHA-256.
    public enum StreamSigning: String, Sendable, Codable {
        /// `x-amz-content-sha256: UNSIGNED-PAYLOAD`: the body is sent as is. Use over TLS.
        case unsignedPayload
        /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: an aws-chunked body whose chunks are each signed.
        case signedChunks
    }

    /// The endpoint URL, `http://` or `https://`, host and optional port, such as `http://127.0.0.1:9000`.
    /// A path (`https://gateway/s3`) is put before every request's path.
    public var endpoint: String
    /// The region requests are signed for (`us-east-1` unless the server says otherwise).
    public var region: String
    /// The key pair that signs requests.
    public var credentials: S3Credentials
    /// Path-style (the default) or virtual-hosted-style requests.
    public var addressing: Addressing
    /// How long establishing a connection may take.
    public var connectTimeout: Duration
    /// How long the server may stay silent while a response is awaited or read.
    public var readTimeout: Duration
    /// When set, how long a request may take until its response head arrives, uploads included.
    /// Nil (the default) leaves only `connectTimeout` and `readTimeout`, which suits large uploads.
    public var requestTimeout: Duration?
    /// When and how often failed requests are tried again.
    public var retry: RetryPolicy
    /// How streamed bodies are signed; `unsignedPayload` by default.
    public var streamSigning: StreamSigning
    /// The size of each signed chunk of an aws-chunked body (AWS requires at least 8 KiB).
    public var signedChunkSize: Int
    /// The most connections kept open to the endpoint; requests beyond wait for one.
    public var maximumConnections: Int
    /// When set, how long a request body may wait for the server to take more bytes. Nil (the
    /// default) leaves a body waiting as long as the server keeps the connection open.
    public var writeTimeout: Duration?
    /// For an `https://` endpoint: a PEM file of the certificate authorities its certificate must
    /// chain to, instead of the system's trust store (nil, the default). The certificate is
    /// verified either way, host name included.
    public var caBundle: String?

    /// A configuration with the defaults: path-style, 10 s to connect, 60 s read timeout,
    /// `RetryPolicy.standard`, unsigned streamed payloads, 64 KiB signed chunks, 64 connections.
    public init(
        endpoint: String, region: String = "us-east-1", credentials: S3Credentials,
        addressing: Addressing = .path, connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(60),
        requestTimeout: Duration? = nil, retry: RetryPolicy = .standard, streamSigning: StreamSigning = .unsignedPayload,
        signedChunkSize: Int = 64 * 1024, maximumConnections: Int = 64, writeTimeout: Duration? = nil,
        caBundle: String? = nil
    ) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.addressing = addressing
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.streamSigning = streamSigning
        self.signedChunkSize = signedChunkSize
        self.maximumConnections = maximumConnections
        self.writeTimeout = writeTimeout
        self.caBundle = caBundle
    }
}
