import Synchronization

/// Runs one operation on `concurrency` workers until `operations` have been started or `duration`
/// has passed, whichever comes first; no operation starts after the deadline.
struct PhaseRunner: Sendable {
    let concurrency: Int
    let operations: Int
    let duration: Duration
    /// Added to each operation's index (so that a measured phase continues after its warm-up).
    let firstIndex: Int

    struct Outcome: Sendable {
        var stats: WorkerStats
        var elapsed: Duration
        /// Whether the operation count was reached (rather than the deadline).
        var reachedOperationLimit: Bool
        /// How many operations were started.
        var started: Int
    }

    /// `operation(index, worker, &stats)` does one operation and records it in `stats`.
    func run(_ operation: @escaping @Sendable (Int, Int, inout WorkerStats) async -> Void) async -> Outcome {
        await run(state: { $0 }) { index, worker, stats in await operation(index, worker, &stats) }
    }

    /// Like `run(_:)`, with a state of each worker's own, made by `state(worker)` in the worker's task.
    func run<State>(
        state makeState: @escaping @Sendable (Int) -> State,
        _ operation: @escaping @Sendable (Int, inout State, inout WorkerStats) async -> Void
    ) async -> Outcome {
        let ticket = Ticket()
        let limit = operations
        let start = ContinuousClock.now
        let deadline = start + duration
        let first = firstIndex
        let stats = await withTaskGroup(of: WorkerStats.self) { group in
            for worker in 0..<max(1, concurrency) {
                group.addTask {
                    var stats = WorkerStats()
                    var state = makeState(worker)
                    while ContinuousClock.now < deadline, !Task.isCancelled {
                        let index = ticket.take()
                        guard index < limit else { break }
                        await operation(first + index, &state, &stats)
                    }
                    return stats
                }
            }
            var merged = WorkerStats()
            for await stats in group { merged.merge(stats) }
            return merged
        }
        let started = min(ticket.taken, limit)
        return Outcome(stats: stats, elapsed: ContinuousClock.now - start, reachedOperationLimit: started >= limit,
                       started: started)
    }
}

/// Hands out operation indices to workers.
final class Ticket: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }

    var taken: Int { next.load(ordering: .relaxed) }
}
