import Foundation
import PostgresNIO
import SouverainCatalogue
import SouverainCataloguePostgres
import SouverainModel
import SouverainTesting
import Synchronization
import Testing

/// A request caught inside PostgreSQL when the database stops answering gets its 503 within the
/// wait limit (docs/scale-out.md, "When PostgreSQL stops"), and what it was told failed never
/// commits afterwards. A suite of its own on the shared test server: `.sharedPostgres` lets any
/// number of suites run at once, which this one and `PostgresCatalogueTests` do.
@Suite(.sharedPostgres, .enabled(if: TestPostgres.shouldRun, "PostgreSQL (initdb) is not installed"))
struct PostgresOutageTests {
    @Test func aWriteHeldInsidePostgresPastItsWaitLimitIsAnsweredUnavailableAndNeverCommitsAfterwards() async throws {
        let url = try await PostgresCatalogueTests.freshDatabase()
        let other = try await PostgresCatalogueTests.gateway(url)
        try await other.createBucket(BucketRecord(name: "b", owner: "alice", createdAt: Date(), region: "eu-west-3"))
        // The gateway under test waits 5 s at most; opening it (migrations already applied) may
        // itself pass that on a machine the whole unit run starves: it is retried, a few times.
        var opened: PostgresCatalogue?
        for attempt in 1...5 where opened == nil {
            do {
                opened = try await PostgresCatalogueTests.gateway(url, waitLimit: .seconds(5))
            } catch let error as CatalogueError where error.code == .unavailable && attempt < 5 {
                continue
            }
        }
        let gateway = try #require(opened)

        // Another session holds the bucket table: the write waits inside PostgreSQL, in a query
        // that does not end when its task is cancelled (as one on a server that vanished).
        let blocker = PostgresClient(configuration: url.configuration(poolSize: 1))
        let running = Task { await blocker.run() }
        let locked = AsyncStream<Void>.makeStream(), release = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await blocker.withConnection { connection in
                try await connection.query("BEGIN", logger: Self.logger)
                try await connection.query("LOCK TABLE buckets IN EXCLUSIVE MODE", logger: Self.logger)
                locked.continuation.yield()
                for await _ in release.stream { break }
                try await connection.query("ROLLBACK", logger: Self.logger)
            }
        }
        for await _ in locked.stream { break }

        let answer = Shared<Result<[GarbageBlob], any Error>?>(nil)
        let write = Task {
            do {
                let garbage = try await gateway.putObject(PostgresCatalogueTests.object("k", locator: "blob-abandoned"))
                answer.value.withLock { $0 = .success(garbage) }
            } catch {
                answer.value.withLock { $0 = .failure(error) }
            }
        }
        // A functional bound, far above the 5 s limit: the old code answered only once the lock went.
        let deadline = ContinuousClock.now + .seconds(30)
        while answer.value.withLock({ $0 == nil }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let outcome = answer.value.withLock { $0 }
        release.continuation.yield()
        try await holder.value
        await write.value

        let result = try #require(outcome, "the write was not answered within 30 s while its query was held")
        #expect(throws: CatalogueError.self) { _ = try result.get() }
        if case .failure(let error) = result { #expect((error as? CatalogueError)?.code == .unavailable, "\(error)") }
        // The abandoned transaction goes on once the lock is released, and must roll back: the
        // next write of the key (serialised behind it by the key's lock) replaces nothing.
        let replaced = try await other.putObject(PostgresCatalogueTests.object("k", locator: "blob-after"))
        #expect(replaced.isEmpty, "the abandoned write committed: \(replaced.map(\.locator))")
        #expect(try await other.object(bucket: "b", key: "k")?.segments.first?.locator == "blob-after")
        #expect(try await other.garbage(limit: 10).isEmpty)

        await gateway.close()
        await other.close()
        running.cancel()
        await running.value
    }

    static let logger = Logger(label: "souverain.test.postgres-outage")
}

/// `.sharedPostgres` shared by suites that acquire it at once: one server, stopped by the last.
@Suite(.enabled(if: TestPostgres.shouldRun, "PostgreSQL (initdb) is not installed"))
struct TestPostgresSharingTests {
    @Test func suitesAcquiringAtOnceShareOneServerThatTheLastReleaseStops() async throws {
        let postgres = TestPostgres()
        async let first = postgres.acquire()
        async let second = postgres.acquire()
        async let third = postgres.acquire()
        let servers = try await [first, second, third]
        #expect(Set(servers.map(\.port)).count == 1, "\(servers.map(\.port))")
        #expect(await postgres.holders == 3)
        await postgres.release()
        await postgres.release()
        // One suite still holds it: it is running and takes a database.
        _ = try await postgres.createDatabase()
        await postgres.release()
        #expect(await postgres.holders == 0)
        await #expect(throws: TestServerError.self) { try await postgres.createDatabase() }
        // The next suite starts a new one.
        let again = try await postgres.acquire()
        _ = try await postgres.createDatabase()
        _ = again
        await postgres.release()
    }
}
