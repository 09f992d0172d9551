#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDirectIO
import Dispatch
import Foundation
import Synchronization

/// Group commit for small blobs: one `syncfs` makes durable every blob renamed into place before
/// it began, instead of one `fdatasync` of the blob and one `fsync` of its shard directory each.
///
/// Those two syncs were a fifth of a small PUT's server CPU on this project's virtual disks, and
/// two of the four waits on the disk a small PUT makes (docs/benchmarks.md, "Issue 18's twelfth
/// round"). A blob's bytes, its inode and its directory entry all reach the disk with the
/// file system's writeback; `syncfs` writes back everything dirty on the file system and waits for
/// it, then an `fsync` of the location's `blobs` directory flushes the device's cache. That `fsync`
/// closes a gap: on a file system without a journal (ext4 made with `^has_journal`), `syncfs`
/// flushes the cache before it writes the last dirty metadata blocks and waits for them; with a
/// journal (ext4, XFS, btrfs) its commit already made them durable.
///
/// A caller takes a ticket once its rename is done and waits, suspended, for a sync begun after
/// it. The syncs run one after another on a serial queue of their own: the first ticket starts
/// one, and when one ends it wakes the callers it covered and, if more came meanwhile, starts the
/// next at once for all of them. A failed sync fails every caller it covered, and only them:
/// after a failed writeback Linux may have dropped what it did not write.
///
/// Callers used to wait blocked on a condition in the I/O thread pool, woken all at once at the
/// end of each sync, then most of them back to sleep until the next: 5.5 thread switches in the
/// pool per small PUT (docs/benchmarks.md, "Issue 18's fifteenth round").
///
/// Used only where it is known to be sound (`open(blobs:tmp:)`): Linux 5.8 or later, where `syncfs`
/// reports a writeback error on any file of the file system since the descriptor last synced, and
/// ext2/3/4, XFS or btrfs. Elsewhere each blob is synced alone, as before.
///
/// What it costs: `syncfs` also writes back what other programs left dirty on the same file
/// system, so a data directory on a disk shared with heavy writers makes small PUTs wait for them.
final class FilesystemSync: Sendable {
    private struct State {
        /// The last ticket taken.
        var tickets: UInt64 = 0
        /// The last ticket the sync in progress covers; nil when none runs.
        var syncing: UInt64?
        /// Callers not yet covered by a finished sync, by ticket.
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var syncs = 0
        var covered = 0
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "souverain.blobs.sync")
    private let perform: @Sendable () throws -> Void

    /// A sync group whose sync is `perform`; `open(blobs:tmp:)` is the real one.
    init(perform: @escaping @Sendable () throws -> Void) {
        self.perform = perform
    }

    /// The group for the file system holding `blobs`, where small blobs are renamed to, or nil
    /// where `syncfs` is not known to be sound (see above), or where `tmp`, where they are written,
    /// is on another file system (a symbolic link can put either elsewhere: the sync must be of the
    /// file system that holds them). Keeps a descriptor of `blobs` open while the group lives.
    static func open(blobs: String, tmp: String) -> FilesystemSync? {
        #if os(Linux)
        guard kernelReportsSyncfsErrors(), let type = fileSystemType(blobs), knownFileSystems.contains(type) else { return nil }
        var blobsInfo = stat(), tmpInfo = stat()
        guard stat(blobs, &blobsInfo) == 0, stat(tmp, &tmpInfo) == 0, blobsInfo.st_dev == tmpInfo.st_dev else { return nil }
        let fd = Glibc.open(blobs, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let descriptor = Descriptor(fd)
        return FilesystemSync {
            guard souverain_syncfs(descriptor.fd) == 0 else { throw LocalLocation.ioError("syncfs", blobs) }
            guard fsync(descriptor.fd) == 0 else { throw LocalLocation.ioError("fsync", blobs) }
        }
        #else
        return nil
        #endif
    }

    /// The descriptor synced, closed with the last sync that uses it.
    private final class Descriptor: Sendable {
        let fd: Int32
        init(_ fd: Int32) { self.fd = fd }
        deinit { close(fd) }
    }

    /// ext2/3/4, XFS, btrfs (`statfs` magic numbers).
    static let knownFileSystems: Set<Int> = [0xEF53, 0x5846_5342, 0x9123_683E]

    /// Linux 5.8 or later: `syncfs` returns writeback errors (commit 735e4ae5ba28).
    static func kernelReportsSyncfsErrors() -> Bool {
        var names = utsname()
        guard uname(&names) == 0 else { return false }
        let release = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return kernelVersion(release).map { $0 >= (5, 8) } ?? false
    }

    /// `6.1.0-28-amd64` gives (6, 1); nil for anything that does not start with two numbers.
    static func kernelVersion(_ release: String) -> (Int, Int)? {
        let parts = release.split(separator: ".", maxSplits: 2)
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1].prefix { $0.isNumber }) else { return nil }
        return (major, minor)
    }

    static func fileSystemType(_ path: String) -> Int? {
        let type = souverain_filesystem_type(path)
        return type < 0 ? nil : Int(type)
    }

    /// Syncs performed, tickets they covered, and callers waiting for a sync not yet begun.
    var statistics: (syncs: Int, covered: Int, waiting: Int) {
        state.withLock { state in
            let begun = state.syncing ?? state.tickets
            return (state.syncs, state.covered, state.waiters.count { $0.ticket > begun })
        }
    }

    /// Returns once everything written before this call is durable; throws the error of the sync
    /// that was to make it so.
    func sync() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = state.withLock { state -> UInt64? in
                state.tickets += 1
                state.waiters.append((state.tickets, continuation))
                guard state.syncing == nil else { return nil }
                state.syncing = state.tickets
                return state.tickets
            }
            if let start { queue.async { self.run(from: start) } }
        }
    }

    /// Syncs for every ticket up to `target`, then for those taken meanwhile, until none waits.
    /// Every ticket up to a sync's target was taken after its rename: the sync, begun after,
    /// covers it.
    private func run(from target: UInt64) {
        var target = target
        while true {
            var failure: (any Error)?
            do {
                try perform()
            } catch {
                failure = error as? StorageError ?? StorageError(.io, "sync failed: \(error)")
            }
            let (covered, next) = state.withLock { state in
                let covered = state.waiters.filter { $0.ticket <= target }
                state.waiters.removeAll { $0.ticket <= target }
                state.syncs += 1
                state.covered += covered.count
                state.syncing = state.waiters.isEmpty ? nil : state.tickets
                return (covered.map(\.continuation), state.syncing)
            }
            for continuation in covered {
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
            }
            guard let next else { return }
            target = next
        }
    }
}
