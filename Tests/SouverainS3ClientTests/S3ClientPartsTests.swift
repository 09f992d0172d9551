import Foundation
import NIOHTTP1
import SouverainS3
import NIOCore
import SouverainSigV4
@testable import SouverainS3Client
import Testing

/// Pure parts of the client: backoff, endpoints, aws-chunked framing, heads, errors.
@Suite struct S3ClientPartsTests {
    /// A generator that always draws its largest value (so a uniform draw lands at the top).
    struct HighGenerator: RandomNumberGenerator {
        mutating func next() -> UInt64 { .max }
    }

    @Test(arguments: [(1, 100), (2, 200), (3, 400), (4, 800), (6, 3_200), (7, 5_000), (40, 5_000)])
    func backoffWithoutJitterDoublesUpToTheCeiling(retry: Int, milliseconds: Int) {
        let policy = RetryPolicy(maximumAttempts: 10, baseDelay: .milliseconds(100), maximumDelay: .seconds(5), jitter: false)
        var generator = SystemRandomNumberGenerator()
        #expect(policy.delay(beforeRetry: retry, using: &generator) == .milliseconds(milliseconds))
    }

    @Test func jitterDrawsBetweenZeroAndTheCeiling() {
        let policy = RetryPolicy(maximumAttempts: 10, baseDelay: .milliseconds(100), maximumDelay: .seconds(5))
        var generator = SystemRandomNumberGenerator()
        for retry in 1...8 {
            let ceiling = min(Duration.seconds(5), .milliseconds(100) * (1 << (retry - 1)))
            for _ in 0..<50 {
                let delay = policy.delay(beforeRetry: retry, using: &generator)
                #expect(delay >= .zero && delay <= ceiling)
            }
        }
        var high = HighGenerator()
        let top = policy.delay(beforeRetry: 3, using: &high)
        #expect(top > .milliseconds(399) && top <= .milliseconds(400))
        #expect(RetryPolicy(maximumAttempts: 0).maximumAttempts == 1)
    }

    @Test func pathStyleEndpoint() throws {
        let endpoint = try S3Endpoint("http://127.0.0.1:9000/", addressing: .path)
        #expect(endpoint.hostHeader(bucket: "b") == "127.0.0.1:9000")
        #expect(endpoint.path(bucket: "b", key: "a b/c+d") == "/b/a%20b/c%2Bd")
        #expect(endpoint.path(bucket: "b", key: nil) == "/b")
        #expect(endpoint.path(bucket: "b", key: "") == "/b/")
        #expect(endpoint.path(bucket: nil, key: nil) == "/")
    }

    @Test func virtualHostedEndpointWithDefaultPortAndBasePath() throws {
        let endpoint = try S3Endpoint("https://s3.example.eu:443/gateway/", addressing: .virtualHosted)
        #expect(endpoint.hostHeader(bucket: "b") == "b.s3.example.eu")
        #expect(endpoint.path(bucket: "b", key: "k/é") == "/gateway/k/%C3%A9")
        #expect(endpoint.path(bucket: "b", key: nil) == "/gateway/")
    }

    @Test func ipv6Endpoint() throws {
        let endpoint = try S3Endpoint("http://[::1]:9000", addressing: .path)
        #expect(endpoint.host == "::1")
        #expect(endpoint.hostHeader(bucket: "b") == "[::1]:9000")
    }

    @Test(arguments: [0, 1, 8191, 8192, 8193, 65_536, 3 * 65_536, 3 * 65_536 + 7, 1_000_003])
    func awsChunkedLengthMatchesTheBytesProduced(length: Int) async throws {
        let chunkSize = length % 2 == 0 ? 65_536 : 8_192
        let signing = ChunkSigningContext(
            secretAccessKey: "secret", date: .init(timeIntervalSince1970: 0), region: "us-east-1",
            seedSignature: String(repeating: "0", count: 64))
        let bytes = TestData.bytes(count: length, seed: UInt64(length))
        let body = AWSChunkedBody(base: TestData.stream(bytes, chunk: 10_007), signing: signing, chunkSize: chunkSize)
        var produced = 0
        var decoded: [UInt8] = []
        var chunks = 0
        for try await buffer in body {
            produced += buffer.readableBytes
            // Each buffer is one chunk (plus the final one in the last buffer): read its data back.
            var copy = buffer
            while copy.readableBytes > 0 {
                let line = copy.readableBytesView.firstIndex(of: UInt8(ascii: "\r"))!
                let header = copy.readString(length: line - copy.readerIndex)!
                copy.moveReaderIndex(forwardBy: 2)
                let size = Int(header.split(separator: ";")[0], radix: 16)!
                #expect(header.contains(";chunk-signature="))
                decoded += copy.readBytes(length: size)!
                copy.moveReaderIndex(forwardBy: 2)
                chunks += 1
                if size > 0 { #expect(size == chunkSize || decoded.count == length) }
            }
        }
        #expect(produced == Int(AWSChunkedBody<BufferSequence>.encodedLength(of: Int64(length), chunkSize: chunkSize)))
        #expect(decoded == bytes)
        #expect(chunks == (length + chunkSize - 1) / chunkSize + 1)
    }

    @Test func headReadsMetadataRangesAndQuotedETags() {
        let head = ObjectHead(headers: [
            "Content-Length": "100", "ETag": "\"abc-2\"", "Content-Range": "bytes 0-99/1000",
            "X-Amz-Meta-Colour": "blue", "Last-Modified": "Wed, 12 Oct 2009 17:50:00 GMT", "x-amz-request-id": "r",
        ])
        #expect(head.contentLength == 100)
        #expect(head.objectSize == 1000)
        #expect(head.etag == "abc-2")
        #expect(head.metadata == ["colour": "blue"])
        #expect(head.lastModified != nil)
        #expect(head.requestID == "r")
        #expect(ObjectHead.unquoted("W/\"x\"") == "x")
        #expect(ByteRange.bytes(0...9).headerValue == "bytes=0-9")
        #expect(ByteRange.suffix(5).headerValue == "bytes=-5")
        #expect(ByteRange.from(7).headerValue == "bytes=7-")
    }

    @Test func errorsSayWhatHappenedAndWhetherToRetry() {
        let error = S3ClientError(
            code: .s3, message: "Please reduce your request rate.", operation: "PutObject", resource: "/b/k",
            status: 503, s3Code: "SlowDown", requestID: "R", attempts: 4)
        #expect(error.description == "PutObject /b/k failed (HTTP 503 SlowDown): Please reduce your request rate. [request id R] after 4 attempts")
        #expect(error.isRetryable)
        #expect(error.summary == "SlowDown")
        #expect(error.s3ErrorCode == .slowDown)
        #expect(S3ClientError(code: .s3, message: "", operation: "X", status: 400, s3Code: "RequestTimeout").isRetryable)
        #expect(!S3ClientError(code: .s3, message: "", operation: "X", status: 403).isRetryable)
        #expect(S3ClientError(code: .s3, message: "", operation: "X", status: 403).summary == "HTTP 403")
        #expect(S3ClientError(code: .timeout, message: "", operation: "X").isRetryable)
        #expect(!S3ClientError(code: .bodyStream, message: "", operation: "X").isRetryable)
        #expect(!S3ClientError(code: .cancelled, message: "", operation: "X").isRetryable)
        #expect(S3ClientError(code: .transport, message: "", operation: "X").summary == "transport")
    }

    @Test func credentialsNeverShowTheSecret() {
        let credentials = S3Credentials(accessKeyID: "AK", secretAccessKey: "very-secret")
        #expect(!"\(credentials)".contains("very-secret"))
        #expect(!String(reflecting: credentials).contains("very-secret"))
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("very-secret"))
    }
}
