import NIOCore

/// A local file read as a sequence of buffers of at most `chunkSize` bytes, from its start to its
/// end, never whole. A final symbolic link is not followed. Iterating it twice reads it twice.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String
    let chunkSize: Int

    init(path: String, chunkSize: Int = 1 << 20) {
        self.path = path
        self.chunkSize = chunkSize
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        let chunkSize: Int
        var file: OpenFile?
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            if file == nil { file = try OpenFile(path: path) }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(chunkSize)
            let fd = file!.fd
            let path = path
            let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { bytes in
                // Typed throws do not cross this closure; the error is rethrown as is.
                try POSIX.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: bytes.prefix(chunkSize)), path: path)
            }
            guard read > 0 else {
                finished = true
                file = nil
                return nil
            }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path, chunkSize: chunkSize) }
}

/// An open file descriptor, closed when the last reference goes.
final class OpenFile {
    let fd: Int32

    init(path: String) throws {
        fd = try POSIX.openForReading(path)
    }

    deinit { POSIX.close(fd) }
}
