import Synchronization
import SouverainCatalogue
import SouverainModel

/// One attempt at the database that answers its caller within a time limit, whatever the work
/// underneath does (docs/scale-out.md, "When PostgreSQL stops").
///
/// A task group cannot give that bound: it returns only once every child has returned, and a
/// child waiting on a connection whose server vanished mid-query may ignore its cancellation for
/// as long as TCP does (over a minute was seen). So the work runs in a task of its own, the
/// caller waits on a continuation that the first of {the work's end, the limit, the caller's
/// cancellation} resumes, and the work, cancelled, is left to end by itself.
///
/// An abandoned transaction must not commit afterwards: the caller was told it failed (503), and
/// the engine deletes the blob of a write whose commit failed. So a transaction asks `mayCommit()`
/// before it sends COMMIT: once the limit has passed it gets false and rolls back. Once COMMIT is
/// sent the outcome is the database's: the caller waits for it one more `limit`, then is answered
/// `unavailable` (the commit's outcome then unknown, as with any reply lost on a network).
final class BoundedAttempt<T: Sendable>: Sendable {
    private enum State {
        case running
        /// COMMIT has been sent: only its answer (or a second limit) decides.
        case committing
        /// Past the limit before COMMIT: the transaction must roll back.
        case abandoned
    }

    private struct Waiting {
        var state = State.running
        var continuation: CheckedContinuation<T, any Error>?
        /// An outcome that arrived before the caller began to wait.
        var early: Result<T, any Error>?
        var resumed = false
    }

    private let waiting = Mutex(Waiting())

    /// Whether COMMIT may be sent: false once the attempt was abandoned (the caller answered).
    func mayCommit() -> Bool {
        waiting.withLock { waiting in
            guard case .running = waiting.state else { return false }
            waiting.state = .committing
            return true
        }
    }

    /// `body`'s result, or `unavailable` once `limit` has passed (see the type's comment).
    static func run(
        within limit: Duration, _ body: @escaping @Sendable (BoundedAttempt<T>) async throws -> T
    ) async throws -> T {
        let attempt = BoundedAttempt<T>()
        let work = Task { [attempt] in
            do {
                attempt.finish(.success(try await body(attempt)))
            } catch {
                attempt.finish(.failure(error))
            }
        }
        // The limit is watched by the process's one watchdog (a timer per call, cancelled, would
        // hold its memory for the whole limit: Watchdog.swift). Past it, an attempt that has not
        // sent COMMIT is abandoned; one that has gets a second limit for the COMMIT's answer.
        let started = ContinuousClock.now
        let watches = Mutex<[UInt64]>([])
        let first = Watchdog.shared.watch(.init(due: started + limit) { [attempt] in
            if attempt.abandonUnlessCommitting() {
                attempt.finish(.failure(CatalogueError(.unavailable, "PostgreSQL did not answer within \(limit)")))
                return
            }
            let second = Watchdog.shared.watch(.init(due: started + limit * 2) { [attempt] in
                attempt.finish(.failure(CatalogueError(
                    .unavailable, "PostgreSQL did not answer a COMMIT within \(limit): its outcome is unknown")))
            })
            watches.withLock { $0.append(second) }
        })
        watches.withLock { $0.append(first) }
        defer {
            for watch in watches.withLock({ $0 }) { Watchdog.shared.stop(watch) }
            work.cancel()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in attempt.wait(continuation) }
        } onCancel: {
            attempt.finish(.failure(CancellationError()))
        }
    }

    /// True when the attempt is now abandoned (it had not sent COMMIT).
    private func abandonUnlessCommitting() -> Bool {
        waiting.withLock { waiting in
            switch waiting.state {
            case .running, .abandoned:
                waiting.state = .abandoned
                return true
            case .committing:
                return false
            }
        }
    }

    private func wait(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = waiting.withLock { waiting in
            if let early = waiting.early {
                waiting.early = nil
                return early
            }
            waiting.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// The first outcome resumes the caller; later ones are dropped.
    private func finish(_ outcome: Result<T, any Error>) {
        let continuation: CheckedContinuation<T, any Error>? = waiting.withLock { waiting in
            guard !waiting.resumed else { return nil }
            waiting.resumed = true
            // Nothing may commit after the caller has its answer.
            if case .running = waiting.state { waiting.state = .abandoned }
            guard let continuation = waiting.continuation else {
                waiting.early = outcome
                return nil
            }
            waiting.continuation = nil
            return continuation
        }
        continuation?.resume(with: outcome)
    }
}
