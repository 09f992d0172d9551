#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDirectIO
import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import SouverainStorage
import SouverainTesting

/// Large blobs written in whole batches with O_DIRECT, read back with it when they are not cached,
/// and every other path through the page cache: the bytes are the same whichever way they went.
@Suite final class DirectIOTests: Sendable {
    let root = NSTemporaryDirectory() + "souverain-direct-" + UUID().uuidString

    deinit { TestDirectories.removeLater(root) }

    private func bytes(_ count: Int) -> [UInt8] {
        var generator = SeededGenerator(seed: 0x9E37_79B9_7F4A_7C15)
        return generator.bytes(count: count)
    }

    /// Whether the file system under the test's directory takes O_DIRECT at all.
    private func fileSystemHasDirectIO() throws -> Bool {
        let probe = root + "/probe"
        let fd = open(probe, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { close(fd); unlink(probe) }
        return souverain_set_direct_io(fd, 1) == 0
    }

    private func read(_ location: LocalLocation, _ locator: String, _ range: Range<Int64>?, chunkSize: Int) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await location.read(locator: locator, range: range, chunkSize: chunkSize) { out += Array(buffer: $0) }
        return out
    }

    /// A read once the thread pool is stopped. `openat2(RESOLVE_CACHED)` gives up, rather than
    /// wait, when a rename anywhere on the system overlaps its path walk (the kernel's
    /// `rename_lock`); the read then needs the pool. The whole test suite renames all the time, so
    /// such a read is tried again, up to 50 times: a read that never uses the caches still fails.
    private func readFromCaches(_ location: LocalLocation, _ locator: String, _ range: Range<Int64>?, chunkSize: Int) async throws -> [UInt8] {
        for _ in 1..<50 {
            do {
                return try await read(location, locator, range, chunkSize: chunkSize)
            } catch let error as StorageError where error.code == .unavailable {
                continue
            }
        }
        return try await read(location, locator, range, chunkSize: chunkSize)
    }

    @Test func aLargeBlobReadsBackTheSameByEveryPath() async throws {
        let location = try await LocalLocation(id: "local", root: root)
        let content = bytes(3 * LocalLocation.writeBatch + 12_345)
        let writer = try await location.makeBlobWriter()
        // Pieces that straddle the batches' edges, as network reads do.
        var start = 0
        while start < content.count {
            let end = min(content.count, start + 70_001)
            try await writer.write(ByteBuffer(bytes: content[start..<end]))
            start = end
        }
        #expect(try await writer.commit() == Int64(content.count))
        let onDisk = try #require(FileManager.default.contents(atPath: location.path(of: writer.locator)))
        #expect([UInt8](onDisk) == content)

        let size = Int64(content.count)
        // Whole, aligned and long: read with O_DIRECT where the file system has it.
        #expect(try await read(location, writer.locator, nil, chunkSize: 256 * 1024) == content)
        #expect(try await read(location, writer.locator, 1 << 20..<size, chunkSize: 256 * 1024) == Array(content[(1 << 20)...]))
        // Unaligned start or chunk: through the page cache.
        #expect(try await read(location, writer.locator, 1_000_003..<2_500_000, chunkSize: 256 * 1024)
            == Array(content[1_000_003..<2_500_000]))
        #expect(try await read(location, writer.locator, nil, chunkSize: 100_000) == content)
    }

    /// A consumer that stops, or a blob that ends before the read does, fails the read with that
    /// error, after every byte the blob has, and leaves the blob's file closed, by either path
    /// (direct chunks of 256 KiB, or unaligned ones through the page cache).
    @Test func aReadThatStopsEarlyClosesTheBlob() async throws {
        struct Stop: Error {}
        let location = try await LocalLocation(id: "local", root: root)
        let content = bytes(3 * LocalLocation.writeBatch + 4_096)
        let writer = try await location.makeBlobWriter()
        try await writer.write(ByteBuffer(bytes: content))
        _ = try await writer.commit()
        let path = location.path(of: writer.locator)
        func openedCount() throws -> Int {
            let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
            return descriptors.filter {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == path
            }.count
        }
        for chunk in [256 * 1024, 100_000] {
            var chunks = 0
            await #expect(throws: Stop.self) {
                try await location.read(locator: writer.locator, range: nil, chunkSize: chunk) { _ in
                    chunks += 1
                    // Open while it is read: what the count below looks for is there to be seen.
                    if chunks == 1 { #expect(try openedCount() == 1) }
                    if chunks == 2 { throw Stop() }
                }
            }
            #expect(chunks == 2)
            #expect(try openedCount() == 0)
            // Asked for a megabyte more than the blob holds: every byte it has, then the error.
            var received = 0
            let error = await #expect(throws: StorageError.self) {
                try await location.read(locator: writer.locator, range: 0..<Int64(content.count + (1 << 20)), chunkSize: chunk) {
                    received += $0.readableBytes
                }
            }
            #expect(error?.code == .io)
            #expect(received == content.count)
            #expect(try openedCount() == 0)
        }
    }

    /// Bytes a producer writes into the batch itself and bytes handed over in buffers, mixed, make
    /// the blob in their order; a piece that does not fit in what is left of a batch is refused
    /// untouched and goes in a buffer instead, across the batches' edge.
    @Test func gatheredAndWrittenBytesMakeTheBlobInTheirOrder() async throws {
        let location = try await LocalLocation(id: "local", root: root)
        let content = bytes(3 * LocalLocation.writeBatch + 54_321)
        let writer = try #require(try await location.makeBlobWriter() as? any GatheringBlobWriter)
        var start = 0
        var refused = 0
        var index = 0
        while start < content.count {
            let end = min(content.count, start + 65_552)
            let piece = content[start..<end]
            // Every fifth piece is handed over in a buffer, as a straddling chunk is.
            var gathered = false
            if index % 5 != 3 {
                gathered = try writer.gather(count: piece.count) { space in piece.withUnsafeBytes { space.copyMemory(from: $0) } }
            }
            if gathered {
                try await writer.writeGathered()
            } else {
                if index % 5 != 3 { refused += 1 }
                try await writer.write(ByteBuffer(bytes: piece))
            }
            start = end
            index += 1
        }
        // 65,552-byte pieces (a sealed chunk) cross the edges of 1 MiB batches: some were refused.
        #expect(refused > 0)
        #expect(try await writer.commit() == Int64(content.count))
        let onDisk = try #require(FileManager.default.contents(atPath: location.path(of: writer.locator)))
        #expect([UInt8](onDisk) == content)
    }

    @Test func wholeBatchesBypassThePageCache() async throws {
        let location = try await LocalLocation(id: "local", root: root)
        let hasDirectIO = try fileSystemHasDirectIO()
        let writer = try await location.makeBlobWriter()
        try await writer.write(ByteBuffer(bytes: bytes(2 * LocalLocation.writeBatch + 100)))
        _ = try await writer.commit()
        let fd = open(location.path(of: writer.locator), O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let cached = souverain_is_cached(fd, 0)
        try #require(cached >= 0, "this system cannot tell what is cached (preadv2 with RWF_NOWAIT)")
        // The first batch went to the disk without the page cache exactly when O_DIRECT exists here.
        #expect(cached == (hasDirectIO ? 0 : 1))
    }

    @Test func aBatchTheDiskRefusesGoesThroughThePageCache() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let path = root + "/refused"
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        let batch = StagingBuffer(capacity: LocalLocation.writeBatch + StagingBuffers.alignment)
        let content = bytes(LocalLocation.writeBatch)
        // One byte past a page: O_DIRECT refuses the memory (EINVAL), the writer goes on without it.
        let misaligned = batch.base + 1
        content.withUnsafeBytes { misaligned.copyMemory(from: $0.baseAddress!, byteCount: content.count) }
        let after = try LocalBlobWriter.writeAll(fd, misaligned, content.count, wholeBatch: true, .untried, path)
        #expect(after == .off)
        #expect(try [UInt8](#require(FileManager.default.contents(atPath: path))) == content)
    }

    /// A read of at most one chunk whose path and bytes are in the kernel's caches is done on the
    /// caller's thread (`openat2(RESOLVE_CACHED)`, `preadv2(RWF_NOWAIT)`): it still reads once the
    /// thread pool is stopped, while a longer read still needs the pool.
    @Test func aCachedSmallReadNeedsNoThreadPool() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let location = try await LocalLocation(id: "local", root: root, threadPool: pool)
        let small = bytes(3_000), large = bytes(300_000)
        var locators: [String] = []
        for body in [small, large] {
            let writer = try await location.makeBlobWriter()
            try await writer.write(ByteBuffer(bytes: body))
            _ = try await writer.commit()
            locators.append(writer.locator)
        }
        let chunk = 256 * 1024
        // Read once through whichever path, so that both are cached.
        #expect(try await read(location, locators[0], nil, chunkSize: chunk) == small)
        #expect(try await read(location, locators[1], nil, chunkSize: chunk) == large)
        // A blob shorter than what is asked of it is an error, not the bytes it has.
        await #expect(throws: StorageError.self) { _ = try await self.read(location, locators[0], 0..<4_000, chunkSize: chunk) }

        let path = root + "/blobs/" + locators[0].prefix(3) + "/" + locators[0]
        let probe = souverain_open_cached(path)
        let supported = probe >= 0
        if probe >= 0 { close(probe) }
        try await pool.shutdownGracefully()
        guard supported else {
            // Without openat2 (before Linux 5.12), or where it cannot tell: every read takes the pool.
            await #expect(throws: StorageError.self) { _ = try await self.read(location, locators[0], nil, chunkSize: chunk) }
            return
        }
        #expect(try await readFromCaches(location, locators[0], nil, chunkSize: chunk) == small)
        #expect(try await readFromCaches(location, locators[0], 1_000..<1_010, chunkSize: chunk) == Array(small[1_000..<1_010]))
        #expect(try await readFromCaches(location, locators[1], 0..<100, chunkSize: chunk) == Array(large[0..<100]))
        // More than one chunk: the thread pool's, which is stopped.
        let error = await #expect(throws: StorageError.self) { _ = try await self.read(location, locators[1], nil, chunkSize: chunk) }
        #expect(error?.code == .unavailable)
    }
}
