import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import SouverainEngine
import SouverainStorage

/// After an unclean stop, the blob files that no catalogue entry references: written and renamed
/// into place by a write whose commit never happened (docs/durability.md). They are deleted.
///
/// Alone on its directory (an embedded catalogue), a gateway that starts knows that nothing else
/// writes there: every file older than its start is a stray, swept before it serves.
///
/// On a directory several gateways share (a shared catalogue: docs/scale-out.md, "Recovery on a
/// shared blob directory"), a file nobody references may be another gateway's write between its
/// rename and its commit. So no file younger than `grace` is ever deleted, and the sweep runs
/// under the lease `stray-sweep`, so that gateways restarting together do not walk the directory
/// twice at once: once at start (strays older than the grace), and once more `grace` after the
/// start (the strays of the stop itself, by then old enough). Until that second sweep is done,
/// a graceful stop leaves no clean-stop marker, so the next start sweeps again.
final class StraySweep: Sendable {
    let store: ObjectStore
    let locals: [LocalLocation]
    /// Nil: alone on its directory.
    let shared: Shared?
    let logger: Logger
    /// When this process started its recovery: files written before it are the suspects.
    let startedAt: Date
    private let finished = Mutex(false)

    struct Shared: Sendable {
        let leases: PeriodicJobLeases
        let grace: Duration
        var graceSeconds: TimeInterval { Double(grace.components.seconds) }
    }

    init(store: ObjectStore, locals: [LocalLocation], shared: Shared?, logger: Logger, startedAt: Date = Date()) {
        self.store = store
        self.locals = locals
        self.shared = shared
        self.logger = logger
        self.startedAt = startedAt
    }

    /// Whether nothing is left for a later start: the last sweep this run owed is done.
    var isFinished: Bool { finished.withLock { $0 } }

    /// The sweep at start: every stray when alone; on a shared directory those older than the
    /// grace (the rest waits for `run()`'s second sweep).
    func sweepAtStart() async {
        guard let shared else {
            report(await sweep(before: startedAt))
            finished.withLock { $0 = true }
            return
        }
        await sweepUnderLease(before: startedAt - shared.graceSeconds, shared)
    }

    /// The second sweep of a shared directory, `grace` after the start; nothing when alone.
    func runDeferredSweep() async {
        guard let shared, !isFinished else { return }
        let due = ContinuousClock.now + shared.grace
        while !Task.isCancelled {
            do { try await Task.sleep(until: min(due, .now + shared.leases.duration)) } catch { return }
            guard ContinuousClock.now >= due else { continue }
            // Every file written before the start is now older than the grace.
            if await sweepUnderLease(before: min(startedAt, Date() - shared.graceSeconds), shared) {
                finished.withLock { $0 = true }
                return
            }
        }
    }

    /// True when the sweep ran (the lease was this gateway's).
    @discardableResult
    private func sweepUnderLease(before cutoff: Date, _ shared: Shared) async -> Bool {
        let ran = (try? await shared.leases.run("stray-sweep") { [self] in
            report(await sweep(before: cutoff))
        }) ?? false
        if ran { await shared.leases.release("stray-sweep") }
        return ran
    }

    private func sweep(before cutoff: Date) async -> Int {
        var removed = 0
        for local in locals { removed += await store.sweepStrayBlobs(in: local, startedAt: cutoff) }
        return removed
    }

    private func report(_ removed: Int) {
        if removed > 0 { logger.notice("removed stray blobs left by an interrupted run", metadata: ["count": "\(removed)"]) }
    }
}

/// The second sweep of a shared blob directory, in the background (`StraySweep.runDeferredSweep`);
/// its end (done, or nothing to do) must not end the service group.
struct DeferredStraySweep: Service {
    let sweep: StraySweep

    func run() async throws {
        await cancelWhenGracefulShutdown { await sweep.runDeferredSweep() }
    }
}
