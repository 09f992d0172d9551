public import SouverainS3Client

extension S3Location {
    /// How long a location's remote may stay silent, on one request, before the request fails.
    public static let silenceBound: Duration = .seconds(15)

    /// The client configuration of a location: how patient the gateway is with a remote that
    /// stops answering.
    ///
    /// A remote whose process is frozen (SIGSTOP, a VM paused, a host cut off without a reset)
    /// still completes TCP handshakes in its kernel and takes a request into its buffers, then
    /// answers nothing: only the client's bounds turn that into a failed step, which the engine
    /// then handles (the next copy for a read, a dropped copy for a write, the circuit breaker).
    /// Each request is bounded by `silenceBound` of silence, while the answer is awaited or read
    /// and while a body waits for the remote to take more bytes, and is tried at most twice with a
    /// short backoff: about 31 s at most, well under a client's own timeout (60 s for the AWS SDKs
    /// and aws-cli), so a GET still fails over to another copy and a PUT is still answered. The
    /// client's defaults (60 s of silence, 4 attempts) made a frozen remote hold a PUT or a GET for
    /// four minutes, long after the client had given up.
    ///
    /// An `https://` remote's certificate is verified against the system trust store, or against
    /// `caBundle` (a PEM file, the location's `ca-bundle`) when given.
    public static func clientConfiguration(
        endpoint: String, region: String, credentials: S3Credentials, caBundle: String? = nil
    ) -> S3ClientConfiguration {
        S3ClientConfiguration(
            endpoint: endpoint, region: region, credentials: credentials,
            connectTimeout: .seconds(5), readTimeout: silenceBound,
            retry: RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(100), maximumDelay: .seconds(1)),
            writeTimeout: silenceBound, caBundle: caBundle)
    }
}
