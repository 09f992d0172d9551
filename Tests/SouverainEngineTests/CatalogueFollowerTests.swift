import Foundation
import Logging
import SouverainCatalogue
import SouverainCatalogueSQLite
@testable import SouverainEngine
import SouverainKeys
import SouverainModel
import Synchronization
import Testing

/// Two gateways' keys on one catalogue (docs/scale-out.md, "The bound"): gateway B caches its
/// bucket and named keys; what gateway A changes (a shred, a rotation) is in force on B once B has
/// read the change feed, and at once when B's caches are not valid (a reading lost).
struct CatalogueFollowerTests {
    struct Gateways {
        let directory: String
        let catalogue: SQLiteCatalogue
        let store: KeyringKeyStore
        /// Gateway A: no cache validity (it changes things, and forgets its own).
        let a: BucketKeys
        /// Gateway B: follows the feed.
        let b: BucketKeys
        let follower: CatalogueFollower

        func close() { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func gateways(bound: Duration = .seconds(3600)) async throws -> Gateways {
        let directory = NSTemporaryDirectory() + "souverain-follower-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
        let store = try await KeyringKeyStore.create(path: directory + "/keyring.json")
        try await catalogue.createBucket(BucketRecord(name: "b", owner: "alice", createdAt: Date(), region: "eu-west-3"))
        let validity = CacheValidity(bound: bound)
        let b = BucketKeys(store: store, catalogue: catalogue, validity: validity)
        let follower = CatalogueFollower(catalogue: catalogue, keys: b, validity: validity, interval: .seconds(3600))
        try await follower.poll()
        return Gateways(
            directory: directory, catalogue: catalogue, store: store, a: BucketKeys(store: store, catalogue: catalogue), b: b,
            follower: follower)
    }

    static func isShredded(_ error: any Error) -> Bool { (error as? EngineError)?.code == .objectShredded }

    @Test func aBucketShreddedOnAnotherGatewayNoLongerDecryptsHereOnceTheFeedIsRead() async throws {
        let gateways = try await Self.gateways()
        defer { gateways.close() }
        let (dataKey, encryption) = try await gateways.b.newBlobKey(bucket: "b", chunkSize: 65_536)
        // The bucket's first key is a change too: B drops and reloads it, and holds it.
        #expect(try await gateways.follower.poll().map(\.kind) == [.bucketKeys])
        #expect(try await gateways.b.dataKey(bucket: "b", encryption) == dataKey)
        _ = try await gateways.catalogue.shredBucket("b", at: Date())
        // Held in memory, the key still opens the blob: the hazard the feed exists for.
        #expect(try await gateways.b.dataKey(bucket: "b", encryption) == dataKey)
        let applied = try await gateways.follower.poll()
        #expect(applied.map(\.kind) == [.bucketKeys] && applied.map(\.name) == ["b"])
        await #expect { _ = try await gateways.b.dataKey(bucket: "b", encryption) } throws: { Self.isShredded($0) }
        // Nothing was cached again by the refused read.
        await #expect { _ = try await gateways.b.dataKey(bucket: "b", encryption) } throws: { Self.isShredded($0) }
    }

    @Test func aKeyRotatedOnAnotherGatewayWrapsTheNextBlobHereOnceTheFeedIsRead() async throws {
        let gateways = try await Self.gateways()
        defer { gateways.close() }
        #expect(try await gateways.b.newBlobKey(bucket: "b", chunkSize: 65_536).encryption.bucketKeyVersion == 1)
        #expect(try await gateways.a.addVersion(bucket: "b") == 2)
        #expect(try await gateways.b.newBlobKey(bucket: "b", chunkSize: 65_536).encryption.bucketKeyVersion == 1)
        try await gateways.follower.poll()
        #expect(try await gateways.b.newBlobKey(bucket: "b", chunkSize: 65_536).encryption.bucketKeyVersion == 2)
        // B rotates next: it numbers from the catalogue, not from what it held.
        #expect(try await gateways.b.addVersion(bucket: "b") == 3)
    }

    @Test func aNamedKeyShreddedOnAnotherGatewayNoLongerDecryptsHereOnceTheFeedIsRead() async throws {
        let gateways = try await Self.gateways()
        defer { gateways.close() }
        let key = try await gateways.a.named.create(alias: "app", description: "", creator: "id-root", now: Date())
        let (dataKey, encryption) = try await gateways.b.named.newBlobKey(keyID: key.id, chunkSize: 65_536)
        _ = try await gateways.catalogue.shredNamedKey(id: key.id, at: Date())
        #expect(try await gateways.b.dataKey(bucket: "b", encryption) == dataKey)
        try await gateways.follower.poll()
        await #expect { _ = try await gateways.b.dataKey(bucket: "b", encryption) } throws: { Self.isShredded($0) }
    }

    @Test func whenTheFeedIsNotReadWithinTheBoundNothingHeldIsUsed() async throws {
        // A bound already past when it is checked: every reading is as good as lost.
        let gateways = try await Self.gateways(bound: .zero)
        defer { gateways.close() }
        let (_, encryption) = try await gateways.b.newBlobKey(bucket: "b", chunkSize: 65_536)
        _ = try await gateways.catalogue.shredBucket("b", at: Date())
        // No reading of the feed, and yet the shred is in force: the cache was bypassed.
        await #expect { _ = try await gateways.b.dataKey(bucket: "b", encryption) } throws: { Self.isShredded($0) }
        // A reading after a lapse drops everything rather than trusting what it missed.
        #expect(try await gateways.follower.poll().isEmpty)
    }

    @Test func otherCachesAreToldEachChangeAndToDropEverythingAfterALapse() async throws {
        let gateways = try await Self.gateways()
        defer { gateways.close() }
        let told = Recorded<String?>()
        gateways.follower.observe { change in told.values.withLock { $0.append(change.map { "\($0.kind.rawValue) \($0.name)" }) } }
        try await gateways.catalogue.setBucketAccessDocument(bucket: "b", kind: .policy, "{}")
        try await gateways.catalogue.deleteBucket(named: "b")
        try await gateways.follower.poll()
        #expect(told.values.withLock { $0 } == ["bucket-access b", "bucket-deleted b"])
        let lapsing = CatalogueFollower(
            catalogue: gateways.catalogue, keys: nil, validity: CacheValidity(bound: .zero), interval: .seconds(3600))
        lapsing.observe { change in told.values.withLock { $0.append(change.map(\.name) ?? "everything") } }
        try await lapsing.poll()
        #expect(told.values.withLock { $0.last } == "everything")
    }

    @Test func aLeaseIsHeldByOneGatewayAtATimeAndFreedWhenReleased() async throws {
        let gateways = try await Self.gateways()
        defer { gateways.close() }
        var logger = Logger(label: "souverain.test")
        logger.logLevel = .critical
        let one = PeriodicJobLeases(catalogue: gateways.catalogue, holder: "gw-1", duration: .seconds(60), logger: logger)
        let two = PeriodicJobLeases(catalogue: gateways.catalogue, holder: "gw-2", duration: .seconds(60), logger: logger)
        let ran = Recorded<String>()
        let ranWhileHeld = try await one.run("repair") {
            ran.values.withLock { $0.append("gw-1") }
            // While gw-1's pass runs, gw-2 does not get to run one.
            let second = try await two.run("repair") { ran.values.withLock { $0.append("gw-2") } }
            ran.values.withLock { $0.append("gw-2 ran: \(second)") }
        }
        #expect(ranWhileHeld)
        #expect(!(try await two.run("repair") { ran.values.withLock { $0.append("gw-2") } }))
        await one.releaseAll()
        #expect(try await two.run("repair") { ran.values.withLock { $0.append("gw-2") } })
        #expect(ran.values.withLock { $0 } == ["gw-1", "gw-2 ran: false", "gw-2"])
    }
}

/// What closures run elsewhere recorded.
final class Recorded<Value: Sendable>: Sendable {
    let values = Mutex<[Value]>([])
}
