import Crypto
import NIOCore

/// A new file being written: created exclusively, hashed (SHA-256) and counted as bytes arrive,
/// synced to disk before it is closed. Used once, then `finish`ed or `discard`ed.
struct FileSink {
    let path: String
    private let fd: Int32
    private var hasher = SHA256()
    private(set) var count: Int64 = 0

    /// Creates `path`, which must not exist (mode 0644).
    init(creating path: String) throws {
        self.path = path
        self.fd = try POSIX.create(path)
    }

    mutating func write(_ buffer: ByteBuffer) throws {
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        try buffer.withUnsafeReadableBytes { try POSIX.writeAll(fd, $0, path: path) }
        count += Int64(buffer.readableBytes)
    }

    /// Syncs (when `sync`) and closes the file; returns the SHA-256 of what was written, in hex.
    consuming func finish(sync: Bool) throws -> String {
        defer { POSIX.close(fd) }
        if sync { try POSIX.sync(fd, path: path) }
        return Hex.encode(hasher.finalize())
    }

    /// Closes and removes the file.
    consuming func discard() {
        POSIX.close(fd)
        try? POSIX.unlink(path)
    }
}
