import NIOCore
import SouverainModel
import SouverainStorage
import Synchronization

/// A location whose every step is bounded in time, so that a location that stops answering (a
/// hung disk, a remote that accepts a connection and says nothing) fails the copy instead of
/// holding a PUT or a GET forever. Each step (making a blob writer, one write, the commit, a
/// delete) has `limit` to finish; a read has `limit` between two chunks, not counting the time
/// the reader itself takes with each chunk (a slow client is not a slow location).
///
/// A step past its limit is cancelled and fails with `StorageError.unavailable`; the engine then
/// treats the copy as failed like any other (dropped from a fan-out, marked missing, the next copy
/// read). Cancellation is cooperative: a step blocked where it cannot be cancelled (a system call
/// already running on the I/O pool) still holds its thread, and the request, until it returns.
///
/// A bounded step runs in a task of its own, watched: two more jobs for the shared executor, each
/// of which may wake a thread. A small PUT made three such tasks and a small GET one, where the raw
/// ceiling makes none (docs/benchmarks.md, issue 18's eighteenth round). A step that cannot wait is
/// run as it is: making a writer where the location `startsWritersInMemory`, bytes gathered in
/// memory while no batch is full, and a read the location has at hand (`readAtHand`).
struct TimeLimitedLocation: Location {
    let wrapped: any Location
    let limit: Duration

    var id: String { wrapped.id }

    var startsWritersInMemory: Bool { wrapped.startsWritersInMemory }

    func readAtHand(locator: String, range: Range<Int64>?, chunkSize: Int) throws -> ByteBuffer? {
        try wrapped.readAtHand(locator: locator, range: range, chunkSize: chunkSize)
    }

    func makeBlobWriter() async throws -> any BlobWriter {
        let wrapped = wrapped
        let writer = wrapped.startsWritersInMemory
            ? try await wrapped.makeBlobWriter()
            : try await withStepLimit(limit, location: id, step: "start a blob") { try await wrapped.makeBlobWriter() }
        return TimeLimitedBlobWriter(wrapped: writer, location: id, limit: limit)
    }

    func read(
        locator: String, range: Range<Int64>?, chunkSize: Int, into consumer: (ByteBuffer) async throws -> Void
    ) async throws {
        if let atHand = try wrapped.readAtHand(locator: locator, range: range, chunkSize: chunkSize) {
            if atHand.readableBytes > 0 { try await consumer(atHand) }
            return
        }
        let (wrapped, limit, id) = (wrapped, limit, id)
        let progress = ReadProgress()
        try await withoutActuallyEscaping(consumer) { escapable in
            let carried = UncheckedConsumer(call: escapable)
            // The location is silent too long when it has sent nothing for `limit`, not counting
            // the time the reader itself holds a chunk.
            try await runWatched(
                isOverdue: { now in progress.due(after: limit).map { now >= $0 } ?? false },
                failure: StorageError(.unavailable, "location \(id) sent nothing for \(limit) while reading blob \(locator)")
            ) {
                try await wrapped.read(locator: locator, range: range, chunkSize: chunkSize) { buffer in
                    progress.enterConsumer()
                    defer { progress.leaveConsumer() }
                    try await carried.call(buffer)
                }
            }
        }
    }

    func delete(locator: String) async throws {
        let wrapped = wrapped
        try await withStepLimit(limit, location: id, step: "delete blob \(locator)") { try await wrapped.delete(locator: locator) }
    }
}

/// The writer of a `TimeLimitedLocation`: each write and the commit bounded by the limit.
final class TimeLimitedBlobWriter: GatheringBlobWriter {
    let wrapped: any BlobWriter
    /// `wrapped`, when it gathers bytes in memory of its own.
    private let gathering: (any GatheringBlobWriter)?
    let location: String
    let limit: Duration

    init(wrapped: any BlobWriter, location: String, limit: Duration) {
        self.wrapped = wrapped
        gathering = (wrapped as? any GatheringBlobWriter).flatMap { $0.gathers ? $0 : nil }
        self.location = location
        self.limit = limit
    }

    var locator: String { wrapped.locator }

    func write(_ buffer: ByteBuffer) async throws {
        // Bytes that fit in the batch being gathered are copied there, which cannot wait.
        if let gathering, try gathering.gather(count: buffer.readableBytes, { destination in
            buffer.withUnsafeReadableBytes { destination.copyMemory(from: $0) }
        }) {
            return try await writeGathered()
        }
        let wrapped = wrapped
        try await withStepLimit(limit, location: location, step: "write blob \(locator)") { try await wrapped.write(buffer) }
    }

    var gathers: Bool { gathering != nil }

    func gather(count: Int, _ produce: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Bool {
        // In memory only: nothing here waits on the location.
        try gathering?.gather(count: count, produce) ?? false
    }

    var hasFullBatch: Bool { gathering?.hasFullBatch ?? false }

    func writeGathered() async throws {
        // Nothing to send yet: nothing to wait on either.
        guard let gathering, gathering.hasFullBatch else { return }
        try await withStepLimit(limit, location: location, step: "write blob \(locator)") { try await gathering.writeGathered() }
    }

    func commit() async throws -> Int64 {
        let wrapped = wrapped
        return try await withStepLimit(limit, location: location, step: "commit blob \(locator)") { try await wrapped.commit() }
    }

    func abort() async {
        let wrapped = wrapped
        // An abort that hangs is left behind: whatever it leaves is a stray blob, never a visible one.
        _ = try? await withStepLimit(limit, location: location, step: "abort blob \(locator)") { await wrapped.abort() }
    }
}

/// Runs `body`, failing with `StorageError.unavailable` (and cancelling it) once `limit` has passed.
func withStepLimit<T: Sendable>(
    _ limit: Duration, location: String, step: @autoclosure () -> String, watchdog: Watchdog = .shared,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let due = ContinuousClock.now + limit
    return try await runWatched(
        watchdog: watchdog, isOverdue: { now in now >= due },
        failure: StorageError(.unavailable, "location \(location) did not \(step()) within \(limit)"), body)
}

/// Runs `body` in a task of its own that `Watchdog` cancels once `isOverdue`; it then fails
/// with `failure`, whatever `body` ended with. Returns when `body` has ended (cancellation is
/// cooperative: a step blocked in a system call holds the request until the call returns). The
/// caller's cancellation is passed on.
private func runWatched<T: Sendable>(
    watchdog: Watchdog = .shared, isOverdue: @escaping @Sendable (ContinuousClock.Instant) -> Bool,
    failure: @autoclosure () -> StorageError, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let task = Task { try await body() }
    let expired = Atomic(false)
    let watch = watchdog.watch(.init(isOverdue: isOverdue) {
        expired.store(true, ordering: .relaxed)
        task.cancel()
    })
    defer { watchdog.stop(watch) }
    let result = await withTaskCancellationHandler {
        await task.result
    } onCancel: {
        task.cancel()
    }
    if expired.load(ordering: .relaxed) { throw failure() }
    return try result.get()
}

/// When a read last made progress, and whether the reader holds a chunk now.
private final class ReadProgress: Sendable {
    private struct State {
        var last = ContinuousClock.now
        var inConsumer = false
    }

    private let state = Mutex(State())

    func enterConsumer() { state.withLock { $0.inConsumer = true } }

    func leaveConsumer() { state.withLock { $0 = State(last: .now, inConsumer: false) } }

    /// When the location's silence exceeds `limit`; nil while the reader holds a chunk.
    func due(after limit: Duration) -> ContinuousClock.Instant? {
        state.withLock { $0.inConsumer ? nil : $0.last + limit }
    }
}

/// The reader's closure, carried into the read's task. @unchecked Sendable: the closure is called
/// by that one task, one chunk at a time, and never after `read` returns (`runWatched` returns only
/// once the task has ended, before `withoutActuallyEscaping` does), as when the read ran in the
/// caller's task.
private struct UncheckedConsumer: @unchecked Sendable {
    let call: (ByteBuffer) async throws -> Void
}
