#if canImport(Glibc)
import Glibc
#endif

/// The file beside the embedded catalogue (`<catalogue>-commits`) through which the processes
/// that write the catalogue say they committed: after each transaction each sets the file's times
/// to now (`CommitAnnouncer`). The one process that keeps records in memory, the server, announces
/// nothing: it watches the file with inotify (`CommitWatch`) and so learns of commits made by the
/// others, such as a user removed with `souverain user remove` while it runs.
///
/// The kernel queues the inotify event inside the writer's `futimens` call, which comes after its
/// commit returned. So once a command that changed the catalogue has returned, the next poll of
/// any watch finds the event: no request that arrives after it can be served from what was kept
/// before.
enum CommitSignal {
    static func path(ofCatalogue catalogue: String) -> String { catalogue + "-commits" }
}

/// Announces this process's commits (see `CommitSignal`).
final class CommitAnnouncer: Sendable {
    /// -1 when the file could not be opened: nothing is announced, and a watching process falls
    /// back on the lifetime of what it keeps (`LookupCache.lifetime`).
    private let fd: Int32

    init(catalogue: String) {
        fd = open(CommitSignal.path(ofCatalogue: catalogue), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Sets the file's times to now: one inotify event for every watch.
    func announce() {
        guard fd >= 0 else { return }
        _ = futimens(fd, nil)
    }
}

/// Learns, without blocking, whether any process announced a commit since the last poll.
final class CommitWatch: Sendable {
    enum Outcome: Equatable {
        /// No commit announced since the last poll.
        case quiet
        /// At least one commit announced by another process.
        case committed
        /// The watch no longer sees the file (deleted, renamed, the event queue overflowed):
        /// nothing kept may be trusted from now on.
        case lost
    }

    private let fd: Int32

    /// Nil when inotify is unavailable (another platform, the per-user limit of instances reached)
    /// or the file cannot be watched.
    init?(catalogue: String) {
        #if os(Linux)
        let path = CommitSignal.path(ofCatalogue: catalogue)
        let created = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard created >= 0 else { return nil }
        close(created)
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        let events = UInt32(IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(fd, path, events) >= 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
        #else
        return nil
        #endif
    }

    deinit { close(fd) }

    /// Reads every event queued since the last poll: one system call when there is none.
    func poll() -> Outcome {
        #if os(Linux)
        var outcome = Outcome.quiet
        let capacity = 4096
        return withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 8) { buffer in
            while true {
                let count = read(fd, buffer.baseAddress, capacity)
                if count < 0 {
                    if errno == EINTR { continue }
                    // EAGAIN: the queue is empty. Anything else: the watch cannot be read.
                    return errno == EAGAIN ? outcome : .lost
                }
                if count == 0 { return .lost }
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = buffer.baseAddress!.advanced(by: offset).loadUnaligned(as: inotify_event.self)
                    let gone = UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW)
                    if event.mask & gone != 0 { return .lost }
                    outcome = .committed
                    offset += MemoryLayout<inotify_event>.size + Int(event.len)
                }
            }
        }
        #else
        return .lost
        #endif
    }
}
