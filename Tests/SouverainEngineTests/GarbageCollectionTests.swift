import Foundation
import SouverainCatalogue
@testable import SouverainEngine
import SouverainStorage
import SouverainTesting
import Testing

/// Garbage collection: every dropped blob waits its own grace period, counted from when the
/// catalogue dropped it, and then goes, however many wait.
@Suite
struct GarbageCollectionTests {
    /// The collector used to time the grace from when it first saw a blob, and it looked at one
    /// page (1,000 blobs) per pass: a backlog larger than a page went at 1,000 blobs per grace
    /// period, so under steady deletes garbage (and deleted bytes) piled up without bound.
    @Test func aBacklogLargerThanAPageGoesInOnePassOnceItsGraceIsOver() async throws {
        let engine = try await EngineUnderTest.onOneDisk()
        do {
            let disk = try #require(engine.raw["disk"] as? LocalLocation)
            let bucket = try await engine.createBucket("backlog", classification: EngineUnderTest.single)
            let count = ObjectStore.garbagePage + 150
            try await Self.eachKey(count) { key in _ = try await engine.put([1, 2, 3], bucket: bucket, key: key) }
            #expect(disk.allBlobs().count == count)
            try await Self.eachKey(count) { key in _ = try await engine.store.deleteObject(bucket: "backlog", key: key) }
            #expect(try await engine.catalogue.garbage(limit: count + 1).count == count)

            // Within the grace, nothing goes.
            #expect(await engine.restarted(garbageGrace: .seconds(3600)).collectGarbage(immediately: false) == 0)
            #expect(disk.allBlobs().count == count)

            // Past it, every blob goes in one pass, not one page of them.
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(await engine.restarted(garbageGrace: .seconds(1)).collectGarbage(immediately: false) == count)
            #expect(disk.allBlobs().count == 0)
            #expect(try await engine.catalogue.garbage(limit: 10).isEmpty)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }

    /// A pass whose lease was lost is cancelled: it deletes nothing more, whether or not the
    /// catalogue's reads refuse a cancelled task (SQLite's do), and the next pass does.
    @Test func aCancelledPassDeletesNothing() async throws {
        let engine = try await EngineUnderTest.onOneDisk()
        do {
            let disk = try #require(engine.raw["disk"] as? LocalLocation)
            let bucket = try await engine.createBucket("cancelled", classification: EngineUnderTest.single)
            try await Self.eachKey(3) { key in _ = try await engine.put([1, 2, 3], bucket: bucket, key: key) }
            try await Self.eachKey(3) { key in _ = try await engine.store.deleteObject(bucket: "cancelled", key: key) }
            let store = engine.store
            let collected = await Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return await store.collectGarbage(immediately: true)
            }.value
            #expect(collected == 0)
            #expect(disk.allBlobs().count == 3)
            #expect(await store.collectGarbage(immediately: true) == 3)
            #expect(disk.allBlobs().count == 0)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }

    /// Runs `body` for keys k0, k1, ... 16 at a time.
    static func eachKey(_ count: Int, _ body: @escaping @Sendable (String) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= 16 { try await group.next() }
                group.addTask { try await body("k\(index)") }
            }
            try await group.waitForAll()
        }
    }
}
