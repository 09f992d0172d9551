import SouverainTesting
import SouverainS3
import Synchronization
import NIOCore
import NIOHTTP1
@testable import SouverainS3Client
import Testing

/// Retries, timeouts and transport failures, against a scripted server on loopback.
@Suite struct S3ClientRetryTests {
    static let slowDown = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>R1</RequestId></Error>
        """

    func client(_ endpoint: String, attempts: Int = 4, readTimeout: Duration = .seconds(5)) throws -> S3Client {
        try S3Client(configuration: S3ClientConfiguration(
            endpoint: endpoint, credentials: S3Credentials(accessKeyID: "AK", secretAccessKey: "SK"),
            connectTimeout: .seconds(2), readTimeout: readTimeout,
            retry: RetryPolicy(maximumAttempts: attempts, baseDelay: .milliseconds(5), maximumDelay: .milliseconds(20))))
    }

    @Test func retries503TwiceThenSucceeds() async throws {
        let server = try await ScriptedHTTPServer.start { number, _ in
            number <= 2 ? .respond(503, body: Self.slowDown) : .respond(200, headers: [("ETag", "\"abc\"")])
        }
        let client = try client(server.endpoint)
        let result = try await client.putObject(bucket: "b", key: "k", bytes: ByteBuffer(string: "hello"))
        #expect(result.etag == "abc")
        #expect(server.requestCount == 3)
        try await client.shutdown()
        await server.stop()
    }

    @Test func givesUpAfterTheLastAttempt() async throws {
        let server = try await ScriptedHTTPServer.start { _, _ in .respond(503, body: Self.slowDown) }
        let client = try client(server.endpoint, attempts: 3)
        let error = await expectClientError { _ = try await client.getObject(bucket: "b", key: "k") }
        #expect(error?.code == .s3)
        #expect(error?.status == 503)
        #expect(error?.s3Code == "SlowDown")
        #expect(error?.attempts == 3)
        #expect(error?.requestID == "scripted-503")
        #expect(server.requestCount == 3)
        try await client.shutdown()
        await server.stop()
    }

    @Test func retries429() async throws {
        let server = try await ScriptedHTTPServer.start { number, _ in number == 1 ? .respond(429) : .respond(204) }
        let client = try client(server.endpoint)
        try await client.deleteObject(bucket: "b", key: "k")
        #expect(server.requestCount == 2)
        try await client.shutdown()
        await server.stop()
    }

    @Test func retriesADroppedConnection() async throws {
        let server = try await ScriptedHTTPServer.start { number, _ in number == 1 ? .drop : .respond(200, body: "data") }
        let client = try client(server.endpoint)
        let response = try await client.getObject(bucket: "b", key: "k")
        #expect(String(buffer: try await response.body.collect(upTo: 100)) == "data")
        #expect(server.requestCount == 2)
        try await client.shutdown()
        await server.stop()
    }

    @Test func doesNotRetryClientErrors() async throws {
        let body = "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"
        let server = try await ScriptedHTTPServer.start { _, _ in .respond(404, body: body) }
        let client = try client(server.endpoint)
        let error = await expectClientError { _ = try await client.getObject(bucket: "b", key: "k") }
        #expect(error?.s3Code == "NoSuchKey")
        #expect(error?.message == "gone")
        #expect(error?.attempts == 1)
        #expect(server.requestCount == 1)
        try await client.shutdown()
        await server.stop()
    }

    @Test func neverRetriesAStartedStream() async throws {
        let server = try await ScriptedHTTPServer.start { _, _ in .respond(503, body: Self.slowDown) }
        let client = try client(server.endpoint)
        let bytes = TestData.bytes(count: 200_000, seed: 9)
        let error = await expectClientError {
            _ = try await client.putObject(
                bucket: "b", key: "k", body: TestData.stream(bytes, chunk: 50_000), length: Int64(bytes.count))
        }
        #expect(error?.status == 503)
        #expect(error?.attempts == 1)
        #expect(server.requestCount == 1)
        try await client.shutdown()
        await server.stop()
    }

    @Test func retriesAStreamThatNeverStarted() async throws {
        // Nothing listens on this port: the connection fails before the body is read.
        let port = try TestServer.freePort()
        let client = try client("http://127.0.0.1:\(port)", attempts: 3)
        let error = await expectClientError {
            _ = try await client.putObject(
                bucket: "b", key: "k", body: TestData.stream([1, 2, 3], chunk: 3), length: 3)
        }
        #expect(error?.code == .transport || error?.code == .timeout)
        #expect(error?.attempts == 3)
        #expect(error?.isRetryable == true)
        try await client.shutdown()
    }

    @Test func readTimeout() async throws {
        let server = try await ScriptedHTTPServer.start { _, _ in .hang }
        let client = try client(server.endpoint, attempts: 2, readTimeout: .milliseconds(300))
        // The error's code and attempts prove the timeout fired; no bound on the elapsed time, which
        // a loaded machine stretches (39 s once, for two 300 ms timeouts).
        let error = await expectClientError { _ = try await client.headObject(bucket: "b", key: "k") }
        #expect(error?.code == .timeout)
        #expect(error?.attempts == 2)
        #expect(server.requestCount == 2)
        try await client.shutdown()
        await server.stop()
    }

    @Test func requestTimeout() async throws {
        let server = try await ScriptedHTTPServer.start { _, _ in .hang }
        var configuration = S3ClientConfiguration(
            endpoint: server.endpoint, credentials: S3Credentials(accessKeyID: "AK", secretAccessKey: "SK"),
            readTimeout: .seconds(60), requestTimeout: .milliseconds(200), retry: .none)
        configuration.maximumConnections = 2
        let client = try S3Client(configuration: configuration)
        let error = await expectClientError { _ = try await client.listObjectsV2(bucket: "b") }
        #expect(error?.code == .timeout)
        #expect(error?.attempts == 1)
        try await client.shutdown()
        await server.stop()
    }

    @Test func signsEveryRequestAndSendsTheHost() async throws {
        let seen = ScriptedHTTPServer.Counter()
        let server = try await ScriptedHTTPServer.start { _, head in
            let authorization = head.headers.first(name: "authorization") ?? ""
            let signed = authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AK/")
                && authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date")
            let hosted = head.headers.first(name: "host")?.hasPrefix("127.0.0.1:") == true
            let encoded = head.uri == "/b/a%20b/%C3%A9" || head.uri.hasPrefix("/b?list-type=2&encoding-type=url&prefix=x%20y")
            let ok = signed && hosted && encoded
            if ok { _ = seen.next() }
            return .respond(200, body: "<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated></ListBucketResult>")
        }
        let client = try client(server.endpoint)
        _ = try await client.getObject(bucket: "b", key: "a b/é").body.consume()
        let page = try await client.listObjectsV2(bucket: "b", prefix: "x y")
        #expect(page.name == "b")
        #expect(seen.value.withLock { $0 } == 2)
        try await client.shutdown()
        await server.stop()
    }

    @Test func badEndpointIsInvalidRequest() {
        for endpoint in ["", "ftp://host", "not a url", "http://"] {
            #expect(throws: S3ClientError.self, "\(endpoint)") {
                _ = try S3Client(configuration: S3ClientConfiguration(
                    endpoint: endpoint, credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b")))
            }
        }
    }
}
