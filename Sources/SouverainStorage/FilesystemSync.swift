#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDirectIO
import Foundation

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
/// A caller takes a ticket once its rename is done; the first caller syncs for every ticket taken
/// so far, and those that come while it runs wait for it to end, then one of them syncs for all of
/// them. A failed sync fails every caller it was meant to cover, even when a later one succeeds:
/// after a failed writeback Linux may have dropped what it did not write.
///
/// Used only where it is known to be sound (`open(blobs:tmp:)`): Linux 5.8 or later, where `syncfs`
/// reports a writeback error on any file of the file system since the descriptor last synced, and
/// ext2/3/4, XFS or btrfs. Elsewhere each blob is synced alone, as before. Called on the I/O thread
/// pool: `sync` blocks its thread, as an `fdatasync` would; the pool has threads enough for callers
/// to meet (`LocalLocation.ioThreads`).
///
/// What it costs: `syncfs` also writes back what other programs left dirty on the same file
/// system, so a data directory on a disk shared with heavy writers makes small PUTs wait for them.
final class FilesystemSync: @unchecked Sendable {
    private struct Failure {
        /// Tickets after `after` and up to `through` were to be covered by the failed sync.
        var after: UInt64
        var through: UInt64
        var error: StorageError
    }

    /// Guards everything below; callers wait on it.
    private let condition = NSCondition()
    /// The last ticket taken.
    private var tickets: UInt64 = 0
    /// Every ticket up to this one is durable (unless a failure covers it).
    private var synced: UInt64 = 0
    private var syncing = false
    /// Never pruned: a caller may sleep through several syncs, and failures are rare.
    private var failures: [Failure] = []
    private var counts = (syncs: 0, covered: 0, waiting: 0)
    private let perform: () throws -> Void

    /// A sync group whose sync is `perform`; `open(blobs:tmp:)` is the real one.
    init(perform: @escaping () throws -> Void) {
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

    /// Syncs performed, tickets they covered, and callers waiting now.
    var statistics: (syncs: Int, covered: Int, waiting: Int) {
        condition.lock()
        defer { condition.unlock() }
        return counts
    }

    /// Returns once everything written before this call is durable; throws the error of the sync
    /// that was to make it so.
    func sync() throws {
        condition.lock()
        defer { condition.unlock() }
        tickets += 1
        let ticket = tickets
        while true {
            if let failure = failures.last(where: { $0.after < ticket && ticket <= $0.through }) { throw failure.error }
            if synced >= ticket { return }
            guard !syncing else {
                counts.waiting += 1
                condition.wait()
                counts.waiting -= 1
                continue
            }
            // Every ticket taken so far was taken after its rename: this sync, begun after, covers it.
            let target = tickets
            syncing = true
            condition.unlock()
            var failure: StorageError?
            do {
                try perform()
            } catch {
                failure = error as? StorageError ?? StorageError(.io, "sync failed: \(error)")
            }
            condition.lock()
            syncing = false
            counts.syncs += 1
            counts.covered += Int(target - synced)
            if let failure {
                failures.append(Failure(after: synced, through: target, error: failure))
            } else {
                synced = target
            }
            condition.broadcast()
        }
    }
}
