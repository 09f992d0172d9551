import Foundation
import NIOCore
import Testing
@testable import SouverainStorage
import SouverainTesting

/// What is particular to a local directory. The promises every location keeps are checked by the
/// contract suite (`LocationContractTests`), on this implementation too.
@Suite final class LocalLocationTests: Sendable {
    let root = NSTemporaryDirectory() + "souverain-location-" + UUID().uuidString

    deinit { TestDirectories.removeLater(root) }

    private func bytes(_ count: Int, seed: UInt8) -> [UInt8] { LocationContract.bytes(count, seed: seed) }

    @Test func aRestartEmptiesTmpAndLeavesNoUnfinishedBlob() async throws {
        let location = try await LocalLocation(id: "local", root: root)
        let unfinished = try await location.makeBlobWriter()
        try await unfinished.write(ByteBuffer(bytes: bytes(2 << 20, seed: 3)))
        // A restart empties tmp/ and the unfinished blob is nowhere.
        _ = try await LocalLocation(id: "local", root: root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/tmp").isEmpty)
        #expect(location.allBlobs().isEmpty)
    }

    @Test func committedBlobsAreFilesInTheirShard() async throws {
        let location = try await LocalLocation(id: "local", root: root)
        let writer = try await location.makeBlobWriter()
        try await writer.write(ByteBuffer(bytes: bytes(100, seed: 1)))
        _ = try await writer.commit()
        #expect(FileManager.default.fileExists(atPath: root + "/blobs/" + writer.locator.prefix(3) + "/" + writer.locator))
        #expect(location.allBlobs().map(\.locator) == [writer.locator])
    }

    private func tmpEntries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: root + "/tmp") }

    @Test func aSmallBlobIsCreatedOnlyAtCommit() async throws {
        let location = try await LocalLocation(id: "local", root: root)
        let writer = try await location.makeBlobWriter()
        try await writer.write(ByteBuffer(bytes: bytes(4096, seed: 4)))
        // Its bytes wait in the batch: nothing on the disk yet, so nothing to leave behind.
        #expect(try tmpEntries().isEmpty)
        #expect(try await writer.commit() == 4096)
        #expect(try tmpEntries().isEmpty)
        let path = root + "/blobs/" + writer.locator.prefix(3) + "/" + writer.locator
        #expect(FileManager.default.contents(atPath: path) == Data(bytes(4096, seed: 4)))
    }

    @Test func anEmptyBlobIsCommittedToo() async throws {
        let location = try await LocalLocation(id: "local", root: root)
        let writer = try await location.makeBlobWriter()
        #expect(try await writer.commit() == 0)
        #expect(FileManager.default.fileExists(atPath: root + "/blobs/" + writer.locator.prefix(3) + "/" + writer.locator))
    }

    @Test(arguments: [100, 3 << 20])
    func anAbortedBlobLeavesNothing(size: Int) async throws {
        let location = try await LocalLocation(id: "local", root: root)
        let writer = try await location.makeBlobWriter()
        try await writer.write(ByteBuffer(bytes: bytes(size, seed: 5)))
        // A large blob's whole batches are already in its file in tmp/; a small one's are not.
        #expect(try tmpEntries().count == (size > 1 << 20 ? 1 : 0))
        await writer.abort()
        await writer.abort()
        #expect(try tmpEntries().isEmpty)
        #expect(location.allBlobs().isEmpty)
    }

    @Test(arguments: [100, 3 << 20])
    func aCommitThatFailsLeavesNothing(size: Int) async throws {
        let location = try await LocalLocation(id: "local", root: root)
        let writer = try await location.makeBlobWriter()
        try await writer.write(ByteBuffer(bytes: bytes(size, seed: 6)))
        // The blob's shard is gone: the rename into it fails.
        try FileManager.default.removeItem(atPath: root + "/blobs/" + writer.locator.prefix(3))
        await #expect(throws: (any Error).self) { _ = try await writer.commit() }
        await writer.abort()
        #expect(try tmpEntries().isEmpty)
        #expect(location.allBlobs().isEmpty)
    }

    @Test func locatorsAreSixteenRandomBytesInHex() {
        let locators = (0..<2000).map { _ in BlobLocator.random() }
        #expect(locators.allSatisfy(BlobLocator.isValid))
        #expect(Set(locators).count == locators.count)
        // Both 8-byte halves vary, at every digit position.
        for position in 0..<32 {
            #expect(Set(locators.map { $0.utf8[$0.utf8.index($0.utf8.startIndex, offsetBy: position)] }).count > 8)
        }
    }
}
