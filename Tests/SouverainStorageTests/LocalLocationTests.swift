import Foundation
import NIOCore
import Testing
@testable import SouverainStorage

@Suite final class LocalLocationTests: Sendable {
    let root = NSTemporaryDirectory() + "souverain-location-" + UUID().uuidString

    deinit { try? FileManager.default.removeItem(atPath: root) }

    private func bytes(_ count: Int, seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed } }

    private func readAll(_ location: LocalLocation, _ locator: String, range: Range<Int64>? = nil) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await location.read(locator: locator, range: range, chunkSize: 1000) { buffer in
            out += buffer.readableBytesView
        }
        return out
    }

    @Test func committedBlobReadsBackWholeAndByRange() async throws {
        let location = try LocalLocation(id: "local", root: root)
        let writer = try await location.makeBlobWriter()
        let data = bytes(3 * 1024 * 1024 + 17, seed: 1)
        var index = 0
        while index < data.count {
            let end = min(data.count, index + 65_536)
            try await writer.write(ByteBuffer(bytes: data[index..<end]))
            index = end
        }
        #expect(try await writer.commit() == Int64(data.count))
        #expect(try await readAll(location, writer.locator) == data)
        #expect(try await readAll(location, writer.locator, range: 1_000_000..<1_000_100) == Array(data[1_000_000..<1_000_100]))
        try await location.delete(locator: writer.locator)
        await #expect(throws: StorageError.self) { _ = try await readAll(location, writer.locator) }
    }

    @Test func abortedAndUnfinishedBlobsNeverBecomeVisible() async throws {
        let location = try LocalLocation(id: "local", root: root)
        let aborted = try await location.makeBlobWriter()
        try await aborted.write(ByteBuffer(bytes: bytes(100, seed: 2)))
        await aborted.abort()
        await #expect(throws: StorageError.self) { _ = try await readAll(location, aborted.locator) }
        let unfinished = try await location.makeBlobWriter()
        try await unfinished.write(ByteBuffer(bytes: bytes(2 << 20, seed: 3)))
        // A restart empties tmp/ and the unfinished blob is nowhere.
        _ = try LocalLocation(id: "local", root: root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/tmp").isEmpty)
        #expect(location.allBlobs().isEmpty)
    }

    @Test(arguments: ["../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789", "0123456789abcdef0123456789abcde/"])
    func locatorsThatCouldNamePathsAreRefused(_ locator: String) async throws {
        let location = try LocalLocation(id: "local", root: root)
        do {
            try await location.delete(locator: locator)
            Issue.record("accepted locator \(locator)")
        } catch {
            #expect((error as? StorageError)?.code == .invalidLocator)
        }
    }
}
