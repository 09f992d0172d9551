public import NIOCore
import SouverainS3

extension S3Client {
    /// The smallest part S3 accepts (but for the last).
    public static let minimumPartSize = 5 * 1024 * 1024

    /// Uploads a stream of any length as a multipart upload: `body` is cut into parts of `partSize`
    /// bytes, at most `concurrency` uploaded at a time (so at most `concurrency + 1` parts are held
    /// in memory), each retried as the policy allows. A body shorter than one part is sent as one
    /// PutObject. On any failure, or cancellation, the upload is aborted and the error rethrown.
    /// `partSize` must be at least 5 MiB, and the body at most 10,000 parts.
    public func uploadLarge<Body: AsyncSequence>(
        bucket: String, key: String, body: Body, partSize: Int = 8 * 1024 * 1024, concurrency: Int = 4,
        headers: [String: String] = [:]
    ) async throws -> UploadLargeResult where Body.Element == ByteBuffer {
        let resource = "/\(bucket)/\(key)"
        guard partSize >= Self.minimumPartSize, concurrency >= 1 else {
            throw S3ClientError(
                code: .invalidRequest, message: "A part must be at least 5 MiB and the concurrency at least 1.",
                operation: "UploadLarge", resource: resource)
        }
        var source = PartReader(iterator: body.makeAsyncIterator(), partSize: partSize)
        var first = try await source.nextPart(resource: resource)
        if source.isExhausted, (first?.readableBytes ?? 0) < partSize {
            let bytes = first ?? ByteBuffer()
            let result = try await putObject(bucket: bucket, key: key, bytes: bytes, headers: headers)
            return UploadLargeResult(
                etag: result.etag ?? "", size: Int64(bytes.readableBytes), parts: 0, uploadID: nil, versionID: result.versionID)
        }
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key, headers: headers).uploadID
        do {
            var size: Int64 = 0
            let parts = try await withThrowingTaskGroup(of: CompletedPart.self) { group in
                var completed: [CompletedPart] = []
                var partNumber = 0
                var inFlight = 0
                while let part = first {
                    partNumber += 1
                    guard partNumber <= 10_000 else {
                        throw S3ClientError(
                            code: .invalidRequest, message: "The body needs more than 10,000 parts; use a larger part size.",
                            operation: "UploadLarge", resource: resource)
                    }
                    if inFlight == concurrency, let done = try await group.next() {
                        completed.append(done)
                        inFlight -= 1
                    }
                    size += Int64(part.readableBytes)
                    let number = partNumber
                    group.addTask {
                        try await self.uploadPart(bucket: bucket, key: key, uploadID: uploadID, partNumber: number, bytes: part)
                    }
                    inFlight += 1
                    first = source.isExhausted ? nil : try await source.nextPart(resource: resource)
                }
                for try await done in group { completed.append(done) }
                return completed
            }
            let (result, versionID) = try await completeMultipartUploadWithVersion(bucket: bucket, key: key, uploadID: uploadID, parts: parts)
            return UploadLargeResult(etag: result.etag, size: size, parts: parts.count, uploadID: uploadID, versionID: versionID)
        } catch {
            // An unstructured task, awaited at once, so that the abort is sent even when this task
            // was cancelled (a child would inherit the cancellation).
            let abort = Task { try await self.abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID) }
            _ = try? await abort.value
            throw error
        }
    }
}

/// Cuts a stream of buffers into parts of a fixed size.
private struct PartReader<Iterator: AsyncIteratorProtocol> where Iterator.Element == ByteBuffer {
    var iterator: Iterator
    let partSize: Int
    /// The rest of a buffer that went past the end of the previous part.
    var carry: ByteBuffer?
    var sourceEnded = false

    /// Whether every byte of the stream has been handed out.
    var isExhausted: Bool { sourceEnded && carry == nil }

    /// The next part: `partSize` bytes, fewer for the last one; nil when the stream had no more.
    mutating func nextPart(resource: String) async throws -> ByteBuffer? {
        var part = ByteBuffer()
        part.reserveCapacity(partSize)
        while part.readableBytes < partSize {
            var buffer: ByteBuffer
            if let carried = carry {
                buffer = carried
                carry = nil
            } else {
                guard !sourceEnded else { break }
                let next: ByteBuffer?
                do {
                    next = try await iterator.next()
                } catch {
                    throw S3ClientError(
                        code: .bodyStream, message: "The body's sequence failed.", operation: "UploadLarge",
                        resource: resource, cause: error)
                }
                guard let next else {
                    sourceEnded = true
                    break
                }
                buffer = next
            }
            let take = min(buffer.readableBytes, partSize - part.readableBytes)
            // Safe: take is at most the readable bytes.
            var slice = buffer.readSlice(length: take)!
            part.writeBuffer(&slice)
            if buffer.readableBytes > 0 { carry = buffer }
        }
        return part.readableBytes > 0 ? part : nil
    }
}
