import AsyncHTTPClient
public import NIOCore
import NIOHTTP1

extension S3Client {
    /// PutObject with a body in memory, signed with its SHA-256 (for small bodies). Retried as
    /// the policy allows. `headers` are sent and signed (`content-type`, `x-amz-meta-*`, ...).
    public func putObject(
        bucket: String, key: String, bytes: ByteBuffer, headers: [String: String] = [:]
    ) async throws -> PutObjectResult {
        let request = S3Request(
            operation: "PutObject", method: .PUT, bucket: bucket, key: key, headers: Self.sorted(headers),
            payload: .bytes(bytes))
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return PutObjectResult(headers: response.headers)
    }

    /// PutObject streaming `body`, which must yield exactly `length` bytes: sent as it is read, never
    /// held whole, signed with `UNSIGNED-PAYLOAD` or as signed aws-chunked per the configuration.
    /// Retried only if the failure came before `body` was started: a stream cannot be replayed.
    public func putObject<Body: AsyncSequence & Sendable>(
        bucket: String, key: String, body: Body, length: Int64, headers: [String: String] = [:]
    ) async throws -> PutObjectResult where Body.Element == ByteBuffer {
        let request = S3Request(
            operation: "PutObject", method: .PUT, bucket: bucket, key: key, headers: Self.sorted(headers),
            payload: .stream(StreamPayload(body, length: length)))
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return PutObjectResult(headers: response.headers)
    }

    /// GetObject, whole or a `range` of it: the head at once, the body streamed with backpressure.
    /// Read the body to its end or drop it.
    public func getObject(bucket: String, key: String, range: ByteRange? = nil) async throws -> GetObjectResponse {
        var request = S3Request(operation: "GetObject", method: .GET, bucket: bucket, key: key)
        if let range { request.headers.append((name: "range", value: range.headerValue)) }
        let response = try await execute(request)
        return GetObjectResponse(head: ObjectHead(headers: response.headers), body: ObjectBody(base: response.body, request: request))
    }

    /// HeadObject. A missing object throws an `.s3` error with status 404 and `s3Code` `NotFound`
    /// (a HEAD answer has no body to name the code).
    public func headObject(bucket: String, key: String) async throws -> ObjectHead {
        let request = S3Request(operation: "HeadObject", method: .HEAD, bucket: bucket, key: key)
        let response = try await execute(request)
        return ObjectHead(headers: response.headers)
    }

    /// DeleteObject. Deleting a missing key succeeds, as S3 does.
    public func deleteObject(bucket: String, key: String) async throws {
        let request = S3Request(operation: "DeleteObject", method: .DELETE, bucket: bucket, key: key)
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
    }

    static func sorted(_ headers: [String: String]) -> [(name: String, value: String)] {
        headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }
}
