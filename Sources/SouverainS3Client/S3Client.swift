import AsyncHTTPClient
import NIOCore
import NIOSSL
import SouverainSigV4

/// A signing S3 client over AsyncHTTPClient: Signature V4, streamed uploads and downloads,
/// multipart uploads, retries with backoff, timeouts.
///
/// It holds one `HTTPClient` and its connection pool; call `shutdown()` once when done, before
/// it is released. Every operation throws `S3ClientError`.
public final class S3Client: Sendable {
    /// The configuration the client was made with.
    public let configuration: S3ClientConfiguration
    let httpClient: HTTPClient
    let signer: SigV4Signer
    let endpoint: S3Endpoint

    /// A client for `configuration`. Throws `S3ClientError.Code.invalidRequest` when the endpoint is
    /// not an http(s) URL with a host.
    public init(configuration: S3ClientConfiguration) throws {
        self.endpoint = try S3Endpoint(configuration.endpoint, addressing: configuration.addressing)
        self.configuration = configuration
        self.signer = SigV4Signer(
            accessKeyID: configuration.credentials.accessKeyID,
            secretAccessKey: configuration.credentials.secretAccessKey, region: configuration.region)
        var http = HTTPClient.Configuration()
        http.timeout = .init(
            connect: .nanoseconds(configuration.connectTimeout.nanoseconds),
            read: .nanoseconds(configuration.readTimeout.nanoseconds))
        http.timeout.write = configuration.writeTimeout.map { .nanoseconds($0.nanoseconds) }
        http.redirectConfiguration = .disallow
        http.decompression = .disabled
        http.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.maximumConnections))
        if let caBundle = configuration.caBundle { http.tlsConfiguration = try Self.tlsConfiguration(caBundle: caBundle) }
        self.httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
    }

    /// Closes every connection. The client cannot be used afterwards.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }
}

extension S3Client: CustomStringConvertible {
    public var description: String {
        "S3Client(endpoint: \(configuration.endpoint), region: \(configuration.region), accessKeyID: \(configuration.credentials.accessKeyID))"
    }
}
