import Foundation
import NIOCore
import SouverainS3Client
import SouverainStorage
import SouverainStorageS3
import SouverainTesting
import Testing

/// S3Location against real S3 servers on loopback: moto (another implementation) and souverain.
@Suite(.serialized)
struct S3LocationTests {
    static let kinds: [TestServer.Kind] = [.moto, .souverain].filter(TestServer.isAvailable)

    /// A location on a fresh bucket of a fresh server, with 5 MiB parts.
    func withLocation(_ kind: TestServer.Kind, prefix: String = "blobs/", _ body: (S3Location) async throws -> Void) async throws {
        let server = try await TestServer.start(kind)
        let client = try S3Client(configuration: S3ClientConfiguration(
            endpoint: server.endpoint, region: server.region,
            credentials: S3Credentials(accessKeyID: server.accessKey, secretAccessKey: server.secretKey)))
        do {
            try await client.createBucket("remote")
            try await body(S3Location(id: "remote", client: client, bucket: "remote", prefix: prefix, partSize: 5 * 1024 * 1024))
        } catch {
            try? await client.shutdown()
            await server.stop()
            throw error
        }
        try await client.shutdown()
        await server.stop()
    }

    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] { LocationContract.bytes(count, seed: seed) }

    func write(_ location: S3Location, _ bytes: [UInt8], in pieces: Int) async throws -> String {
        let writer = try await location.makeBlobWriter()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + pieces, bytes.count)
            try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        }
        #expect(try await writer.commit() == Int64(bytes.count))
        return writer.locator
    }

    func read(_ location: S3Location, _ locator: String, range: Range<Int64>? = nil, chunkSize: Int = 64 * 1024) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await location.read(locator: locator, range: range, chunkSize: chunkSize) { buffer in
            #expect(buffer.readableBytes <= chunkSize)
            out += buffer.readableBytesView
        }
        return out
    }

    /// A blob is one remote object under the prefix, which `locators` lists (the shared promises
    /// of a location are in `LocationContractTests`).
    @Test(arguments: kinds)
    func aBlobIsOneRemoteObjectUnderThePrefix(_ kind: TestServer.Kind) async throws {
        try await withLocation(kind) { location in
            let bytes = Self.bytes(100_000, seed: 7)
            let locator = try await write(location, bytes, in: 30_000)
            #expect(try await location.locators() == [locator])
            try await location.delete(locator: locator)
            #expect(try await location.locators().isEmpty)
        }
    }

    @Test(arguments: kinds)
    func abortedBlobLeavesNothing(_ kind: TestServer.Kind) async throws {
        try await withLocation(kind) { location in
            let writer = try await location.makeBlobWriter()
            try await writer.write(ByteBuffer(bytes: Self.bytes(6 * 1024 * 1024, seed: 1)))
            await writer.abort()
            #expect(try await location.locators().isEmpty)
        }
    }

    /// A write or a commit after the blob was committed or aborted ended the process (a
    /// precondition); it is a storage error now.
    @Test(arguments: kinds)
    func aWriteAfterCommitOrAbortIsAnErrorNotATrap(_ kind: TestServer.Kind) async throws {
        try await withLocation(kind) { location in
            let committed = try await location.makeBlobWriter()
            _ = try await committed.commit()
            await #expect(throws: StorageError.self) { try await committed.write(ByteBuffer(bytes: [1, 2, 3])) }
            await #expect(throws: StorageError.self) { _ = try await committed.commit() }
            let aborted = try await location.makeBlobWriter()
            await aborted.abort()
            await #expect(throws: StorageError.self) { try await aborted.write(ByteBuffer(bytes: [1, 2, 3])) }
            await #expect(throws: StorageError.self) { _ = try await aborted.commit() }
        }
    }

    @Test func anUnreachableEndpointIsUnavailable() async throws {
        let port = try TestServer.freePort()
        let client = try S3Client(configuration: S3ClientConfiguration(
            endpoint: "http://127.0.0.1:\(port)", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"),
            connectTimeout: .seconds(1), retry: .none))
        let location = S3Location(id: "gone", client: client, bucket: "b")
        await #expect { try await location.probe() } throws: { ($0 as? StorageError)?.code == .unavailable }
        try await client.shutdown()
    }
}
