import SouverainTesting
import Foundation
import NIOCore
import SouverainS3
import SouverainS3Client
import Testing

/// Runs `body` with a client of the suite's shared server of `kind` (or of one started for it),
/// then shuts the client (and a server started here) down.
func withServerClient(
    _ kind: TestServer.Kind, secret: String? = nil, accessKey: String? = nil,
    configure: (inout S3ClientConfiguration) -> Void = { _ in },
    _ body: (S3Client, TestServer) async throws -> Void
) async throws {
    let shared = TestServer.current.flatMap { $0.kind == kind ? $0 : nil }
    let server: TestServer
    if let shared { server = shared } else { server = try await TestServer.start(kind) }
    var configuration = S3ClientConfiguration(
        endpoint: server.endpoint, region: server.region,
        credentials: S3Credentials(accessKeyID: accessKey ?? server.accessKey, secretAccessKey: secret ?? server.secretKey))
    configure(&configuration)
    do {
        let client = try S3Client(configuration: configuration)
        do {
            try await body(client, server)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    } catch {
        if shared == nil { await server.stop() }
        throw error
    }
    if shared == nil { await server.stop() }
}

/// Expects `body` to throw an `S3ClientError` and returns it.
func expectClientError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> S3ClientError? {
    do {
        try await body()
        Issue.record("expected an S3ClientError, got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as S3ClientError {
        return error
    } catch {
        Issue.record("expected an S3ClientError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The scenarios every S3 server must pass with our client.
enum ClientScenarios {
    static func smallRoundTrip(_ client: S3Client) async throws {
        try await client.createBucket("small")
        let bytes = TestData.bytes(count: 4099, seed: 1)
        let put = try await client.putObject(
            bucket: "small", key: "dir/hello.bin", bytes: ByteBuffer(bytes: bytes),
            headers: ["content-type": "application/x-test", "x-amz-meta-colour": "blue"])
        #expect(put.etag?.isEmpty == false)
        #expect(put.etag?.hasPrefix("\"") == false)

        let head = try await client.headObject(bucket: "small", key: "dir/hello.bin")
        #expect(head.contentLength == 4099)
        #expect(head.contentType == "application/x-test")
        #expect(head.metadata["colour"] == "blue")
        #expect(head.etag == put.etag)
        #expect(head.lastModified != nil)

        let get = try await client.getObject(bucket: "small", key: "dir/hello.bin")
        let body = try await get.body.collect(upTo: 1 << 20)
        #expect(Array(body.readableBytesView) == bytes)
        #expect(get.head.contentLength == 4099)

        try await client.deleteObject(bucket: "small", key: "dir/hello.bin")
        let missing = await expectClientError { _ = try await client.getObject(bucket: "small", key: "dir/hello.bin") }
        #expect(missing?.code == .s3)
        #expect(missing?.status == 404)
        #expect(missing?.s3Code == "NoSuchKey")
        #expect(missing?.s3ErrorCode == .noSuchKey)
        #expect(missing?.attempts == 1)
        try await client.deleteBucket("small")
    }

    static func streamedRoundTrip(_ client: S3Client, size: Int) async throws {
        try await client.createBucket("streamed")
        let bytes = TestData.bytes(count: size, seed: 2)
        // Odd buffer sizes, so that aws-chunked framing has to re-cut them.
        let put = try await client.putObject(
            bucket: "streamed", key: "odd size", body: TestData.stream(bytes, chunk: 100_003), length: Int64(size))
        #expect(put.etag?.isEmpty == false)
        let get = try await client.getObject(bucket: "streamed", key: "odd size")
        let (sha, count) = try await digest(get.body)
        #expect(count == size)
        #expect(sha == TestData.sha256(bytes))
        try await client.deleteObject(bucket: "streamed", key: "odd size")
        try await client.deleteBucket("streamed")
    }

    static func largeMultipartRoundTrip(_ client: S3Client, size: Int) async throws {
        try await client.createBucket("large")
        let bytes = TestData.bytes(count: size, seed: 3)
        let result = try await client.uploadLarge(
            bucket: "large", key: "big/object", body: TestData.stream(bytes, chunk: 1 << 20),
            partSize: 8 << 20, concurrency: 4)
        #expect(result.parts == (size + (8 << 20) - 1) / (8 << 20))
        #expect(result.size == Int64(size))
        #expect(result.uploadID != nil)
        #expect(result.etag.hasSuffix("-\(result.parts)"))

        let head = try await client.headObject(bucket: "large", key: "big/object")
        #expect(head.contentLength == Int64(size))
        let get = try await client.getObject(bucket: "large", key: "big/object")
        let (sha, count) = try await digest(get.body)
        #expect(count == size)
        #expect(sha == TestData.sha256(bytes))

        // A body shorter than one part goes as one PutObject.
        let small = TestData.bytes(count: 1000, seed: 4)
        let single = try await client.uploadLarge(
            bucket: "large", key: "big/small", body: TestData.stream(small, chunk: 300))
        #expect(single.parts == 0)
        #expect(single.uploadID == nil)
        let back = try await client.getObject(bucket: "large", key: "big/small").body.collect(upTo: 4096)
        #expect(Array(back.readableBytesView) == small)

        try await client.deleteObject(bucket: "large", key: "big/object")
        try await client.deleteObject(bucket: "large", key: "big/small")
        try await client.deleteBucket("large")
    }

    static func ranges(_ client: S3Client) async throws {
        try await client.createBucket("ranges")
        let bytes = TestData.bytes(count: 10_000, seed: 5)
        _ = try await client.putObject(bucket: "ranges", key: "r", bytes: ByteBuffer(bytes: bytes))
        let cases: [(ByteRange, ArraySlice<UInt8>)] = [
            (.bytes(10...99), bytes[10...99]),
            (.bytes(0...0), bytes[0...0]),
            (.from(9_990), bytes[9_990...]),
            (.suffix(17), bytes[(10_000 - 17)...]),
        ]
        for (range, expected) in cases {
            let response = try await client.getObject(bucket: "ranges", key: "r", range: range)
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect(Array(body.readableBytesView) == Array(expected), "\(range)")
            #expect(response.head.contentLength == Int64(expected.count), "\(range)")
            #expect(response.head.objectSize == 10_000, "\(range)")
            #expect(response.head.contentRange?.hasPrefix("bytes ") == true, "\(range)")
        }
        let unsatisfiable = await expectClientError {
            _ = try await client.getObject(bucket: "ranges", key: "r", range: .from(20_000))
        }
        #expect(unsatisfiable?.status == 416)
        #expect(unsatisfiable?.s3Code == "InvalidRange")
        try await client.deleteObject(bucket: "ranges", key: "r")
        try await client.deleteBucket("ranges")
    }

    /// Keys that need encoding in paths, queries and listings.
    static let hostileKeys = ["a b", "&+-é\"", "../x", "dir/sub/../y", "q?x=1&y=2", "percent%20", "plus+sign", "~tilde", "[]{}<>"]

    static func listingPagination(_ client: S3Client) async throws {
        try await client.createBucket("listing")
        var keys = Set(hostileKeys.map { "p/" + $0 })
        for index in 0..<16 { keys.insert("p/k\(index)") }
        for key in keys {
            _ = try await client.putObject(bucket: "listing", key: key, bytes: ByteBuffer(string: key))
        }
        _ = try await client.putObject(bucket: "listing", key: "other", bytes: ByteBuffer(string: "x"))
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await client.listObjectsV2(bucket: "listing", prefix: "p/", continuationToken: token, maxKeys: 7)
            pages += 1
            #expect(page.contents.count <= 7)
            seen += page.contents.map(\.key)
            for object in page.contents { #expect(object.size == Int64(object.key.utf8.count), "\(object.key)") }
            token = page.isTruncated ? page.nextContinuationToken : nil
            #expect(!page.isTruncated || token != nil)
        } while token != nil && pages < 20
        #expect(pages == 4)
        #expect(seen.count == keys.count)
        #expect(Set(seen) == keys)
        #expect(seen == seen.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })

        // Hostile keys round-trip through the path too.
        for key in hostileKeys.map({ "p/" + $0 }) {
            let body = try await client.getObject(bucket: "listing", key: key).body.collect(upTo: 4096)
            #expect(String(buffer: body) == key)
        }
        let delimited = try await client.listObjectsV2(bucket: "listing", prefix: "p/dir/", delimiter: "/")
        #expect(delimited.commonPrefixes == ["p/dir/sub/"])

        for key in keys.union(["other"]) { try await client.deleteObject(bucket: "listing", key: key) }
        try await client.deleteBucket("listing")
    }

    static func errorMapping(_ client: S3Client) async throws {
        let noBucket = await expectClientError {
            _ = try await client.putObject(bucket: "missing-bucket", key: "k", bytes: ByteBuffer(string: "x"))
        }
        #expect(noBucket?.status == 404)
        #expect(noBucket?.s3Code == "NoSuchBucket")
        #expect(noBucket?.resource == "/missing-bucket/k")
        #expect(noBucket?.operation == "PutObject")

        let listMissing = await expectClientError { _ = try await client.listObjectsV2(bucket: "missing-bucket") }
        #expect(listMissing?.s3Code == "NoSuchBucket")

        try await client.createBucket("errors")
        let noKey = await expectClientError { _ = try await client.getObject(bucket: "errors", key: "nothing") }
        #expect(noKey?.s3Code == "NoSuchKey")
        let headMissing = await expectClientError { _ = try await client.headObject(bucket: "errors", key: "nothing") }
        #expect(headMissing?.status == 404)
        #expect(headMissing?.s3Code == "NotFound")
        let headBucketMissing = await expectClientError { try await client.headBucket("missing-bucket") }
        #expect(headBucketMissing?.status == 404)
        try await client.headBucket("errors")

        _ = try await client.putObject(bucket: "errors", key: "k", bytes: ByteBuffer(string: "x"))
        let notEmpty = await expectClientError { try await client.deleteBucket("errors") }
        #expect(notEmpty?.s3Code == "BucketNotEmpty")
        #expect(notEmpty?.status == 409)
        #expect(notEmpty?.isRetryable == false)
        try await client.deleteObject(bucket: "errors", key: "k")
        try await client.deleteBucket("errors")
    }

    /// `strict`: the server names the error NoSuchUpload (moto answers 500 instead).
    static func abortMultipart(_ client: S3Client, strict: Bool = true) async throws {
        try await client.createBucket("abort")
        let upload = try await client.createMultipartUpload(bucket: "abort", key: "k")
        let part = try await client.uploadPart(
            bucket: "abort", key: "k", uploadID: upload.uploadID, partNumber: 1,
            bytes: ByteBuffer(bytes: TestData.bytes(count: 5 << 20, seed: 6)))
        #expect(part.partNumber == 1)
        try await client.abortMultipartUpload(bucket: "abort", key: "k", uploadID: upload.uploadID)
        let gone = await expectClientError {
            _ = try await client.completeMultipartUpload(bucket: "abort", key: "k", uploadID: upload.uploadID, parts: [part])
        }
        if strict { #expect(gone?.s3Code == "NoSuchUpload") }
        let noObject = await expectClientError { _ = try await client.headObject(bucket: "abort", key: "k") }
        #expect(noObject?.status == 404)

        // A streamed part, then completion.
        let second = try await client.createMultipartUpload(bucket: "abort", key: "streamed-part")
        let bytes = TestData.bytes(count: 3 << 20, seed: 7)
        let streamed = try await client.uploadPart(
            bucket: "abort", key: "streamed-part", uploadID: second.uploadID, partNumber: 1,
            body: TestData.stream(bytes, chunk: 65_537), length: Int64(bytes.count))
        let done = try await client.completeMultipartUpload(
            bucket: "abort", key: "streamed-part", uploadID: second.uploadID, parts: [streamed])
        #expect(done.etag.hasSuffix("-1"))
        let (sha, _) = try await digest(try await client.getObject(bucket: "abort", key: "streamed-part").body)
        #expect(sha == TestData.sha256(bytes))
        try await client.deleteObject(bucket: "abort", key: "streamed-part")
        try await client.deleteBucket("abort")
    }

    static func uploadLargeAbortsOnFailure(_ client: S3Client) async throws {
        try await client.createBucket("failing")
        var body = TestData.stream(TestData.bytes(count: 20 << 20, seed: 8), chunk: 1 << 20)
        body.failAfter = 12
        let error = await expectClientError {
            _ = try await client.uploadLarge(bucket: "failing", key: "k", body: body, partSize: 5 << 20, concurrency: 2)
        }
        #expect(error?.code == .bodyStream)
        let missing = await expectClientError { _ = try await client.headObject(bucket: "failing", key: "k") }
        #expect(missing?.status == 404)
        try await client.deleteBucket("failing")
    }
}
