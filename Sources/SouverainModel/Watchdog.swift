import Synchronization

/// Time limits of work in flight (a location step, TimeLimitedLocation.swift; a PostgreSQL call,
/// BoundedAttempt.swift) watched from one task that wakes every `tick` while any is registered and
/// expires those past their time. One sleeping task for the whole process, where each step had
/// its own: a cancelled `Task.sleep` keeps its timer until its deadline on Linux, so a timer per
/// step held about 300 bytes per request for the limit's duration (30 s for a location step), and
/// the server's memory grew with its request rate (docs/benchmarks.md, "Peak memory").
public final class Watchdog: Sendable {
    public static let shared = Watchdog(tick: .milliseconds(100))

    public struct Watch: Sendable {
        /// Whether the work is past its time, asked at each tick.
        let isOverdue: @Sendable (ContinuousClock.Instant) -> Bool
        /// Called once, when it is.
        let expire: @Sendable () -> Void

        public init(isOverdue: @escaping @Sendable (ContinuousClock.Instant) -> Bool, expire: @escaping @Sendable () -> Void) {
            self.isOverdue = isOverdue
            self.expire = expire
        }

        /// Overdue from `due` on.
        public init(due: ContinuousClock.Instant, expire: @escaping @Sendable () -> Void) {
            self.init(isOverdue: { $0 >= due }, expire: expire)
        }
    }

    private struct State {
        var watches: [UInt64: Watch] = [:]
        var nextID: UInt64 = 0
        var running = false
    }

    public let tick: Duration
    private let state = Mutex(State())

    public init(tick: Duration) {
        self.tick = tick
    }

    /// Starts watching; the caller must `stop` the watch when the work ends, however it ends.
    public func watch(_ watch: Watch) -> UInt64 {
        let (id, start) = state.withLock { state -> (UInt64, Bool) in
            state.nextID += 1
            state.watches[state.nextID] = watch
            defer { state.running = true }
            return (state.nextID, !state.running)
        }
        if start { Task.detached { [self] in await run() } }
        return id
    }

    public func stop(_ id: UInt64) {
        state.withLock { _ = $0.watches.removeValue(forKey: id) }
    }

    /// Watches now, and whether the watching task runs (for tests).
    public var status: (watched: Int, running: Bool) { state.withLock { ($0.watches.count, $0.running) } }

    /// Wakes every tick while anything is watched, then ends (the next watch starts it again).
    private func run() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let overdue = state.withLock { state -> [Watch]? in
                if state.watches.isEmpty {
                    state.running = false
                    return nil
                }
                let expired = state.watches.filter { $0.value.isOverdue(now) }
                for id in expired.keys { state.watches[id] = nil }
                return Array(expired.values)
            }
            guard let overdue else { return }
            for watch in overdue { watch.expire() }
        }
    }
}
