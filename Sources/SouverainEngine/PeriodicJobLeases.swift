import Foundation
public import Logging
import Synchronization
public import SouverainCatalogue

/// Periodic work that gateways sharing a catalogue must not do twice at once (repair, scrub,
/// lifecycle, garbage collection: docs/scale-out.md, "Leases") runs under a lease of the
/// catalogue named after the job. A pass starts only if this gateway takes or renews the lease;
/// while it runs the lease is renewed every third of its `duration`, and a renewal refused (the
/// lease lost: this gateway was cut off past its expiry) cancels the pass. A gateway that dies
/// keeps its leases until they expire; then another takes them at its next pass. On an embedded
/// catalogue the one process always gets them.
///
/// Every lease taken that this gateway did not hold, and every lease lost, is logged (notice) with
/// the job and the holder: the record of who ran what.
public final class PeriodicJobLeases: Sendable {
    public let holder: String
    public let duration: Duration
    private let catalogue: any LeaseCatalogue
    private let logger: Logger
    /// The jobs whose lease this gateway holds, as far as it knows.
    private let held = Mutex<Set<String>>([])

    public init(catalogue: any LeaseCatalogue, holder: String, duration: Duration, logger: Logger) {
        self.catalogue = catalogue
        self.holder = holder
        self.duration = duration
        self.logger = logger
    }

    /// Takes or renews the lease of `job`; false when another gateway holds it or the catalogue
    /// cannot be reached (a pass is skipped rather than risk running twice).
    public func take(_ job: String) async -> Bool {
        let now = Date()
        let taken: Bool
        do {
            taken = try await catalogue.takeLease(job, holder: holder, now: now, expires: now + duration.timeInterval)
        } catch {
            taken = false
        }
        let changed = held.withLock { held in
            taken ? held.insert(job).inserted : held.remove(job) != nil
        }
        if changed {
            logger.notice(taken ? "lease taken" : "lease lost", metadata: ["job": "\(job)", "holder": "\(holder)"])
        }
        return taken
    }

    /// Runs `pass` if this gateway holds the lease of `job`, renewing it while the pass runs;
    /// returns false (without running it) when another gateway holds the lease. A lease lost
    /// while the pass runs cancels the pass (true is returned all the same: it started).
    @discardableResult
    public func run(_ job: String, _ pass: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        guard await take(job) else { return false }
        let renewal = duration / 3
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await pass()
                return true
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: renewal)
                    guard await self.take(job) else { return false }
                }
            }
            defer { group.cancelAll() }
            // The pass finishing, or the renewal failing, ends both.
            _ = try await group.next()
        }
        return true
    }

    /// Gives up the lease of `job` if this gateway holds it: for work done once rather than
    /// periodically (the sweep of a shared blob directory), which another may then do at once.
    public func release(_ job: String) async {
        guard held.withLock({ $0.remove(job) != nil }) else { return }
        try? await catalogue.releaseLease(job, holder: holder)
    }

    /// Gives up every lease held (a graceful stop), so that another gateway takes them at once.
    public func releaseAll() async {
        for job in held.withLock({ $0 }).sorted() {
            try? await catalogue.releaseLease(job, holder: holder)
            logger.notice("lease released", metadata: ["job": "\(job)", "holder": "\(holder)"])
        }
        held.withLock { $0 = [] }
    }
}

extension Duration {
    /// In seconds, as Foundation counts time.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
