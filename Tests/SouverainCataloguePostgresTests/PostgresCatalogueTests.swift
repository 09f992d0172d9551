import Foundation
import PostgresNIO
import SouverainCatalogue
import SouverainCataloguePostgres
import SouverainModel
import SouverainTesting
import Testing

/// Every promise of the `Catalogue` protocol on PostgreSQL (the contract SQLite runs too), and what
/// only a shared catalogue must keep: several gateways, each with its own client, on one database.
/// One test at a time: the cases are quick, and 22 clients with their pools at once on a loaded
/// 2-core machine (the whole unit run in parallel) starved each other past any reasonable wait.
@Suite(.sharedPostgres, .serialized, .enabled(if: TestPostgres.shouldRun, "PostgreSQL (initdb) is not installed"))
struct PostgresCatalogueTests {
    /// A fresh database on the test server, and the URL of it.
    static func freshDatabase() async throws -> PostgresConnectionURL {
        let name = try await TestPostgres.shared.createDatabase()
        let server = try await TestPostgres.shared.running()
        return try PostgresConnectionURL("postgres://\(server.username)@\(server.host):\(server.port)/\(name)?sslmode=disable")
    }

    /// One gateway's catalogue on `url`, with a client of its own.
    static func gateway(_ url: PostgresConnectionURL, poolSize: Int = 4, waitLimit: Duration = .seconds(120)) async throws -> PostgresCatalogue {
        try await PostgresCatalogue(configuration: url.configuration(poolSize: poolSize), waitLimit: waitLimit)
    }

    static let subject = CatalogueSubject(name: "postgres") {
        let catalogue = try await gateway(try await freshDatabase())
        return (catalogue, { await catalogue.close() })
    }

    @Test(arguments: CatalogueContract.allCases)
    func promise(_ promise: CatalogueContract) async throws {
        let (catalogue, cleanup) = try await Self.subject.make()
        do {
            try await promise.check(on: catalogue)
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }

    @Test func migrationsAreAppliedOnceWhenTwoGatewaysOpenAnEmptyDatabaseAtOnce() async throws {
        let url = try await Self.freshDatabase()
        async let first = Self.gateway(url)
        async let second = Self.gateway(url)
        let (one, two) = try await (first, second)
        #expect(try await one.appliedMigrations() == PostgresCatalogue.migrationNames)
        #expect(try await two.appliedMigrations() == PostgresCatalogue.migrationNames)
        await one.close()
        await two.close()
    }

    @Test func concurrentWritesOfOneKeyFromTwoGatewaysLeaveOneCurrentObjectAndEveryOtherBlobInTheGarbage() async throws {
        let url = try await Self.freshDatabase()
        let one = try await Self.gateway(url), two = try await Self.gateway(url)
        try await one.createBucket(BucketRecord(name: "b", owner: "alice", createdAt: Date(), region: "eu-west-3"))
        let writes = 16
        let garbage = try await withThrowingTaskGroup(of: [GarbageBlob].self) { group in
            for index in 0..<writes {
                let gateway = index.isMultiple(of: 2) ? one : two
                group.addTask { try await gateway.putObject(Self.object("k", locator: "blob-\(index)")) }
            }
            var all: [GarbageBlob] = []
            for try await blobs in group { all += blobs }
            return all
        }
        let current = try #require(try await two.object(bucket: "b", key: "k"))
        let winner = try #require(current.segments.first?.locator)
        let listed = Set(try await one.garbage(limit: 100).map(\.locator))
        // Every blob but the winner's is garbage, returned by the write that replaced it and listed.
        #expect(Set(garbage.map(\.locator)) == Set((0..<writes).map { "blob-\($0)" }).subtracting([winner]))
        #expect(listed == Set(garbage.map(\.locator)))
        #expect(try await one.listSummaries(bucket: "b", prefix: "", after: nil, limit: 10).map(\.key) == ["k"])
        #expect(try await one.isReferenced(location: "local", locator: winner))
        #expect(try await one.blobCount(location: "local") == 1)
        await one.close()
        await two.close()
    }

    @Test func conditionalWritesRacingFromTwoGatewaysHaveExactlyOneWinner() async throws {
        let url = try await Self.freshDatabase()
        let one = try await Self.gateway(url), two = try await Self.gateway(url)
        try await one.createBucket(BucketRecord(name: "b", owner: "alice", createdAt: Date(), region: "eu-west-3"))
        let writers = 12
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<writers {
                let gateway = index.isMultiple(of: 2) ? one : two
                group.addTask {
                    do {
                        _ = try await gateway.putObject(Self.object("once", locator: "w-\(index)"),
                                                        condition: WriteCondition(requiresNoCurrentObject: true))
                        return true
                    } catch let error as CatalogueError where error.code == .preconditionFailed {
                        return false
                    }
                }
            }
            var wins: [Bool] = []
            for try await outcome in group { wins.append(outcome) }
            return wins
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await one.garbage(limit: 100).isEmpty)
        await one.close()
        await two.close()
    }

    @Test func listingsAreInByteOrderOfUTF8WhateverTheDatabaseCollation() async throws {
        let catalogue = try await Self.gateway(try await Self.freshDatabase())
        try await catalogue.createBucket(BucketRecord(name: "b", owner: "alice", createdAt: Date(), region: "eu-west-3"))
        let keys = ["a", "B", "b", "é", "e", "\u{7F}", "z", "ÿ", "日本", "😀", "a b", "A", "ä", "\u{FFFD}", "Ω"]
        for key in keys { _ = try await catalogue.putObject(Self.object(key, locator: "blob-\(key)")) }
        let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(try await catalogue.listSummaries(bucket: "b", prefix: "", after: nil, limit: 100).map(\.key) == expected)
        // Resuming after a key with bytes above 0x7F, and a prefix of multi-byte characters.
        let resumed = try await catalogue.listSummaries(bucket: "b", prefix: "", after: .key("é"), limit: 100).map(\.key)
        #expect(resumed == Array(expected.drop { $0 != "é" }.dropFirst()))
        #expect(try await catalogue.listSummaries(bucket: "b", prefix: "日", after: nil, limit: 10).map(\.key) == ["日本"])
        await catalogue.close()
    }

    @Test func aDatabaseThatIsUnreachableIsAnUnavailableCatalogueNotACrash() async throws {
        let port = try TestServer.freePort()
        let url = try PostgresConnectionURL("postgres://nobody@127.0.0.1:\(port)/nothing?sslmode=disable")
        await #expect { _ = try await Self.gateway(url, waitLimit: .seconds(1)) } throws: { ($0 as? CatalogueError)?.code == .unavailable }
    }

    @Test func theURLsPasswordIsNeverShown() throws {
        let url = try PostgresConnectionURL("postgres://souverain:s3cr%40t@db.example:6432/catalogue?sslmode=require")
        #expect(url.host == "db.example" && url.port == 6432 && url.username == "souverain" && url.database == "catalogue")
        #expect(!url.redacted.contains("s3cr"))
        #expect(url.redacted == "postgres://souverain:***@db.example:6432/catalogue?sslmode=require")
        #expect(throws: PostgresURLError.self) { try PostgresConnectionURL("mysql://x@y/z") }
        #expect(throws: PostgresURLError.self) { try PostgresConnectionURL("postgres://x@y/z?sslmode=verify-full") }
    }

    static func object(_ key: String, locator: String) -> ObjectRecord {
        ObjectRecord(
            bucket: "b", key: key, size: 3, etag: "0123456789abcdef0123456789abcdef", lastModified: Date(timeIntervalSince1970: 1_700_000_000),
            metadata: ObjectMetadata(), checksums: [:], location: "local", segments: [BlobSegment(locator: locator, size: 3)], partCount: nil)
    }
}
