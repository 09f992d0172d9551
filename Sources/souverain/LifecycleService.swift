import Foundation
import Logging
import ServiceLifecycle
import SouverainEngine
import SouverainModel

/// Applies the buckets' lifecycle rules in the background: one pass every `interval` seconds (the
/// first one `interval` seconds after start), at most `rate` actions per second (docs/lifecycle.md).
/// An interval of 0 runs no pass; `souverain lifecycle run` still runs one on demand.
struct LifecycleService: Service {
    let store: ObjectStore
    let interval: Int
    let rate: Int
    let days: LifecycleDays
    /// One gateway at a time runs a pass (lease `lifecycle`).
    let leases: PeriodicJobLeases
    let logger: Logger

    func run() async throws {
        // A service that returns would stop the whole group: without passes, wait for the shutdown.
        guard interval > 0 else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            let pause: Duration = rate > 0 ? .nanoseconds(1_000_000_000 / Int64(rate)) : .zero
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(interval))
                do {
                    try await leases.run("lifecycle") { [store, days, logger] in
                        let report = try await store.runLifecycle(now: Date(), days: days) {
                            if pause > .zero { try await Task.sleep(for: pause) }
                        }
                        let done = report.entries.filter { $0.outcome == .done }.count
                        let refused = report.entries.filter { $0.outcome == .refusedLocked }.count
                        if done > 0 || refused > 0 {
                            logger.info("lifecycle pass done", metadata: [
                                "buckets": "\(report.buckets.count)", "examined": "\(report.examined)", "actions": "\(done)",
                                "refusedLocked": "\(refused)"])
                        }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("the lifecycle pass failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

extension Settings {
    var lifecycleDays: LifecycleDays { LifecycleDays(secondsPerDay: Int64(lifecycleDaySeconds)) }
}
