import Foundation
public import SouverainCatalogue
import SouverainModel
public import Testing

/// A `Catalogue` implementation to run the contract on: a name, and how to make a fresh, empty
/// one (with its cleanup). The SQLite catalogue's tests give theirs; a PostgreSQL one joins by
/// giving its own factory.
public struct CatalogueSubject: Sendable, CustomTestStringConvertible {
    public let name: String
    public let make: @Sendable () async throws -> (catalogue: any Catalogue, cleanup: @Sendable () async -> Void)

    public init(
        name: String, make: @escaping @Sendable () async throws -> (catalogue: any Catalogue, cleanup: @Sendable () async -> Void)
    ) {
        self.name = name
        self.make = make
    }

    public var testDescription: String { name }
}

/// The promises of the `Catalogue` protocol, one case each, checked the same way on every
/// implementation: `@Test(arguments: [subjects], CatalogueContract.allCases)`.
public enum CatalogueContract: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case bucketsAreCreatedOnceListedAndDeletedWhenEmpty
    case objectsRoundTripAndReplaceTheirBlobsAsGarbage
    case listingsAreInByteOrderAndResumeAfterAPosition
    case deletingAnObjectReturnsItAndItsBlobs
    case anObjectInAMissingBucketIsRefused
    case copiesAreSwappedOnlyIfTheObjectIsUnchanged
    case theRepairBacklogCountsObjectsWithACopyToMake
    case multipartUploadsCompleteOrAbortOnce
    case usersAreFoundByKeyAndNameAndRemovedWithTheirGrants
    case grantsAreSetReplacedAndRemoved
    case garbageIsListedUntilForgotten
    case lifecycleConfigurationsAreStoredReplacedAndRemovedWithTheirBucket
    case aConditionalDeleteRemovesOnlyTheObjectRead
    case namedKeysAreCreatedOnceByAliasAndShreddedForGood
    case namedKeyVersionsRetireOnlyOnceNoBlobUsesThem
    case namedKeyGrantsAndBucketEncryptionRoundTrip
    case versionedWritesKeepEveryVersionAndTheCurrentOneIsListed
    case nullVersionsAreReplacedAndDeleteMarkersHideTheKey
    case deletingAVersionPromotesTheNextNewest
    case versionListingsPageByKeyAndVersion
    case lockedVersionsAreRefusedInTheTransactionThatWouldRemoveThem
    case theRetentionClockNeverGoesBack
    case bucketAccessDocumentsAreSetReplacedAndDeletedWithTheirBucket
    case anObjectACLIsKeptInItsVersionsMetadata
    case changesAreFedInCommitOrderNamingWhatChanged
    case leasesHaveOneHolderUntilTheyExpire
    case rolesAreAddedOnceListedByNameAndRemoved

    public var testDescription: String { rawValue }

    public func check(on catalogue: any Catalogue) async throws {
        switch self {
        case .lifecycleConfigurationsAreStoredReplacedAndRemovedWithTheirBucket, .aConditionalDeleteRemovesOnlyTheObjectRead:
            try await checkLifecycle(on: catalogue)
        case .bucketsAreCreatedOnceListedAndDeletedWhenEmpty:
            try await catalogue.createBucket(Self.bucket("b1", classification: "health"))
            try await catalogue.createBucket(Self.bucket("b2"))
            await #expect { try await catalogue.createBucket(Self.bucket("b1")) } throws: {
                ($0 as? CatalogueError)?.code == .bucketExists
            }
            #expect(try await catalogue.bucket(named: "b1") == Self.bucket("b1", classification: "health"))
            #expect(try await catalogue.buckets().map(\.name).sorted() == ["b1", "b2"])
            _ = try await catalogue.putObject(Self.object("k", in: "b1"))
            await #expect { try await catalogue.deleteBucket(named: "b1") } throws: { ($0 as? CatalogueError)?.code == .bucketNotEmpty }
            _ = try await catalogue.deleteObject(bucket: "b1", key: "k")
            try await catalogue.deleteBucket(named: "b1")
            #expect(try await catalogue.bucket(named: "b1") == nil)
            await #expect { try await catalogue.deleteBucket(named: "b1") } throws: { ($0 as? CatalogueError)?.code == .noSuchBucket }
        case .objectsRoundTripAndReplaceTheirBlobsAsGarbage:
            try await catalogue.createBucket(Self.bucket("b1"))
            var record = Self.object("k", in: "b1", locator: "one")
            record.replicas = [Replica(location: "remote", locators: ["r-one"], state: .ok)]
            #expect(try await catalogue.putObject(record).isEmpty)
            #expect(try await catalogue.object(bucket: "b1", key: "k") == record)
            #expect(try await catalogue.isReferenced(location: "local", locator: "one"))
            #expect(try await catalogue.isReferenced(location: "remote", locator: "r-one"))
            let replaced = try await catalogue.putObject(Self.object("k", in: "b1", locator: "two"))
            #expect(Set(replaced) == [GarbageBlob(location: "local", locator: "one"), GarbageBlob(location: "remote", locator: "r-one")])
            #expect(try await catalogue.object(bucket: "b1", key: "k")?.segments.map(\.locator) == ["two"])
            #expect(try await catalogue.object(bucket: "b1", key: "absent") == nil)
        case .listingsAreInByteOrderAndResumeAfterAPosition:
            try await catalogue.createBucket(Self.bucket("b1"))
            for key in ["b", "a/2", "é", "Z", "a/1", "a0", "~"] { _ = try await catalogue.putObject(Self.object(key, in: "b1")) }
            #expect(try await catalogue.listObjects(bucket: "b1", prefix: "", after: nil, limit: 100).map(\.key)
                == ["Z", "a/1", "a/2", "a0", "b", "~", "é"])
            #expect(try await catalogue.listSummaries(bucket: "b1", prefix: "a/", after: nil, limit: 100).map(\.key) == ["a/1", "a/2"])
            #expect(try await catalogue.listSummaries(bucket: "b1", prefix: "", after: .key("a/2"), limit: 2).map(\.key) == ["a0", "b"])
            #expect(try await catalogue.listSummaries(bucket: "b1", prefix: "", after: .pastPrefix("a"), limit: 10).map(\.key)
                == ["b", "~", "é"])
            let summary = try #require(try await catalogue.listSummaries(bucket: "b1", prefix: "Z", after: nil, limit: 1).first)
            let object = Self.object("Z", in: "b1")
            #expect(summary == ObjectSummary(key: "Z", size: object.size, etag: object.etag, lastModified: object.lastModified))
        case .deletingAnObjectReturnsItAndItsBlobs:
            try await catalogue.createBucket(Self.bucket("b1"))
            let record = Self.object("k", in: "b1", locator: "one")
            _ = try await catalogue.putObject(record)
            let deleted = try await catalogue.deleteObject(bucket: "b1", key: "k")
            #expect(deleted?.0 == record)
            #expect(deleted?.1 == [GarbageBlob(location: "local", locator: "one")])
            #expect(try await catalogue.deleteObject(bucket: "b1", key: "k") == nil)
        case .anObjectInAMissingBucketIsRefused:
            await #expect { _ = try await catalogue.putObject(Self.object("k", in: "nope")) } throws: {
                ($0 as? CatalogueError)?.code == .noSuchBucket
            }
        case .copiesAreSwappedOnlyIfTheObjectIsUnchanged:
            try await catalogue.createBucket(Self.bucket("b1"))
            var record = Self.object("k", in: "b1", locator: "first")
            record.replicas = [Replica(location: "remote", locators: [], state: .missing)]
            _ = try await catalogue.putObject(record)
            let stored = try #require(try await catalogue.object(bucket: "b1", key: "k"))
            var repaired = stored
            repaired.replicas = [Replica(location: "remote", locators: ["made"], state: .ok)]
            try await catalogue.addPendingBlob(GarbageBlob(location: "remote", locator: "made"))
            #expect(try await catalogue.updateCopies(of: stored, to: repaired) == [])
            #expect(try await catalogue.object(bucket: "b1", key: "k") == repaired)
            #expect(try await catalogue.isReferenced(location: "remote", locator: "made"))
            // Based on a stale read: refused, nothing changes.
            var stale = stored
            stale.replicas = [Replica(location: "remote", locators: ["late"], state: .ok)]
            #expect(try await catalogue.updateCopies(of: stored, to: stale) == nil)
            #expect(try await catalogue.object(bucket: "b1", key: "k") == repaired)
            // A damaged copy is dropped: its blob becomes garbage.
            var dropped = repaired
            dropped.replicas = [Replica(location: "remote", locators: [], state: .missing)]
            #expect(try await catalogue.updateCopies(of: repaired, to: dropped) == [GarbageBlob(location: "remote", locator: "made")])
        case .theRepairBacklogCountsObjectsWithACopyToMake:
            try await catalogue.createBucket(Self.bucket("b1"))
            for (key, state) in [("a", Replica.State.ok), ("b", .missing), ("c", .corrupt), ("d", .missing)] {
                var record = Self.object(key, in: "b1")
                record.replicas = [Replica(location: "remote", locators: state == .missing ? [] : [key + "-copy"], state: state)]
                _ = try await catalogue.putObject(record)
            }
            _ = try await catalogue.putObject(Self.object("single", in: "b1"))
            #expect(try await catalogue.repairBacklog() == 3)
            #expect(try await catalogue.objectsNeedingRepair(after: nil, limit: 10).map(\.key) == ["b", "c", "d"])
            #expect(try await catalogue.objectsNeedingRepair(after: ("b1", "b"), limit: 1).map(\.key) == ["c"])
            _ = try await catalogue.deleteObject(bucket: "b1", key: "b")
            #expect(try await catalogue.repairBacklog() == 2)
        case .multipartUploadsCompleteOrAbortOnce:
            try await catalogue.createBucket(Self.bucket("b1"))
            let upload = UploadRecord(uploadID: "u1", bucket: "b1", key: "big", initiated: Self.date, owner: "alice",
                                      metadata: ObjectMetadata(), checksumAlgorithm: .crc32, location: "local")
            try await catalogue.createUpload(upload)
            #expect(try await catalogue.upload(id: "u1") == upload)
            for number in 1...3 { _ = try await catalogue.putPart(Self.part(number, locator: "p\(number)")) }
            #expect(try await catalogue.putPart(Self.part(2, locator: "p2b")) == [GarbageBlob(location: "local", locator: "p2")])
            #expect(try await catalogue.parts(uploadID: "u1", after: 1, limit: 10).map(\.segment.locator) == ["p2b", "p3"])
            #expect(try await catalogue.uploads(bucket: "b1", prefix: "", keyMarker: nil, uploadIDMarker: nil, limit: 10) == [upload])
            var object = Self.object("big", in: "b1")
            object.segments = [BlobSegment(locator: "p1", size: 3), BlobSegment(locator: "p3", size: 3)]
            #expect(try await catalogue.completeUpload(id: "u1", object: object) == [GarbageBlob(location: "local", locator: "p2b")])
            #expect(try await catalogue.object(bucket: "b1", key: "big") == object)
            #expect(try await catalogue.upload(id: "u1") == nil)
            await #expect { _ = try await catalogue.completeUpload(id: "u1", object: object) } throws: {
                ($0 as? CatalogueError)?.code == .noSuchUpload
            }
            try await catalogue.createUpload(UploadRecord(uploadID: "u2", bucket: "b1", key: "other", initiated: Self.date, owner: "alice",
                                                          metadata: ObjectMetadata(), checksumAlgorithm: nil, location: "local"))
            _ = try await catalogue.putPart(PartRecord(uploadID: "u2", partNumber: 1, size: 3, etag: "e", lastModified: Self.date,
                                                       location: "local", segment: BlobSegment(locator: "q1", size: 3), checksums: [:]))
            #expect(try await catalogue.abortUpload(id: "u2") == [GarbageBlob(location: "local", locator: "q1")])
            await #expect { _ = try await catalogue.abortUpload(id: "u2") } throws: { ($0 as? CatalogueError)?.code == .noSuchUpload }
            await #expect { _ = try await catalogue.putPart(Self.part(4, locator: "late")) } throws: {
                ($0 as? CatalogueError)?.code == .noSuchUpload
            }
        case .usersAreFoundByKeyAndNameAndRemovedWithTheirGrants:
            let alice = User(id: "id-alice", name: "alice", accessKeyID: "AKALICE", storedSecret: "alice-secret", role: .user)
            try await catalogue.addUser(alice)
            await #expect(throws: CatalogueError.self) {
                try await catalogue.addUser(User(id: "id-bob", name: "bob", accessKeyID: "AKALICE", storedSecret: "other", role: .user))
            }
            #expect(try await catalogue.user(accessKeyID: "AKALICE") == alice)
            #expect(try await catalogue.user(named: "alice") == alice)
            #expect(try await catalogue.user(id: "id-alice") == alice)
            #expect(try await catalogue.users().map(\.name) == ["alice"])
            try await catalogue.setGrant(Grant(bucket: "b1", userID: "id-alice", permission: .read))
            #expect(try await catalogue.removeUser(named: "alice"))
            #expect(!(try await catalogue.removeUser(named: "alice")))
            #expect(try await catalogue.user(accessKeyID: "AKALICE") == nil)
            #expect(try await catalogue.grants(userID: "id-alice").isEmpty)
        case .grantsAreSetReplacedAndRemoved:
            try await catalogue.addUser(User(id: "id-alice", name: "alice", accessKeyID: "AKALICE", storedSecret: "s", role: .user))
            try await catalogue.setGrant(Grant(bucket: "b1", userID: "id-alice", permission: .read))
            #expect(try await catalogue.grant(bucket: "b1", userID: "id-alice") == .read)
            try await catalogue.setGrant(Grant(bucket: "b1", userID: "id-alice", permission: .readWrite))
            #expect(try await catalogue.grant(bucket: "b1", userID: "id-alice") == .readWrite)
            #expect(try await catalogue.grants(bucket: "b1") == [Grant(bucket: "b1", userID: "id-alice", permission: .readWrite)])
            #expect(try await catalogue.grants(userID: "id-alice").map(\.bucket) == ["b1"])
            #expect(try await catalogue.removeGrant(bucket: "b1", userID: "id-alice"))
            #expect(!(try await catalogue.removeGrant(bucket: "b1", userID: "id-alice")))
            #expect(try await catalogue.grant(bucket: "b1", userID: "id-alice") == nil)
        case .versionedWritesKeepEveryVersionAndTheCurrentOneIsListed, .nullVersionsAreReplacedAndDeleteMarkersHideTheKey,
             .deletingAVersionPromotesTheNextNewest, .versionListingsPageByKeyAndVersion,
             .lockedVersionsAreRefusedInTheTransactionThatWouldRemoveThem, .theRetentionClockNeverGoesBack:
            try await checkVersions(on: catalogue)
        case .garbageIsListedUntilForgotten:
            try await catalogue.createBucket(Self.bucket("b1"))
            _ = try await catalogue.putObject(Self.object("k", in: "b1", locator: "one"))
            _ = try await catalogue.deleteObject(bucket: "b1", key: "k")
            #expect(try await catalogue.garbage(limit: 10) == [GarbageBlob(location: "local", locator: "one")])
            // Garbage is due once it was dropped at least the age asked for ago.
            #expect(try await catalogue.garbage(olderThan: .seconds(3600), limit: 10).isEmpty)
            try await Task.sleep(for: .milliseconds(60))
            #expect(try await catalogue.garbage(olderThan: .milliseconds(20), limit: 10) == [GarbageBlob(location: "local", locator: "one")])
            #expect(try await catalogue.isReferenced(location: "local", locator: "one"))
            try await catalogue.forgetGarbage([GarbageBlob(location: "local", locator: "one")])
            #expect(try await catalogue.garbage(limit: 10).isEmpty)
            #expect(!(try await catalogue.isReferenced(location: "local", locator: "one")))
        case .namedKeysAreCreatedOnceByAliasAndShreddedForGood, .namedKeyVersionsRetireOnlyOnceNoBlobUsesThem,
             .namedKeyGrantsAndBucketEncryptionRoundTrip:
            try await checkNamedKeys(on: catalogue)
        case .bucketAccessDocumentsAreSetReplacedAndDeletedWithTheirBucket, .anObjectACLIsKeptInItsVersionsMetadata:
            try await checkBucketAccess(on: catalogue)
        case .changesAreFedInCommitOrderNamingWhatChanged, .leasesHaveOneHolderUntilTheyExpire:
            try await checkCoordination(on: catalogue)
        case .rolesAreAddedOnceListedByNameAndRemoved:
            try await checkRoles(on: catalogue)
        }
    }

    // MARK: - Records

    static let date = Date(timeIntervalSince1970: 1_700_000_000)

    static func bucket(_ name: String, classification: String? = nil) -> BucketRecord {
        BucketRecord(name: name, owner: "alice", createdAt: date, region: "eu-west-3", classification: classification)
    }

    static func object(_ key: String, in bucket: String, locator: String? = nil) -> ObjectRecord {
        ObjectRecord(
            bucket: bucket, key: key, size: 3, etag: "0123456789abcdef0123456789abcdef", lastModified: date,
            metadata: ObjectMetadata(contentType: "text/plain", user: ["k": "v"]), checksums: [.crc32: "AAAAAA=="],
            location: "local", segments: [BlobSegment(locator: locator ?? "blob-" + key, size: 3)], partCount: nil)
    }

    static func part(_ number: Int, locator: String) -> PartRecord {
        PartRecord(uploadID: "u1", partNumber: number, size: 3, etag: "e\(number)", lastModified: date, location: "local",
                   segment: BlobSegment(locator: locator, size: 3), checksums: [:])
    }
}
