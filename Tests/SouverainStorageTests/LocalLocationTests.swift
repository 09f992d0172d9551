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
}
