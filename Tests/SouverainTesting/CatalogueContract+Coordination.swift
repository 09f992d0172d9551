import Foundation
import SouverainCatalogue
import SouverainModel
import Testing

/// What gateways sharing a catalogue coordinate through (docs/scale-out.md): the change feed, in
/// commit order, naming exactly what changed; leases held by one holder until they expire.
extension CatalogueContract {
    func checkCoordination(on catalogue: any Catalogue) async throws {
        switch self {
        case .changesAreFedInCommitOrderNamingWhatChanged:
            try await catalogue.createBucket(Self.bucket("b1"))
            try await catalogue.createBucket(Self.bucket("b2"))
            let start = try await catalogue.latestChangeSequence()
            #expect(try await catalogue.changes(after: start, limit: 10).isEmpty)
            #expect(try await catalogue.addBucketKey(Self.bucketKey("b1", version: 1)))
            // A version that exists already changes nothing, and is not fed.
            #expect(!(try await catalogue.addBucketKey(Self.bucketKey("b1", version: 1))))
            #expect(try await catalogue.addBucketKey(Self.bucketKey("b1", version: 2)))
            // Re-wrapping under a new master key leaves the key itself as it was: not fed.
            try await catalogue.rewrapBucketKey(bucket: "b1", version: 2, wrappedKey: "rewrapped")
            #expect(try await catalogue.retireBucketKey(bucket: "b1", version: 1))
            try await catalogue.setBucketAccessDocument(bucket: "b2", kind: .policy, "{}")
            try await catalogue.setBucketAccessDocument(bucket: "b2", kind: .policy, nil)
            #expect(try await catalogue.createNamedKey(Self.namedKey("k-1", alias: "a"), firstVersion: Self.version(1, of: "k-1")))
            #expect(try await catalogue.addNamedKeyVersion(Self.version(2, of: "k-1")))
            #expect(try await catalogue.retireNamedKeyVersion(keyID: "k-1", version: 1))
            #expect(try await catalogue.shredNamedKey(id: "k-1", at: Self.date) == 1)
            #expect(try await catalogue.shredBucket("b1", at: Self.date) == 1)
            try await catalogue.deleteBucket(named: "b2")
            // Refused changes are not fed.
            await #expect { try await catalogue.setBucketAccessDocument(bucket: "absent", kind: .policy, "{}") } throws: {
                ($0 as? CatalogueError)?.code == .noSuchBucket
            }
            let fed = try await catalogue.changes(after: start, limit: 100)
            let expected: [(CatalogueChange.Kind, String)] = [
                (.bucketKeys, "b1"), (.bucketKeys, "b1"), (.bucketKeys, "b1"), (.bucketAccess, "b2"), (.bucketAccess, "b2"),
                (.namedKey, "k-1"), (.namedKey, "k-1"), (.namedKey, "k-1"), (.bucketKeys, "b1"), (.bucketDeleted, "b2"),
            ]
            #expect(fed.map(\.kind) == expected.map(\.0))
            #expect(fed.map(\.name) == expected.map(\.1))
            #expect(zip(fed, fed.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
            #expect(fed.allSatisfy { $0.sequence > start })
            #expect(try await catalogue.latestChangeSequence() == fed.last?.sequence)
            // Pages resume after a sequence number.
            #expect(try await catalogue.changes(after: start, limit: 3) == Array(fed.prefix(3)))
            #expect(try await catalogue.changes(after: fed[2].sequence, limit: 100) == Array(fed.dropFirst(3)))
            #expect(try await catalogue.changes(after: fed[fed.count - 1].sequence, limit: 100).isEmpty)
        case .leasesHaveOneHolderUntilTheyExpire:
            let now = Self.date
            #expect(try await catalogue.leases().isEmpty)
            #expect(try await catalogue.takeLease("repair", holder: "gw-a", now: now, expires: now + 30))
            // Held: another holder is refused until the expiry, the holder renews.
            #expect(!(try await catalogue.takeLease("repair", holder: "gw-b", now: now + 10, expires: now + 40)))
            #expect(try await catalogue.takeLease("repair", holder: "gw-a", now: now + 10, expires: now + 40))
            #expect(!(try await catalogue.takeLease("repair", holder: "gw-b", now: now + 39, expires: now + 69)))
            // Another lease is another name.
            #expect(try await catalogue.takeLease("scrub", holder: "gw-b", now: now + 10, expires: now + 40))
            #expect(try await catalogue.leases() == [
                Lease(name: "repair", holder: "gw-a", expires: now + 40), Lease(name: "scrub", holder: "gw-b", expires: now + 40)])
            // Expired: another holder takes it, and the one before is refused from then on.
            #expect(try await catalogue.takeLease("repair", holder: "gw-b", now: now + 40, expires: now + 70))
            #expect(!(try await catalogue.takeLease("repair", holder: "gw-a", now: now + 41, expires: now + 71)))
            // Only the holder releases it; released, it is free at once.
            try await catalogue.releaseLease("repair", holder: "gw-a")
            #expect(!(try await catalogue.takeLease("repair", holder: "gw-a", now: now + 42, expires: now + 72)))
            try await catalogue.releaseLease("repair", holder: "gw-b")
            #expect(try await catalogue.takeLease("repair", holder: "gw-a", now: now + 42, expires: now + 72))
            #expect(try await catalogue.leases().map(\.holder) == ["gw-a", "gw-b"])
        default:
            Issue.record("\(self) is not a coordination promise")
        }
    }

    static func bucketKey(_ bucket: String, version: Int) -> BucketKeyRecord {
        BucketKeyRecord(bucket: bucket, version: version, wrappedKey: "wrapped-\(bucket)-\(version)", state: .active, created: date)
    }
}
