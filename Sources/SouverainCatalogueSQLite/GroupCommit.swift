internal import GRDB
import Synchronization

/// Group commit for the catalogue's writes: the writes that arrive while a transaction is being
/// committed run together in the next transaction, each in a savepoint of its own, and share its
/// single WAL sync.
///
/// With `synchronous = FULL` every commit costs one fdatasync, and SQLite commits one transaction
/// at a time: without grouping, small PUTs are bounded by that serialised sync, whatever the
/// concurrency. With it, N concurrent writes cost one sync.
///
/// Each write keeps its own outcome: one that throws rolls back its savepoint and gets its error,
/// the others still commit. A write returns only after the transaction holding it has committed
/// (durable); if the commit itself fails, every write of the batch gets that error, and none of
/// them took effect.
final class GroupCommit: Sendable {
    /// One write waiting for a transaction: `run` executes it inside the transaction and returns
    /// what to do once the transaction committed; `fail` reports a transaction that did not commit.
    private struct Job: Sendable {
        let run: @Sendable (Database) -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var queue: [Job] = []
        var draining = false
    }

    struct Statistics: Sendable, Equatable {
        var writes = 0
        var transactions = 0
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    private let counters = Mutex(Statistics())
    /// Called once after each transaction, committed or not, before its writes return.
    private let afterTransaction: @Sendable () -> Void

    init(pool: DatabasePool, afterTransaction: @escaping @Sendable () -> Void = {}) {
        self.pool = pool
        self.afterTransaction = afterTransaction
    }

    /// Writes and transactions so far: `writes / transactions` is the mean batch size.
    var statistics: Statistics { counters.withLock { $0 } }

    /// Writes queued for the next transaction.
    var waiting: Int { state.withLock { $0.queue.count } }

    /// Runs `body` in the next group transaction; returns its value once that transaction is durable.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in
                    do {
                        let value = try Self.inSavepoint(db) { try body(db) }
                        return { continuation.resume(returning: value) }
                    } catch {
                        return { continuation.resume(throwing: error) }
                    }
                },
                fail: { error in continuation.resume(throwing: error) })
            let startsDraining = state.withLock { state in
                state.queue.append(job)
                defer { state.draining = true }
                return !state.draining
            }
            if startsDraining {
                Task { await self.drain() }
            }
        }
    }

    /// Runs `body` in a savepoint of the batch's transaction: rolled back if it throws, so that the
    /// batch's other writes still commit. GRDB's `inSavepoint` prepares its SAVEPOINT and RELEASE
    /// statements anew on every call, two compilations per write; these are prepared once. If
    /// SQLite rolled the whole transaction back (a full disk, for one), GRDB refuses every later
    /// statement of the batch, these included, so no write commits outside it.
    private static func inSavepoint<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "SAVEPOINT group_write").execute()
        do {
            let value = try body()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT group_write").execute()
            return value
        } catch {
            // Rolling back alone leaves the savepoint on SQLite's stack; releasing it removes it.
            try? db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT group_write").execute()
            try? db.cachedStatement(sql: "RELEASE SAVEPOINT group_write").execute()
            throw error
        }
    }

    /// Commits batches until no write is waiting.
    private func drain() async {
        while true {
            let batch = state.withLock { state in
                let batch = state.queue
                state.queue.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            counters.withLock {
                $0.writes += batch.count
                $0.transactions += 1
            }
            do {
                let completions = try await pool.write { db in batch.map { $0.run(db) } }
                afterTransaction()
                for complete in completions { complete() }
            } catch {
                afterTransaction()
                for job in batch { job.fail(error) }
            }
        }
    }
}
