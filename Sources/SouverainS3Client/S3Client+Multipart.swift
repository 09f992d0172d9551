import AsyncHTTPClient
public import NIOCore
import NIOHTTP1
public import SouverainS3

extension S3Client {
    /// CreateMultipartUpload: starts an upload and returns its id. `headers` (content type,
    /// metadata) apply to the object the upload completes into.
    public func createMultipartUpload(
        bucket: String, key: String, headers: [String: String] = [:]
    ) async throws -> InitiateMultipartUploadResult {
        let request = S3Request(
            operation: "CreateMultipartUpload", method: .POST, bucket: bucket, key: key, query: [("uploads", nil)],
            headers: Self.sorted(headers))
        let (xml, _) = try await executeForXML(request)
        guard let uploadID = xml.string("UploadId"), !uploadID.isEmpty else {
            throw S3ClientError(
                code: .invalidResponse, message: "The answer to CreateMultipartUpload (<\(xml.name)>) has no UploadId.",
                operation: request.operation, resource: request.resource)
        }
        return InitiateMultipartUploadResult(
            bucket: xml.string("Bucket") ?? bucket, key: xml.string("Key") ?? key, uploadID: uploadID)
    }

    /// UploadPart with the part in memory, signed with its SHA-256 and retried as the policy allows.
    /// Returns the part as CompleteMultipartUpload wants it.
    public func uploadPart(
        bucket: String, key: String, uploadID: String, partNumber: Int, bytes: ByteBuffer
    ) async throws -> CompletedPart {
        try await uploadPart(bucket: bucket, key: key, uploadID: uploadID, partNumber: partNumber, payload: .bytes(bytes))
    }

    /// UploadPart streaming `body` of exactly `length` bytes, signed like a streamed PutObject and
    /// retried only if the failure came before the body was started.
    public func uploadPart<Body: AsyncSequence & Sendable>(
        bucket: String, key: String, uploadID: String, partNumber: Int, body: Body, length: Int64
    ) async throws -> CompletedPart where Body.Element == ByteBuffer {
        try await uploadPart(
            bucket: bucket, key: key, uploadID: uploadID, partNumber: partNumber,
            payload: .stream(StreamPayload(body, length: length)))
    }

    private func uploadPart(
        bucket: String, key: String, uploadID: String, partNumber: Int, payload: RequestPayload
    ) async throws -> CompletedPart {
        let request = S3Request(
            operation: "UploadPart", method: .PUT, bucket: bucket, key: key,
            query: [("partNumber", String(partNumber)), ("uploadId", uploadID)], payload: payload)
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard let etag = response.headers.first(name: "etag").map(ObjectHead.unquoted), !etag.isEmpty else {
            throw S3ClientError(
                code: .invalidResponse, message: "The answer to part \(partNumber) has no ETag.",
                operation: request.operation, resource: request.resource, status: Int(response.status.code))
        }
        return CompletedPart(partNumber: partNumber, etag: etag)
    }

    /// CompleteMultipartUpload with `parts` (sorted here by part number). An `<Error>` sent with
    /// status 200, as S3 may do, is thrown as an `.s3` error.
    public func completeMultipartUpload(
        bucket: String, key: String, uploadID: String, parts: [CompletedPart]
    ) async throws -> CompleteMultipartUploadResult {
        try await completeMultipartUploadWithVersion(bucket: bucket, key: key, uploadID: uploadID, parts: parts).result
    }

    /// CompleteMultipartUpload, with the version id the answer's `x-amz-version-id` gives.
    func completeMultipartUploadWithVersion(
        bucket: String, key: String, uploadID: String, parts: [CompletedPart]
    ) async throws -> (result: CompleteMultipartUploadResult, versionID: String?) {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.partNumber < $1.partNumber }) {
            xml += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\"\(XMLWriter.escape(part.etag))\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let request = S3Request(
            operation: "CompleteMultipartUpload", method: .POST, bucket: bucket, key: key,
            query: [("uploadId", uploadID)], headers: [(name: "content-type", value: "application/xml")],
            payload: .bytes(ByteBuffer(string: xml)))
        let (answer, headers) = try await executeForXML(request)
        // The root should be CompleteMultipartUploadResult (moto says ...Response): the ETag is what matters.
        guard let etag = answer.string("ETag"), !etag.isEmpty else {
            throw S3ClientError(
                code: .invalidResponse, message: "The answer to CompleteMultipartUpload (<\(answer.name)>) has no ETag.",
                operation: request.operation, resource: request.resource)
        }
        let result = CompleteMultipartUploadResult(
            location: answer.string("Location") ?? "", bucket: answer.string("Bucket") ?? bucket,
            key: answer.string("Key") ?? key, etag: ObjectHead.unquoted(etag))
        return (result, headers.first(name: "x-amz-version-id"))
    }

    /// AbortMultipartUpload: discards the upload and its parts.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        let request = S3Request(
            operation: "AbortMultipartUpload", method: .DELETE, bucket: bucket, key: key, query: [("uploadId", uploadID)])
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
    }
}
