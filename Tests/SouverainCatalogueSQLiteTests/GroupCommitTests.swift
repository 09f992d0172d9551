import Dispatch
import Foundation
import GRDB
import Testing
@testable import SouverainCatalogueSQLite

@Suite final class GroupCommitTests: Sendable {
    let directory = NSTemporaryDirectory() + "souverain-group-commit-" + UUID().uuidString
    let pool: DatabasePool
    let group: GroupCommit

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        pool = try DatabasePool(path: directory + "/db.sqlite")
        try pool.write { try $0.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)") }
        group = GroupCommit(pool: pool)
    }

    private func count() throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") ?? 0 }
    }

    /// Starts `body` as a group write that holds its transaction until `release` is signalled, and
    /// returns once it runs: the writes made meanwhile queue for the next transaction.
    private func holdingWrite<T: Sendable>(
        until release: DispatchSemaphore, _ body: @escaping @Sendable (Database) throws -> T
    ) async -> Task<T, any Error> {
        let started = DispatchSemaphore(value: 0)
        let write = Task { [group] in
            try await group.write { db in
                started.signal()
                release.wait()
                return try body(db)
            }
        }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                started.wait()
                continuation.resume()
            }
        }
        return write
    }

    /// Writes that arrive while a transaction commits share the next one, and each keeps its own
    /// outcome: the one that fails is rolled back alone.
    @Test func writesArrivingDuringACommitShareTheNextTransaction() async throws {
        let release = DispatchSemaphore(value: 0)
        let first = await holdingWrite(until: release) { db in
            try db.execute(sql: "INSERT INTO t VALUES (0, 'first')")
            return 0
        }
        let outcomes = Task { [group] in
            try await withThrowingTaskGroup(of: (Int, Bool).self) { tasks in
                for k in 1...20 {
                    tasks.addTask {
                        do {
                            // Key 7 collides with key 1's row: its insert fails, alone.
                            let row = k == 7 ? 1 : k
                            _ = try await group.write { db in
                                try db.execute(sql: "INSERT INTO t VALUES (?, ?)", arguments: [row, "w\(k)"])
                                return k
                            }
                            return (k, true)
                        } catch {
                            return (k, false)
                        }
                    }
                }
                var outcomes: [Int: Bool] = [:]
                for try await (k, succeeded) in tasks { outcomes[k] = succeeded }
                return outcomes
            }
        }
        // Every one of the 20 is queued behind the blocked first transaction before it is released.
        // (Write 1 and write 7 race for row 1: one of them loses, whichever is queued second.)
        let deadline = ContinuousClock.now + .seconds(30)
        while group.waiting < 20, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(group.waiting == 20)
        release.signal()
        #expect(try await first.value == 0)
        let results = try await outcomes.value
        #expect(results.values.filter { !$0 }.count == 1)
        #expect(results.filter { $0.value }.count == 19)
        #expect(try count() == 20)
        #expect(group.statistics == GroupCommit.Statistics(writes: 21, transactions: 2))
    }

    /// A write whose transaction cannot commit gets the error, and nothing of it stays.
    @Test func aFailedTransactionFailsEveryWriteOfIt() async throws {
        try await pool.write { try $0.execute(sql: "CREATE TABLE parent (k INTEGER PRIMARY KEY)") }
        try await pool.write {
            try $0.execute(sql: "CREATE TABLE child (k INTEGER REFERENCES parent(k) DEFERRABLE INITIALLY DEFERRED)")
        }
        // A deferred foreign key is checked at COMMIT: the whole transaction fails there.
        await #expect(throws: (any Error).self) {
            try await group.write { db in try db.execute(sql: "INSERT INTO child VALUES (42)") }
        }
        #expect(try await pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM child") } == 0)
        // The group keeps committing afterwards.
        try await group.write { db in try db.execute(sql: "INSERT INTO t VALUES (1, 'after')") }
        #expect(try count() == 1)
    }

    /// When SQLite rolls the batch's whole transaction back in the middle of it (as it does on a
    /// full disk), the writes after that point fail too and none of them commits on its own (a
    /// savepoint opened outside a transaction would start one and commit it).
    @Test func writesAfterTheBatchTransactionWasRolledBackFailWithoutCommitting() async throws {
        let release = DispatchSemaphore(value: 0)
        let blocker = await holdingWrite(until: release) { _ in }
        let aborting = Task { [group] in
            try await group.write { db in
                try db.execute(sql: "INSERT INTO t VALUES (1, 'aborting')")
                try db.execute(sql: "ROLLBACK")
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while group.waiting < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let later = Task { [group] in
            try await group.write { db in try db.execute(sql: "INSERT INTO t VALUES (2, 'later')") }
        }
        while group.waiting < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(group.waiting == 2)
        release.signal()
        try await blocker.value
        await #expect(throws: (any Error).self) { try await aborting.value }
        await #expect(throws: (any Error).self) { try await later.value }
        #expect(try count() == 0)
        // The group keeps committing afterwards.
        try await group.write { db in try db.execute(sql: "INSERT INTO t VALUES (3, 'after')") }
        #expect(try count() == 1)
    }
}
