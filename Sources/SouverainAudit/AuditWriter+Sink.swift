import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writer's file I/O, run on a serial dispatch queue so that a write and its fdatasync never
/// block the cooperative thread pool, and the writer actor keeps accepting appends meanwhile.
///
/// `@unchecked Sendable`: the mutable state (`fd`, `path`) is touched only by jobs on `queue`, which
/// run one at a time, and by `deinit`, after the last job.
final class AuditSegmentSink: @unchecked Sendable {
    private let queue = DispatchQueue(label: "souverain.audit.io")
    private let directory: String
    private var fd: Int32
    private var path: String
    private let beforeSync: (@Sendable () throws(AuditError) -> Void)?

    init(directory: String, fd: Int32, path: String, beforeSync: (@Sendable () throws(AuditError) -> Void)?) {
        self.directory = directory
        self.fd = fd
        self.path = path
        self.beforeSync = beforeSync
    }

    deinit {
        if fd >= 0 { POSIX.closeFile(fd) }
    }

    /// Performs the actions in order; returns once every byte is durable. Returns the number of
    /// fdatasync calls made.
    func perform(_ actions: [AuditChainStateMachine.Action]) async throws -> Int {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            queue.async {
                do {
                    continuation.resume(returning: try self.performNow(actions))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                if self.fd >= 0 { POSIX.closeFile(self.fd) }
                self.fd = -1
                continuation.resume()
            }
        }
    }

    private func performNow(_ actions: [AuditChainStateMachine.Action]) throws(AuditError) -> Int {
        guard fd >= 0 else { throw AuditError(.closed, "the audit segment is closed") }
        var syncs = 0
        var buffer: [UInt8] = []
        func flushBuffer() throws(AuditError) {
            guard !buffer.isEmpty else { return }
            try POSIX.writeAll(fd, buffer, path: path)
            try beforeSync?()
            try POSIX.dataSync(fd, path: path)
            syncs += 1
            buffer.removeAll(keepingCapacity: true)
        }
        for action in actions {
            switch action {
            case .write(let bytes):
                buffer.append(contentsOf: bytes)
            case .rotate(let header):
                try flushBuffer()
                let (newFD, newPath) = try Self.createSegment(directory: directory, header: header)
                POSIX.closeFile(fd)
                fd = newFD
                path = newPath
            }
        }
        try flushBuffer()
        return syncs
    }

    /// Creates a segment file holding only its header, atomically: written and synced under a `.tmp`
    /// name, then linked to its final name (which fails rather than replace an existing segment),
    /// and the directory synced. Returns the open descriptor (append mode) and the path.
    static func createSegment(directory: String, header: AuditSegmentHeader) throws(AuditError) -> (Int32, String) {
        let path = directory + "/" + AuditSegment.fileName(firstSequence: header.firstSequence)
        let temporary = path + ".tmp"
        try POSIX.removeFile(temporary)
        let fd = try POSIX.openFile(temporary, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, mode: 0o640)
        do throws(AuditError) {
            try POSIX.writeAll(fd, header.encoded, path: temporary)
            try POSIX.fullSync(fd, path: temporary)
            if link(temporary, path) != 0 {
                throw POSIX.error("cannot create segment (link)", path)
            }
            try POSIX.removeFile(temporary)
            try POSIX.syncDirectory(directory)
        } catch {
            POSIX.closeFile(fd)
            throw error
        }
        return (fd, path)
    }
}
