#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation
public import NIOCore
public import NIOPosix
import CDirectIO
import SouverainModel

/// Blobs as files under a directory: `blobs/<3 hex>/<32 hex>`, written to `tmp/` first, then
/// `fdatasync`, `rename` into place and `fsync` of the shard directory, so that a blob visible at
/// its locator is whole and durable. Locators are random, never derived from object keys: no key
/// can name a path.
public struct LocalLocation: Location {
    public let id: String
    public let root: String
    private let threadPool: NIOThreadPool
    /// Bytes gathered before one write(2): fewer thread hops than one per network read, and the
    /// unit a large blob goes to the disk in with O_DIRECT (see `LocalBlobWriter`).
    static let writeBatch = 1 << 20
    private let batches = StagingBuffers(capacity: LocalLocation.writeBatch)
    /// Small blobs' group commit, where the file system allows it (`FilesystemSync`); nil where
    /// each blob is synced alone.
    let filesystemSync: FilesystemSync?

    /// Threads for the I/O pool of a process that serves blobs: reads, writes, and the creations,
    /// renames and syncs of commits, any of which can wait on the disk; with the default (one per
    /// core, two on the machines of docs/benchmarks.md) two slow ones would stall every other.
    /// Set it as `NIOSingletons.blockingPoolThreadCountSuggestion` before the pool is first used.
    public static var ioThreads: Int { max(8, System.coreCount) }

    /// Opens the location, creating its directory tree on first use. The preparation (4,096
    /// `mkdir`s and their `fsync`s the first time, a sweep of `tmp/` each time) runs on
    /// `threadPool`: on a busy disk it takes seconds, which on the caller's thread would hold one
    /// of the few that every task of the process shares.
    public init(id: String, root: String, threadPool: NIOThreadPool = .singleton) async throws {
        try await self.init(id: id, root: root, threadPool: threadPool, filesystemSync: { FilesystemSync.open(blobs: $0 + "/blobs", tmp: $0 + "/tmp") })
    }

    /// As the public initialiser, with the group commit of small blobs chosen by `filesystemSync`
    /// (given the root, once it exists): tests count its syncs or turn it off.
    init(
        id: String, root: String, threadPool: NIOThreadPool = .singleton,
        filesystemSync: @escaping @Sendable (String) -> FilesystemSync?
    ) async throws {
        self.id = id
        self.root = root
        self.threadPool = threadPool
        self.filesystemSync = try await offload(threadPool) {
            try LocalLocation.prepare(root: root)
            return filesystemSync(root)
        }
    }

    var blobsDirectory: String { root + "/blobs" }
    var tmpDirectory: String { root + "/tmp" }

    /// Creates the directory tree once (the 4096 shards, each made durable), and empties `tmp/`:
    /// whatever is there was being written when the process stopped and was never acknowledged.
    private static func prepare(root: String) throws {
        let blobs = root + "/blobs", tmp = root + "/tmp"
        try makeDirectory(root)
        try makeDirectory(tmp)
        let marker = blobs + "/.shards-ready"
        if access(marker, F_OK) != 0 {
            try makeDirectory(blobs)
            for shard in 0..<4096 {
                try makeDirectory(blobs + "/" + shardName(shard))
            }
            try syncDirectory(blobs)
            let fd = open(marker, O_CREAT | O_WRONLY, 0o600)
            guard fd >= 0 else { throw ioError("create", marker) }
            fsync(fd)
            close(fd)
            try syncDirectory(blobs)
        }
        try syncDirectory(root)
        if let leftovers = try? FileManager.default.contentsOfDirectory(atPath: tmp) {
            for name in leftovers { unlink(tmp + "/" + name) }
            if !leftovers.isEmpty { try syncDirectory(tmp) }
        }
    }

    /// A writer is paths and a locator: its file is created when its first bytes go to the disk.
    public var startsWritersInMemory: Bool { true }

    public func makeBlobWriter() async throws -> any BlobWriter {
        let locator = LocalLocation.newLocator()
        let tmpPath = tmpDirectory + "/" + locator
        return LocalBlobWriter(
            locator: locator, tmpPath: tmpPath, finalPath: path(of: locator),
            shardDirectory: shardDirectory(of: locator), threadPool: threadPool,
            batches: batches, filesystemSync: filesystemSync)
    }

    public func read(
        locator: String, range: Range<Int64>?, chunkSize: Int,
        into consumer: (ByteBuffer) async throws -> Void
    ) async throws {
        // A read of one chunk whose path and bytes are all in the kernel's caches is done here,
        // with calls that cannot wait for the disk; anything else goes to the thread pool.
        if let cached = try readAtHand(locator: locator, range: range, chunkSize: chunkSize) {
            if cached.readableBytes > 0 { try await consumer(cached) }
            return
        }
        let path = try checkedPath(of: locator)
        let allocator = ByteBufferAllocator()
        // Opening and the first chunk in one trip to the thread pool: a small blob is one trip,
        // where each trip is two thread switches (docs/benchmarks.md, "Small GET and HEAD").
        let (fd, end, first, direct) = try await offload(threadPool) { () throws -> (Int32, Int64, ByteBuffer, Bool) in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw errno == ENOENT
                    ? StorageError(.notFound, "blob \(locator) is missing") : LocalLocation.ioError("open", path)
            }
            do {
                let end: Int64
                if let range {
                    end = range.upperBound
                } else {
                    var info = stat()
                    guard fstat(fd, &info) == 0 else { throw LocalLocation.ioError("stat", path) }
                    end = Int64(info.st_size)
                }
                let start = range?.lowerBound ?? 0
                let direct = Self.readsDirectly(fd, from: start, to: end, chunkSize: chunkSize)
                guard start < end else { return (fd, end, allocator.buffer(capacity: 0), direct) }
                let (first, stillDirect) = try Self.readChunk(
                    fd, at: start, length: Int(min(Int64(chunkSize), end - start)), direct: direct, allocator, locator, path)
                return (fd, end, first, stillDirect)
            } catch {
                close(fd)
                throw error
            }
        }
        defer { close(fd) }
        var offset = (range?.lowerBound ?? 0) + Int64(first.readableBytes)
        var readsDirectly = direct
        if first.readableBytes > 0 { try await consumer(first) }
        while offset < end {
            let length = Int(min(Int64(chunkSize), end - offset))
            let (start, direct) = (offset, readsDirectly)
            let (buffer, stillDirect) = try await offload(threadPool) { () throws -> (ByteBuffer, Bool) in
                try Self.readChunk(fd, at: start, length: length, direct: direct, allocator, locator, path)
            }
            readsDirectly = stillDirect
            offset += Int64(buffer.readableBytes)
            try await consumer(buffer)
        }
    }

    /// A blob of one chunk at most whose path and bytes are in the kernel's caches (`readFromCaches`).
    public func readAtHand(locator: String, range: Range<Int64>?, chunkSize: Int) throws -> ByteBuffer? {
        try Self.readFromCaches(try checkedPath(of: locator), locator, range: range, chunkSize: chunkSize, ByteBufferAllocator())
    }

    /// The bytes of `range` (all of the blob when nil) if that is at most one chunk and the blob's
    /// path and bytes are all in the kernel's caches, read with `openat2(RESOLVE_CACHED)` and
    /// `preadv2(RWF_NOWAIT)`: on the caller's thread, since neither waits for the disk. A small GET
    /// then makes no trip to the thread pool (docs/benchmarks.md, issue 18's ninth round). nil
    /// otherwise, or where the system cannot tell: the thread pool's read then does it, and finds
    /// and reports any error other than a blob known to be missing. The descriptor is always closed
    /// here (the pool opens the file again: a system call, against a read that needs the disk or
    /// several chunks).
    private static func readFromCaches(
        _ path: String, _ locator: String, range: Range<Int64>?, chunkSize: Int, _ allocator: ByteBufferAllocator
    ) throws -> ByteBuffer? {
        if let range, range.upperBound - range.lowerBound > Int64(chunkSize) { return nil }
        let fd = souverain_open_cached(path)
        guard fd >= 0 else {
            // A lookup that completed from the caches and found nothing: the blob is missing.
            if errno == ENOENT { throw StorageError(.notFound, "blob \(locator) is missing") }
            return nil
        }
        defer { close(fd) }
        let end: Int64
        if let range {
            end = range.upperBound
        } else {
            var info = stat()
            guard fstat(fd, &info) == 0 else { return nil }
            end = Int64(info.st_size)
        }
        let start = range?.lowerBound ?? 0
        guard end - start <= Int64(chunkSize) else { return nil }
        guard start < end else { return allocator.buffer(capacity: 0) }
        let length = Int(end - start)
        var buffer = allocator.buffer(capacity: length)
        let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { pointer in
            max(0, souverain_pread_cached(fd, pointer.baseAddress, UInt(length), start))
        }
        return got == length ? buffer : nil
    }

    /// Whether a read of `start..<end` bypasses the page cache: a long read, aligned, of a blob
    /// whose first byte is not cached (its batches were written with O_DIRECT, or it was evicted).
    /// Copying it through the page cache would cost as much CPU as it did when writing, for bytes
    /// that are read once; a blob that is cached is read from the cache.
    private static func readsDirectly(_ fd: Int32, from start: Int64, to end: Int64, chunkSize: Int) -> Bool {
        let alignment = StagingBuffers.alignment
        guard end - start >= Int64(writeBatch), start % Int64(alignment) == 0, chunkSize % alignment == 0 else { return false }
        return souverain_is_cached(fd, start) == 0 && souverain_set_direct_io(fd, 1) == 0
    }

    /// Up to `length` bytes at `offset`; a blob that ends before is shorter than its catalogue entry.
    /// A direct read goes into a page-aligned span of the buffer; if the file system refuses it,
    /// this and the following chunks are read through the page cache (the returned flag).
    private static func readChunk(
        _ fd: Int32, at offset: Int64, length: Int, direct: Bool, _ allocator: ByteBufferAllocator,
        _ locator: String, _ path: String
    ) throws -> (ByteBuffer, direct: Bool) {
        if direct {
            let alignment = StagingBuffers.alignment
            let padded = (length + alignment - 1) / alignment * alignment
            var buffer = allocator.buffer(capacity: padded + alignment)
            var skip = 0, got = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: padded + alignment) { pointer in
                skip = (alignment - Int(bitPattern: pointer.baseAddress) % alignment) % alignment
                got = pread(fd, pointer.baseAddress! + skip, padded, off_t(offset))
                return got > 0 ? skip + min(got, length) : 0
            }
            if got > 0 {
                buffer.moveReaderIndex(forwardBy: skip)
                return (buffer, true)
            }
            if got < 0, errno == EINVAL, souverain_set_direct_io(fd, 0) == 0 {
                return (try readChunk(fd, at: offset, length: length, allocator, locator, path), false)
            }
            throw readFailure(got, locator, path)
        }
        return (try readChunk(fd, at: offset, length: length, allocator, locator, path), false)
    }

    private static func readChunk(
        _ fd: Int32, at offset: Int64, length: Int, _ allocator: ByteBufferAllocator, _ locator: String, _ path: String
    ) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: length)
        let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { pointer in
            pread(fd, pointer.baseAddress, length, off_t(offset))
        }
        guard got > 0 else { throw readFailure(got, locator, path) }
        return buffer
    }

    /// What a read that returned `got` (0 or less) means: the end of a blob that is shorter than
    /// its catalogue entry, or the system call's error.
    private static func readFailure(_ got: Int, _ locator: String, _ path: String) -> StorageError {
        got == 0 ? StorageError(.io, "blob \(locator) is shorter than its catalogue entry") : LocalLocation.ioError("read", path)
    }

    public func delete(locator: String) async throws {
        let path = try checkedPath(of: locator)
        try await offload(threadPool) { () throws in
            if unlink(path) != 0, errno != ENOENT { throw LocalLocation.ioError("unlink", path) }
        }
    }

    /// Every blob file with its modification time, for the sweep of strays after a crash.
    public func allBlobs() -> [(locator: String, modified: Date)] {
        var out: [(String, Date)] = []
        for shard in 0..<4096 {
            let directory = blobsDirectory + "/" + LocalLocation.shardName(shard)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names where LocalLocation.isValidLocator(name) {
                var info = stat()
                if stat(directory + "/" + name, &info) == 0 {
                    out.append((name, Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec))))
                }
            }
        }
        return out
    }

    // MARK: - Paths

    func path(of locator: String) -> String {
        shardDirectory(of: locator) + "/" + locator
    }

    /// The directory a blob's file is in: its locator's first three characters under `blobs/`.
    /// (Not `NSString.deletingLastPathComponent`, which cost 0.8% of a small PUT's CPU.)
    func shardDirectory(of locator: String) -> String {
        blobsDirectory + "/" + String(locator.prefix(3))
    }

    private func checkedPath(of locator: String) throws -> String {
        guard LocalLocation.isValidLocator(locator) else {
            throw StorageError(.invalidLocator, "not a local blob locator")
        }
        return path(of: locator)
    }

    static func isValidLocator(_ locator: String) -> Bool { BlobLocator.isValid(locator) }

    static func newLocator() -> String { BlobLocator.random() }

    static func shardName(_ shard: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[(shard >> 8) & 0xF], digits[(shard >> 4) & 0xF], digits[shard & 0xF]])
    }

    // MARK: - System calls

    static func ioError(_ operation: String, _ path: String) -> StorageError {
        let code = errno
        return StorageError(.io, "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o700) != 0, errno != EEXIST { throw ioError("mkdir", path) }
    }

    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ioError("fsync", path) }
    }
}

/// Runs blocking file work on the I/O thread pool, with its failures as storage errors.
func offload<T: Sendable>(_ pool: NIOThreadPool, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    do {
        return try await pool.runIfActive(body)
    } catch let error as StorageError {
        throw error
    } catch {
        throw StorageError(.unavailable, "the I/O thread pool is not running")
    }
}
