public import NIOCore
import SouverainS3
public import SouverainS3Client
public import SouverainStorage

/// A location on a remote S3-compatible endpoint: each blob is one object, `prefix + locator`, in
/// one bucket the operator provides. Object keys never reach the remote: a provider sees random
/// names, sizes and times, nothing of the catalogue.
///
/// A blob is written with a single PutObject when it fits in one part, else as a multipart upload
/// whose parts are sent as they fill, so a writer holds at most one part in memory. `commit`
/// returns once the remote has acknowledged the whole object.
public struct S3Location: Location {
    public let id: String
    public let client: S3Client
    public let bucket: String
    public let prefix: String
    /// The size of each part of a multipart blob, and the largest blob sent in one PutObject.
    public let partSize: Int

    public init(id: String, client: S3Client, bucket: String, prefix: String = "", partSize: Int = 8 * 1024 * 1024) {
        precondition(partSize >= S3Client.minimumPartSize, "S3 parts are at least 5 MiB")
        self.id = id
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.partSize = partSize
    }

    /// The remote object key of a blob.
    public func key(of locator: String) -> String { prefix + locator }

    /// A writer is a locator: the remote hears of the blob with its first part or at commit.
    public var startsWritersInMemory: Bool { true }

    public func makeBlobWriter() async throws -> any BlobWriter {
        S3BlobWriter(location: self, locator: BlobLocator.random())
    }

    public func read(
        locator: String, range: Range<Int64>?, chunkSize: Int,
        into consumer: (ByteBuffer) async throws -> Void
    ) async throws {
        guard BlobLocator.isValid(locator) else { throw StorageError(.invalidLocator, "not a blob locator") }
        if let range, range.isEmpty { return }
        let response: GetObjectResponse
        do {
            response = try await client.getObject(
                bucket: bucket, key: key(of: locator), range: range.map { .bytes($0.lowerBound...($0.upperBound - 1)) })
        } catch {
            throw Self.storageError(error, "read blob \(locator)")
        }
        let expected = range.map { $0.upperBound - $0.lowerBound }
        var received: Int64 = 0
        do {
            for try await var buffer in response.body {
                received += Int64(buffer.readableBytes)
                while buffer.readableBytes > chunkSize {
                    try await consumer(buffer.readSlice(length: chunkSize)!)
                }
                if buffer.readableBytes > 0 { try await consumer(buffer) }
            }
        } catch let error as S3ClientError {
            throw Self.storageError(error, "read blob \(locator)")
        }
        if let expected, received != expected {
            throw StorageError(.io, "blob \(locator) at \(id) gave \(received) bytes where \(expected) were asked")
        }
    }

    public func delete(locator: String) async throws {
        guard BlobLocator.isValid(locator) else { throw StorageError(.invalidLocator, "not a blob locator") }
        do {
            try await client.deleteObject(bucket: bucket, key: key(of: locator))
        } catch {
            throw Self.storageError(error, "delete blob \(locator)")
        }
    }

    /// Every blob stored under the prefix, by locator (other keys under the prefix are ignored).
    public func locators() async throws -> [String] {
        var found: [String] = []
        var token: String?
        repeat {
            let page: ListObjectsV2Result
            do {
                page = try await client.listObjectsV2(bucket: bucket, prefix: prefix.isEmpty ? nil : prefix, continuationToken: token)
            } catch {
                throw Self.storageError(error, "list bucket \(bucket)")
            }
            for object in page.contents where object.key.hasPrefix(prefix) {
                let locator = String(object.key.dropFirst(prefix.count))
                if BlobLocator.isValid(locator) { found.append(locator) }
            }
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil
        return found
    }

    /// Checks that the endpoint answers and the bucket exists (HeadBucket).
    public func probe() async throws {
        do {
            try await client.headBucket(bucket)
        } catch {
            throw Self.storageError(error, "reach bucket \(bucket)")
        }
    }

    /// Maps client failures: a missing object is `notFound`, anything else on the way is
    /// `unavailable`, with the remote's words.
    static func storageError(_ error: any Error, _ doing: String) -> any Error {
        guard let error = error as? S3ClientError else { return error }
        if error.status == 404, error.s3Code == "NoSuchKey" || error.s3Code == "NotFound" {
            return StorageError(.notFound, "cannot \(doing): the remote has no such object")
        }
        return StorageError(.unavailable, "cannot \(doing): \(error)")
    }
}

/// Sends a blob to the remote: parts are uploaded as they fill, the last one on `commit`.
final actor S3BlobWriter: BlobWriter {
    nonisolated let locator: String
    private let location: S3Location
    private var pending: ByteBuffer
    private var uploadID: String?
    private var parts: [CompletedPart] = []
    private var size: Int64 = 0
    private var finished = false

    init(location: S3Location, locator: String) {
        self.location = location
        self.locator = locator
        self.pending = ByteBufferAllocator().buffer(capacity: 0)
    }

    func write(_ buffer: ByteBuffer) async throws {
        guard !finished else { throw StorageError(.io, "blob \(locator): write after commit or abort") }
        var buffer = buffer
        size += Int64(buffer.readableBytes)
        while buffer.readableBytes > 0 {
            let room = location.partSize - pending.readableBytes
            var slice = buffer.readSlice(length: min(room, buffer.readableBytes))!
            pending.writeBuffer(&slice)
            if pending.readableBytes == location.partSize {
                try await sendPart()
            }
        }
    }

    func commit() async throws -> Int64 {
        guard !finished else { throw StorageError(.io, "blob \(locator): commit after commit or abort") }
        finished = true
        let key = location.key(of: locator)
        do {
            if let uploadID {
                if pending.readableBytes > 0 || parts.isEmpty { try await sendPart() }
                _ = try await location.client.completeMultipartUpload(
                    bucket: location.bucket, key: key, uploadID: uploadID, parts: parts)
            } else {
                _ = try await location.client.putObject(bucket: location.bucket, key: key, bytes: pending)
            }
        } catch {
            await abortRemote()
            throw S3Location.storageError(error, "write blob \(locator)")
        }
        pending = ByteBufferAllocator().buffer(capacity: 0)
        return size
    }

    func abort() async {
        guard !finished else { return }
        finished = true
        pending = ByteBufferAllocator().buffer(capacity: 0)
        await abortRemote()
    }

    private func sendPart() async throws {
        let key = location.key(of: locator)
        do {
            let upload: String
            if let uploadID {
                upload = uploadID
            } else {
                upload = try await location.client.createMultipartUpload(bucket: location.bucket, key: key).uploadID
                uploadID = upload
            }
            let part = try await location.client.uploadPart(
                bucket: location.bucket, key: key, uploadID: upload, partNumber: parts.count + 1, bytes: pending)
            parts.append(part)
            pending = ByteBufferAllocator().buffer(capacity: location.partSize)
        } catch {
            throw S3Location.storageError(error, "write blob \(locator)")
        }
    }

    /// Best effort: an upload left behind costs storage at the remote, never correctness.
    private func abortRemote() async {
        guard let uploadID else { return }
        try? await location.client.abortMultipartUpload(bucket: location.bucket, key: location.key(of: locator), uploadID: uploadID)
    }
}
