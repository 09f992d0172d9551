#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDirectIO
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Writes one blob of a `LocalLocation`: to `tmp/`, then durable and renamed into place on commit.
///
/// Bytes gather in a page-aligned batch (`LocalLocation.writeBatch`) before one write(2): fewer
/// trips to the I/O pool than one per network read. A blob that fills whole batches is large, and
/// those batches go to the disk with O_DIRECT: the kernel does not copy them into the page cache
/// and write them back later, which was the largest share of a large PUT's CPU
/// (docs/benchmarks.md, "Large PUT with O_DIRECT"). The last, partial batch, and every byte of a
/// small blob, go through the page cache as before; `fdatasync` at commit makes all of it durable.
/// Where the file system has no direct I/O, every batch goes through the page cache.
///
/// The file in `tmp/` is created when the first bytes go to the disk: a small blob, whose bytes
/// all fit in one batch, is created, written, made durable and renamed in a single trip to the I/O
/// pool at commit, where it took three (each trip is two thread switches; small PUTs made 19 per
/// request). Where the location has a `FilesystemSync`, a small blob is renamed first and made
/// durable after, by a `syncfs` shared with the small blobs committed meanwhile; until that
/// returns, no catalogue entry names it, and a crash leaves it a stray for the sweep.
final class LocalBlobWriter: GatheringBlobWriter {
    let locator: String
    private let tmpPath: String
    private let finalPath: String
    private let shardDirectory: String
    private let threadPool: NIOThreadPool
    private let batches: StagingBuffers
    private let filesystemSync: FilesystemSync?
    /// The batch being filled and what has been written. The writer is used by one task at a
    /// time; the lock only makes that safe to state to the compiler.
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// The file in `tmp/`, once created; -1 before, and after it is closed.
        var fd: Int32 = -1
        var batch: StagingBuffer?
        var filled = 0
        var written: Int64 = 0
        var directIO = DirectIO.untried
        var closed = false
    }

    /// Whether this file's whole batches bypass the page cache.
    enum DirectIO: Sendable {
        case untried, on, off
    }

    init(
        locator: String, tmpPath: String, finalPath: String, shardDirectory: String,
        threadPool: NIOThreadPool, batches: StagingBuffers, filesystemSync: FilesystemSync?
    ) {
        self.locator = locator
        self.tmpPath = tmpPath
        self.finalPath = finalPath
        self.shardDirectory = shardDirectory
        self.threadPool = threadPool
        self.batches = batches
        self.filesystemSync = filesystemSync
    }

    func write(_ buffer: ByteBuffer) async throws {
        var incoming = buffer
        while incoming.readableBytes > 0 {
            let full = state.withLockedValue { state -> Bool in
                let batch = state.batch ?? batches.take()
                state.batch = batch
                let count = min(batch.capacity - state.filled, incoming.readableBytes)
                let filled = state.filled
                incoming.readWithUnsafeReadableBytes { source in
                    (batch.base + filled).copyMemory(from: source.baseAddress!, byteCount: count)
                    return count
                }
                state.filled += count
                return state.filled == batch.capacity
            }
            if full { try await flush(wholeBatch: true) }
        }
    }

    func gather(count: Int, _ produce: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Bool {
        try state.withLockedValue { state in
            let batch = state.batch ?? batches.take()
            state.batch = batch
            guard batch.capacity - state.filled >= count else { return false }
            try produce(UnsafeMutableRawBufferPointer(start: batch.base + state.filled, count: count))
            state.filled += count
            return true
        }
    }

    var hasFullBatch: Bool {
        state.withLockedValue { state in state.batch.map { state.filled == $0.capacity } ?? false }
    }

    func writeGathered() async throws {
        if hasFullBatch { try await flush(wholeBatch: true) }
    }

    func commit() async throws -> Int64 {
        let (pending, count, directIO, existing) = state.withLockedValue { ($0.batch, $0.filled, $0.directIO, $0.fd) }
        let (tmpPath, finalPath, shard, state) = (tmpPath, finalPath, shardDirectory, state)
        // Small: every byte is written now, through the page cache, and one shared sync follows.
        let groupSync = existing < 0 ? filesystemSync : nil
        // One trip: create the file if no batch did, write what is left, close, rename into place.
        // Alone, the file is synced before the rename and its directory after; in the group, one
        // shared sync after the rename does both, awaited once back from the pool. Whatever fails
        // before the rename, the file is closed and removed.
        try await offload(threadPool) { () throws in
            let fd = existing >= 0 ? existing : try Self.create(tmpPath)
            do {
                if let pending, count > 0 {
                    _ = try Self.writeAll(fd, pending.base, count, wholeBatch: false, directIO, tmpPath)
                }
                if groupSync == nil {
                    guard fdatasync(fd) == 0 else { throw LocalLocation.ioError("fdatasync", tmpPath) }
                }
            } catch {
                Self.discard(fd, tmpPath, state)
                throw error
            }
            close(fd)
            state.withLockedValue { $0.fd = -1 }
            guard rename(tmpPath, finalPath) == 0 else {
                let error = LocalLocation.ioError("rename", tmpPath)
                unlink(tmpPath)
                throw error
            }
            if groupSync == nil { try LocalLocation.syncDirectory(shard) }
        }
        try await groupSync?.sync()
        let (written, batch) = state.withLockedValue { state in
            defer { state.batch = nil }
            state.closed = true
            state.written += Int64(count)
            state.filled = 0
            return (state.written, state.batch)
        }
        if let batch { batches.give(batch) }
        return written
    }

    func abort() async {
        // The batch is dropped, not given back: a write of it may still be running on the pool.
        let (alreadyClosed, fd) = state.withLockedValue { state in
            defer { state.closed = true; state.batch = nil }
            return (state.closed, state.fd)
        }
        guard !alreadyClosed, fd >= 0 else { return }
        let (tmpPath, state) = (tmpPath, state)
        try? await offload(threadPool) { () throws in Self.discard(fd, tmpPath, state) }
    }

    deinit {
        // A writer dropped without commit or abort (a cancelled task): release the descriptor;
        // the file in tmp/ is removed at the next start.
        let (closed, fd) = state.withLockedValue { ($0.closed, $0.fd) }
        if !closed, fd >= 0 {
            close(fd)
            unlink(tmpPath)
        }
    }

    /// Creates the blob's file in `tmp/`, on the I/O pool.
    private static func create(_ path: String) throws -> Int32 {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LocalLocation.ioError("create", path) }
        return fd
    }

    /// Closes and removes a file that will not be committed, and forgets its descriptor.
    private static func discard(_ fd: Int32, _ path: String, _ state: NIOLockedValueBox<State>) {
        close(fd)
        unlink(path)
        state.withLockedValue { $0.fd = -1 }
    }

    /// Hands the batch's bytes to write(2) on the I/O pool, creating the file the first time.
    private func flush(wholeBatch: Bool) async throws {
        let (pending, count, directIO, existing) = state.withLockedValue { ($0.batch, $0.filled, $0.directIO, $0.fd) }
        guard let pending, count > 0 else { return }
        let (tmpPath, state) = (tmpPath, state)
        let now = try await offload(threadPool) { () throws -> DirectIO in
            let fd = existing >= 0 ? existing : try Self.create(tmpPath)
            if existing < 0 { state.withLockedValue { $0.fd = fd } }
            return try Self.writeAll(fd, pending.base, count, wholeBatch: wholeBatch, directIO, tmpPath)
        }
        state.withLockedValue { state in
            state.filled = 0
            state.written += Int64(count)
            state.directIO = now
        }
    }

    /// Writes `count` bytes at the file's offset and says whether direct I/O is on after it. A
    /// whole batch turns direct I/O on the first time (every earlier write was a whole batch, so
    /// the offset is aligned); a partial one turns it off for good. A file system that refuses
    /// direct I/O, at the switch or at a write, gets every byte through the page cache instead.
    static func writeAll(
        _ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, wholeBatch: Bool, _ directIO: DirectIO, _ path: String
    ) throws -> DirectIO {
        var directIO = directIO
        switch (wholeBatch, directIO) {
        case (true, .untried): directIO = souverain_set_direct_io(fd, 1) == 0 ? .on : .off
        case (false, .on): try pageCache(fd, path, &directIO)
        default: break
        }
        var offset = 0
        while offset < count {
            let n = Glibc.write(fd, bytes + offset, count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL, directIO == .on {
                    try pageCache(fd, path, &directIO)
                    continue
                }
                throw LocalLocation.ioError("write", path)
            }
            offset += n
        }
        return directIO
    }

    private static func pageCache(_ fd: Int32, _ path: String, _ directIO: inout DirectIO) throws {
        guard souverain_set_direct_io(fd, 0) == 0 else { throw LocalLocation.ioError("fcntl", path) }
        directIO = .off
    }
}
