#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Writes one blob of a `LocalLocation`: to `tmp/`, then durable and renamed into place on commit.
final class LocalBlobWriter: BlobWriter {
    let locator: String
    private let fd: Int32
    private let tmpPath: String
    private let finalPath: String
    private let shardDirectory: String
    private let threadPool: NIOThreadPool
    /// Bytes not yet handed to write(2), and whether the file is closed. The writer is used by
    /// one task at a time; the lock only makes that safe to state to the compiler.
    private let state = NIOLockedValueBox(State())

    private struct State {
        var pending = ByteBuffer()
        var written: Int64 = 0
        var closed = false
    }

    init(locator: String, fd: Int32, tmpPath: String, finalPath: String, shardDirectory: String, threadPool: NIOThreadPool) {
        self.locator = locator
        self.fd = fd
        self.tmpPath = tmpPath
        self.finalPath = finalPath
        self.shardDirectory = shardDirectory
        self.threadPool = threadPool
    }

    func write(_ buffer: ByteBuffer) async throws {
        let batch: ByteBuffer? = state.withLockedValue { state in
            if state.pending.readableBytes == 0, buffer.readableBytes >= LocalLocation.writeBatch {
                return buffer
            }
            var incoming = buffer
            state.pending.writeBuffer(&incoming)
            guard state.pending.readableBytes >= LocalLocation.writeBatch else { return nil }
            defer { state.pending = ByteBuffer() }
            return state.pending
        }
        if let batch { try await flush(batch) }
    }

    func commit() async throws -> Int64 {
        let rest = state.withLockedValue { state in
            defer { state.pending = ByteBuffer() }
            return state.pending
        }
        if rest.readableBytes > 0 { try await flush(rest) }
        let (fd, tmpPath, finalPath, shard) = (fd, tmpPath, finalPath, shardDirectory)
        try await offload(threadPool) { () throws in
            guard fdatasync(fd) == 0 else { throw LocalLocation.ioError("fdatasync", tmpPath) }
            close(fd)
            guard rename(tmpPath, finalPath) == 0 else { throw LocalLocation.ioError("rename", tmpPath) }
            try LocalLocation.syncDirectory(shard)
        }
        return state.withLockedValue { state in
            state.closed = true
            return state.written
        }
    }

    func abort() async {
        let alreadyClosed = state.withLockedValue { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !alreadyClosed else { return }
        let (fd, tmpPath) = (fd, tmpPath)
        try? await offload(threadPool) { () throws in
            close(fd)
            unlink(tmpPath)
        }
    }

    deinit {
        // A writer dropped without commit or abort (a cancelled task): release the descriptor;
        // the file in tmp/ is removed at the next start.
        let closed = state.withLockedValue { $0.closed }
        if !closed {
            close(fd)
            unlink(tmpPath)
        }
    }

    private func flush(_ buffer: ByteBuffer) async throws {
        let (fd, tmpPath) = (fd, tmpPath)
        try await offload(threadPool) { () throws in
            let failed = buffer.withUnsafeReadableBytes { bytes -> Bool in
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return true
                    }
                    offset += n
                }
                return false
            }
            if failed { throw LocalLocation.ioError("write", tmpPath) }
        }
        state.withLockedValue { $0.written += Int64(buffer.readableBytes) }
    }
}
