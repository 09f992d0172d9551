import Foundation
import SouverainCatalogue
import SouverainCataloguePostgres
import SouverainModel
import SouverainTesting
import Synchronization
import Testing

/// What only a shared catalogue must keep of the change feed and the leases (docs/scale-out.md):
/// changes committed by several gateways at once are all seen by a gateway that reads the feed
/// while they commit (none numbered behind what it has already read), and two gateways taking one
/// lease at once never both get it.
extension PostgresCatalogueTests {
    @Test func aReaderFollowingTheFeedWhileTwoGatewaysWriteMissesNoChange() async throws {
        let url = try await Self.freshDatabase()
        let one = try await Self.gateway(url), two = try await Self.gateway(url)
        let reader = try await Self.gateway(url, poolSize: 1)
        let buckets = (0..<8).map { "b\($0)" }
        for bucket in buckets {
            try await one.createBucket(BucketRecord(name: bucket, owner: "alice", createdAt: Date(), region: "eu-west-3"))
        }
        let start = try await reader.latestChangeSequence()
        let writing = Shared(true)
        // The reader goes on from the last number it saw, as a gateway does: a change committed
        // later under a smaller number would be lost to it.
        async let followed: [CatalogueChange] = { () async throws -> [CatalogueChange] in
            var seen: [CatalogueChange] = []
            var position = start
            while true {
                let done = !writing.value.withLock { $0 }
                let page = try await reader.changes(after: position, limit: 1000)
                seen += page
                position = page.last?.sequence ?? position
                if done && page.isEmpty { return seen }
            }
        }()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, bucket) in buckets.enumerated() {
                let gateway = index.isMultiple(of: 2) ? one : two
                group.addTask {
                    for round in 0..<6 {
                        try await gateway.setBucketAccessDocument(bucket: bucket, kind: .policy, "{\"round\": \(round)}")
                    }
                }
            }
            try await group.waitForAll()
        }
        writing.value.withLock { $0 = false }
        let seen = try await followed
        let all = try await reader.changes(after: start, limit: 1000)
        #expect(all.count == buckets.count * 6)
        #expect(seen == all)
        await one.close()
        await two.close()
        await reader.close()
    }

    @Test func twoGatewaysTakingOneLeaseAtOnceNeverBothGetIt() async throws {
        let url = try await Self.freshDatabase()
        let one = try await Self.gateway(url), two = try await Self.gateway(url)
        let start = Date()
        for round in 0..<10 {
            // Each round's lease is free (expired at `now`), and both ask for it.
            let now = start + Double(round) * 100
            async let first = one.takeLease("repair", holder: "gw-1", now: now, expires: now + 50)
            async let second = two.takeLease("repair", holder: "gw-2", now: now, expires: now + 50)
            let (a, b) = try await (first, second)
            #expect(a != b, "round \(round): gw-1 \(a), gw-2 \(b)")
        }
        await one.close()
        await two.close()
    }
}

/// A value tasks share.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
}
