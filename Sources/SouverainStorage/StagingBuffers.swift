#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// One batch of a blob being written: `capacity` bytes aligned on a page, so that a large blob's
/// batches can go to the disk with O_DIRECT (which wants the memory, the length and the file
/// offset aligned on the device's block). Owned by one writer at a time; freed when the last
/// holder lets go, which may be a write still running on the I/O pool after an abort.
final class StagingBuffer: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let capacity: Int

    init(capacity: Int) {
        var pointer: UnsafeMutableRawPointer?
        guard posix_memalign(&pointer, StagingBuffers.alignment, capacity) == 0, let pointer else {
            fatalError("out of memory for a \(capacity)-byte write batch")
        }
        self.base = pointer
        self.capacity = capacity
    }

    deinit { free(base) }
}

/// The write batches of one location, kept for reuse: without them every PUT, small ones
/// included, would allocate and free an aligned megabyte, which glibc's malloc maps and unmaps
/// for each (it keeps a block that large out of its heap). At most `kept` wait idle, as many as
/// the 32 small PUTs in flight of docs/benchmarks.md's workloads; with 8, about a third of those
/// PUTs made a fresh mapping (docs/benchmarks.md, "Issue 18's seventeenth round"). A busier moment
/// allocates more and frees them. An idle batch keeps only the pages written into it resident.
final class StagingBuffers: Sendable {
    static let alignment = 4096
    let capacity: Int
    let kept: Int
    private let idle = NIOLockedValueBox<[StagingBuffer]>([])

    init(capacity: Int, kept: Int = 32) {
        precondition(capacity % StagingBuffers.alignment == 0, "a batch is a whole number of pages")
        self.capacity = capacity
        self.kept = kept
    }

    func take() -> StagingBuffer {
        idle.withLockedValue { $0.popLast() } ?? StagingBuffer(capacity: capacity)
    }

    func give(_ buffer: StagingBuffer) {
        idle.withLockedValue { idle in
            if idle.count < kept { idle.append(buffer) }
        }
    }
}
