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

    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed } }

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

    @Test(arguments: kinds)
    func smallBlobRoundTripAndDelete(_ kind: TestServer.Kind) async throws {
        try await withLocation(kind) { location in
            let bytes = Self.bytes(100_000, seed: 7)
            let locator = try await write(location, bytes, in: 30_000)
            #expect(try await read(location, locator) == bytes)
            #expect(try await read(location, locator, range: 10..<20_010, chunkSize: 4096) == Array(bytes[10..<20_010]))
            #expect(try await location.locators() == [locator])
            try await location.delete(locator: locator)
            #expect(try await location.locators().isEmpty)
            await #expect(throws: StorageError.self) { try await read(location, locator) }
        }
    }

    @Test(arguments: kinds)
    func largeBlobGoesUpInParts(_ kind: TestServer.Kind) async throws {
        try await withLocation(kind) { location in
            let bytes = Self.bytes(12 * 1024 * 1024 + 123, seed: 3)
            let locator = try await write(location, bytes, in: 1_000_000)
            #expect(try await read(location, locator, chunkSize: 256 * 1024) == bytes)
            let tail = Int64(bytes.count - 10)..<Int64(bytes.count)
            #expect(try await read(location, locator, range: tail) == Array(bytes[bytes.count - 10..<bytes.count]))
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

    @Test(arguments: kinds)
    func invalidLocatorsAreRefused(_ kind: TestServer.Kind) async throws {
        try await withLocation(kind) { location in
            await #expect(throws: StorageError.self) { try await location.delete(locator: "../etc/passwd") }
            await #expect(throws: StorageError.self) { try await read(location, "not-a-locator") }
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
