import Foundation
import NIOCore
import SouverainCatalogue
import SouverainCatalogueSQLite
@testable import SouverainEngine
import SouverainModel
import SouverainTesting
import Testing

/// Versions and Object Lock on the data path: version ids, markers, locks refused by every
/// engine path that removes a version, the retention clock, and relocation of noncurrent versions.
struct VersioningEngineTests {
    static let two: [EngineUnderTest.Spec] = [
        .init(id: "first", provider: "on-premise", backend: .local, faulty: false),
        .init(id: "second", provider: "scaleway", backend: .local, faulty: false),
    ]

    func withEngine(_ body: (EngineUnderTest) async throws -> Void) async throws {
        let engine = try await EngineUnderTest.make(Self.two, seed: 1, plan: .off)
        do {
            try await body(engine)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }

    @Test func versionsMarkersAndReadsByVersion() async throws {
        try await withEngine { engine in
            var bucket = try await engine.createBucket("v", classification: EngineUnderTest.single)
            let null = try await engine.put([1], bucket: bucket, key: "k")
            #expect(null.versionID == nil)
            try await engine.store.setVersioning(bucket: bucket, .enabled)
            bucket = try #require(try await engine.catalogue.bucket(named: "v"))
            let first = try await engine.put([2], bucket: bucket, key: "k")
            let second = try await engine.put([3], bucket: bucket, key: "k")
            #expect(first.versionID != nil && first.versionID != second.versionID)
            #expect(try await engine.store.objectVersion(bucket: "v", key: "k", versionID: "null").size == 1)
            #expect(try await engine.store.objectVersion(bucket: "v", key: "k", versionID: first.versionID).etag == first.etag)
            let marker = try await engine.store.deleteObject(bucket: bucket, key: "k", versionID: nil)
            #expect(marker.isDeleteMarker && marker.versionID != nil)
            await #expect { try await engine.store.objectVersion(bucket: "v", key: "k", versionID: nil) } throws: {
                let error = $0 as? EngineError
                return error?.code == .noSuchKey && error?.versionHeaders?.isDeleteMarker == true
            }
            await #expect { try await engine.store.objectVersion(bucket: "v", key: "k", versionID: marker.versionID) } throws: {
                ($0 as? EngineError)?.code == .methodNotAllowed
            }
            _ = try await engine.store.deleteObject(bucket: bucket, key: "k", versionID: marker.versionID)
            #expect(try await engine.get(bucket: "v", key: "k") == [3])
            let page = try await engine.store.listVersions(bucket: "v", prefix: "", delimiter: "", after: nil, maxKeys: 2)
            #expect(page.isTruncated && page.entries.map(\.versionID) == [second.versionID, first.versionID])
            let rest = try await engine.store.listVersions(bucket: "v", prefix: "", delimiter: "", after: page.next, maxKeys: 2)
            #expect(!rest.isTruncated && rest.entries.map(\.wireVersionID) == ["null"])
        }
    }

    @Test func aLockedVersionIsRefusedByEveryRemovalAndKeptByMigration() async throws {
        try await withEngine { engine in
            try await engine.store.createBucket("locked", owner: EngineUnderTest.owner, classification: EngineUnderTest.single,
                                                objectLock: true)
            let bucket = try #require(try await engine.catalogue.bucket(named: "locked"))
            #expect(bucket.versioning == .enabled)
            let until = Date().addingTimeInterval(86_400)
            let body = AsyncThrowingStream<ByteBuffer, any Error> { $0.yield(ByteBuffer(bytes: [7, 7])); $0.finish() }
            let locked = try await engine.store.putObject(
                bucket: bucket, key: "k", metadata: ObjectMetadata(), body: body,
                checks: .init(checksums: [], verify: { _ in }),
                lock: RequestedLock(retention: ObjectRetention(mode: .compliance, retainUntil: until)))
            _ = try await engine.put([8], bucket: bucket, key: "k")  // the locked version becomes noncurrent
            for bypass in [false, true] {
                await #expect { try await engine.store.deleteObject(bucket: bucket, key: "k", versionID: locked.versionID, bypassGovernance: bypass) } throws: {
                    ($0 as? EngineError)?.code == .objectLocked
                }
            }
            await #expect { try await engine.store.putRetention(
                bucket: bucket, key: "k", versionID: locked.versionID,
                retention: ObjectRetention(mode: .compliance, retainUntil: until.addingTimeInterval(-3600)), bypassGovernance: true)
            } throws: { ($0 as? EngineError)?.code == .objectLocked }
            await #expect { try await engine.store.shredBucket("locked") } throws: {
                ($0 as? EngineError)?.code == .objectLocked && ($0 as? EngineError)?.message.contains("k (version") == true
            }
            // Migration moves the noncurrent locked version too, and keeps its lock.
            let step = try await engine.store.migrate(bucket: "locked", to: "second", after: nil, limit: 100)
            #expect(step.moved == 2 && step.failed == 0)
            let moved = try await engine.store.objectVersion(bucket: "locked", key: "k", versionID: locked.versionID)
            #expect(moved.location == "second" && moved.retention?.mode == .compliance)
            var read: [UInt8] = []
            try await engine.store.read(moved, range: nil) { read += $0.readableBytesView }
            #expect(read == [7, 7])
        }
    }

    @Test func aClockSetBackNeverShortensARetention() async throws {
        try await withEngine { engine in
            let now = Date()
            let ahead = try await engine.store.retentionNow(now.addingTimeInterval(3600))
            #expect(abs(ahead.timeIntervalSince(now) - 3600) < 0.01)
            // The clock is set back an hour: retentions are still judged an hour ahead.
            #expect(try await engine.store.retentionNow(now).timeIntervalSince(now) > 3599)
        }
    }
}
