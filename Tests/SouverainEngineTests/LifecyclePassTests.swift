import Foundation
import Logging
import SouverainCatalogue
import SouverainCatalogueSQLite
@testable import SouverainEngine
import SouverainModel
import SouverainStorage
import SouverainTesting
import Synchronization
import Testing

/// The lifecycle pass over a real store: due objects deleted through the catalogue (their blobs
/// left to garbage collection), others kept, each action recorded as a movement, the pace applied.
@Suite
struct LifecyclePassTests {
    /// Keeps the movements the store records.
    final class RecordedMovements: MovementSink {
        let movements = Mutex<[Movement]>([])
        func record(_ movement: Movement) async throws { movements.withLock { $0.append(movement) } }
    }

    @Test func dueObjectsAreExpiredAndRecordedAndTheOthersStay() async throws {
        let engine = try await EngineUnderTest.onOneDisk()
        do {
            let recorded = RecordedMovements()
            var logger = Logger(label: "souverain.engine.test")
            logger.logLevel = .critical
            let store = ObjectStore(
                catalogue: engine.catalogue, locations: StorageLocations(engine.specs.compactMap { engine.locations[$0.id] }),
                placement: engine.policy, region: "us-east-1", keys: engine.keys, logger: logger, garbageGrace: .zero,
                movements: recorded)
            let bucket = try await engine.createBucket("aging", classification: EngineUnderTest.single)
            for key in ["tmp/a", "tmp/b", "keep/c"] {
                _ = try await engine.put(Array(key.utf8), bucket: bucket, key: key, store: store)
            }
            try await store.setLifecycleConfiguration(bucket: "aging", LifecycleConfiguration(rules: [
                LifecycleRule(id: "tmp", isEnabled: true, filter: LifecycleFilter(form: .single, prefix: "tmp/"),
                              expiration: LifecycleExpiration(days: 1)),
                LifecycleRule(id: "off", isEnabled: false, expiration: LifecycleExpiration(days: 1)),
            ]))
            // Not yet due: nothing.
            let early = try await store.runLifecycle(now: Date(), days: .standard)
            #expect(early.entries.isEmpty && early.buckets == ["aging"] && early.examined == 3)

            var pauses = 0
            let report = try await store.runLifecycle(now: Date().addingTimeInterval(3 * 86_400), days: .standard) { pauses += 1 }
            #expect(report.entries.map { "\($0.key) \($0.rule) \($0.outcome.rawValue)" } == ["tmp/a tmp done", "tmp/b tmp done"])
            #expect(pauses == 2)
            #expect(try await engine.catalogue.listObjects(bucket: "aging", prefix: "", after: nil, limit: 10).map(\.key) == ["keep/c"])
            // The bytes are the garbage collector's to delete.
            #expect(try await engine.catalogue.garbage(limit: 10).count == 2)
            let lifecycle = recorded.movements.withLock { $0 }.filter { $0.kind == .lifecycleExpire }
            #expect(lifecycle.map { "\($0.bucket ?? "") \($0.key ?? "") \($0.detail ?? "")" } == ["aging tmp/a rule tmp", "aging tmp/b rule tmp"])
            #expect(lifecycle.allSatisfy { $0.problem == nil && $0.version == nil })
            // Without a configuration, a bucket is left alone.
            try await store.setLifecycleConfiguration(bucket: "aging", nil)
            #expect(try await store.runLifecycle(now: .distantFuture).buckets.isEmpty)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }
}
