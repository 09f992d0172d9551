import Foundation
import GRDB
import SouverainCatalogue
import SouverainModel
import Testing
@testable import SouverainCatalogueSQLite

@Suite final class SQLiteCatalogueTests: Sendable {
    let directory: String
    let catalogue: SQLiteCatalogue

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() throws {
        directory = NSTemporaryDirectory() + "souverain-catalogue-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
    }

    private func object(_ key: String, bucket: String = "b1", locator: String? = nil) -> ObjectRecord {
        ObjectRecord(
            bucket: bucket, key: key, size: 3, etag: "e", lastModified: Date(timeIntervalSince1970: 1_700_000_000),
            metadata: ObjectMetadata(contentType: "text/plain", user: ["k": "v"]), checksums: [.crc32: "AAAAAA=="],
            location: "local", segments: [BlobSegment(locator: locator ?? UUID().uuidString, size: 3)], partCount: nil)
    }

    @Test func eachObjectReadsBackItsOwnMetadataWhileDecodedDocumentsAreReused() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        // More distinct documents than are kept decoded, each read twice, and one shared by all
        // the even keys: every read answers the document its object was written with.
        let count = 700
        for index in 0..<count {
            var record = object("k\(index)")
            record.metadata = index % 2 == 0
                ? ObjectMetadata(contentType: "application/octet-stream", user: [:])
                : ObjectMetadata(contentType: "text/x-\(index)", user: ["n": "\(index)"])
            record.checksums = index % 3 == 0 ? [:] : [.crc32: "AAAA\(index)=="]
            _ = try await catalogue.putObject(record)
        }
        for _ in 0..<2 {
            for index in 0..<count {
                let read = try #require(try await catalogue.object(bucket: "b1", key: "k\(index)"))
                #expect(read.metadata.contentType == (index % 2 == 0 ? "application/octet-stream" : "text/x-\(index)"))
                #expect(read.metadata.user == (index % 2 == 0 ? [:] : ["n": "\(index)"]))
                #expect(read.checksums == (index % 3 == 0 ? [:] : [.crc32: "AAAA\(index)=="]))
            }
        }
    }

    @Test func objectsListInByteOrderOfKeys() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        for key in ["b", "a/2", "é", "Z", "a/1", "a0", "~"] { _ = try await catalogue.putObject(object(key)) }
        let all = try await catalogue.listObjects(bucket: "b1", prefix: "", after: nil, limit: 100).map(\.key)
        #expect(all == ["Z", "a/1", "a/2", "a0", "b", "~", "é"])
        let underA = try await catalogue.listObjects(bucket: "b1", prefix: "a/", after: nil, limit: 100).map(\.key)
        #expect(underA == ["a/1", "a/2"])
        // Summaries list the same keys in the same order, with what a listing shows.
        let summaries = try await catalogue.listSummaries(bucket: "b1", prefix: "", after: .key("a/2"), limit: 3)
        #expect(summaries.map(\.key) == ["a0", "b", "~"])
        #expect(summaries.allSatisfy { $0.size == 3 && $0.etag == "e" && $0.lastModified == Date(timeIntervalSince1970: 1_700_000_000) })
        #expect(try await catalogue.listSummaries(bucket: "b1", prefix: "", after: .pastPrefix("a"), limit: 10).map(\.key) == ["b", "~", "é"])
        let pastA = try await catalogue.listObjects(bucket: "b1", prefix: "", after: .pastPrefix("a/"), limit: 100).map(\.key)
        #expect(pastA == ["a0", "b", "~", "é"])
        let afterKey = try await catalogue.listObjects(bucket: "b1", prefix: "", after: .key("b"), limit: 1).map(\.key)
        #expect(afterKey == ["~"])
    }

    @Test func aPageUnderAPrefixStartsAtTheLaterOfThePrefixAndThePosition() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        for key in ["a", "p/1", "p/2", "p/3", "p/3/x", "p0", "q"] { _ = try await catalogue.putObject(object(key)) }
        func page(_ prefix: String, _ position: ListPosition?) async throws -> [String] {
            try await catalogue.listSummaries(bucket: "b1", prefix: prefix, after: position, limit: 100).map(\.key)
        }
        // A position before the prefix: the page starts at the prefix.
        #expect(try await page("p/", .key("a")) == ["p/1", "p/2", "p/3", "p/3/x"])
        #expect(try await page("p/", .pastPrefix("a")) == ["p/1", "p/2", "p/3", "p/3/x"])
        // Equal to the prefix: a key equal to it is excluded by `.key`, not by the prefix bound.
        #expect(try await page("p/", .key("p/")) == ["p/1", "p/2", "p/3", "p/3/x"])
        #expect(try await page("p/3", .key("p/3")) == ["p/3/x"])
        // Inside the prefix, and past a common prefix inside it.
        #expect(try await page("p/", .key("p/2")) == ["p/3", "p/3/x"])
        #expect(try await page("p/", .pastPrefix("p/3/")) == [])
        #expect(try await page("", .pastPrefix("p/")) == ["p0", "q"])
        // After the prefix's range: nothing.
        #expect(try await page("p/", .key("q")) == [])
        // The query has a single lower bound on the key, which SQLite seeks to.
        let (sql, _) = try #require(SQLiteCatalogue.listing("key", bucket: "b1", prefix: "p/", after: .key("p/2"), limit: 10))
        #expect(sql.components(separatedBy: "key >").count == 2)
    }

    @Test func recordsRoundTrip() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        let written = object("k")
        _ = try await catalogue.putObject(written)
        #expect(try await catalogue.object(bucket: "b1", key: "k") == written)
    }

    @Test func overwriteAndDeleteTurnBlobsIntoGarbage() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        _ = try await catalogue.putObject(object("k", locator: "one"))
        #expect(try await catalogue.isReferenced(location: "local", locator: "one"))
        let replaced = try await catalogue.putObject(object("k", locator: "two"))
        #expect(replaced == [GarbageBlob(location: "local", locator: "one")])
        let deleted = try await catalogue.deleteObject(bucket: "b1", key: "k")
        #expect(deleted?.1 == [GarbageBlob(location: "local", locator: "two")])
        #expect(Set(try await catalogue.garbage(limit: 10)) == [GarbageBlob(location: "local", locator: "one"), GarbageBlob(location: "local", locator: "two")])
        try await catalogue.forgetGarbage([GarbageBlob(location: "local", locator: "one")])
        #expect(!(try await catalogue.isReferenced(location: "local", locator: "one")))
        #expect(try await catalogue.isReferenced(location: "local", locator: "two"))
    }

    @Test func bucketDeletionRequiresEmptiness() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        await #expect(throws: CatalogueError.self) {
            try await catalogue.createBucket(BucketRecord(name: "b1", owner: "x", createdAt: Date(), region: "us-east-1"))
        }
        _ = try await catalogue.putObject(object("k"))
        do {
            try await catalogue.deleteBucket(named: "b1")
            Issue.record("deleted a bucket that holds an object")
        } catch {
            #expect((error as? CatalogueError)?.code == .bucketNotEmpty)
        }
        _ = try await catalogue.deleteObject(bucket: "b1", key: "k")
        try await catalogue.deleteBucket(named: "b1")
        #expect(try await catalogue.bucket(named: "b1") == nil)
    }

    /// How each blob is encrypted is kept with it, for objects and for uploaded parts.
    @Test func blobsKeepTheirEncryption() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        let encryption = BlobEncryption(
            bucketKeyVersion: 2, wrappedDataKey: "d3JhcHBlZA==", identity: String(repeating: "ab", count: 16), chunkSize: 65_536,
            storedSize: 75)
        _ = try await catalogue.addBucketKey(BucketKeyRecord(bucket: "b1", version: 2, wrappedKey: "w", state: .active, created: Date()))
        var record = object("k")
        record.segments = [BlobSegment(locator: "enc", size: 3, encryption: encryption)]
        _ = try await catalogue.putObject(record)
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.segments.first?.encryption == encryption)
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.segments.first?.storedSize == 75)
        try await catalogue.createUpload(UploadRecord(uploadID: "u1", bucket: "b1", key: "big", initiated: Date(), owner: "admin",
                                                      metadata: ObjectMetadata(), checksumAlgorithm: nil, location: "local"))
        _ = try await catalogue.putPart(PartRecord(
            uploadID: "u1", partNumber: 1, size: 3, etag: "p", lastModified: Date(), location: "local",
            segment: BlobSegment(locator: "part", size: 3, encryption: encryption), checksums: [:]))
        #expect(try await catalogue.parts(uploadID: "u1", after: 0, limit: 10).first?.segment.encryption == encryption)
    }

    /// A bucket's key versions: the first writer of a version wins, and they go with the bucket.
    @Test func bucketKeysAreAddedOnceAndGoWithTheBucket() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        let first = BucketKeyRecord(bucket: "b1", version: 1, wrappedKey: "one", state: .active, created: Date(timeIntervalSince1970: 1))
        #expect(try await catalogue.addBucketKey(first))
        var other = first
        other.wrappedKey = "other"
        #expect(!(try await catalogue.addBucketKey(other)))
        #expect(try await catalogue.bucketKeys(bucket: "b1") == [first])
        await #expect(throws: CatalogueError.self) {
            _ = try await catalogue.addBucketKey(BucketKeyRecord(bucket: "nope", version: 1, wrappedKey: "x", state: .active, created: Date()))
        }
        try await catalogue.deleteBucket(named: "b1")
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        #expect(try await catalogue.bucketKeys(bucket: "b1").isEmpty)
    }

    /// A write that took a key version before it was retired cannot record its blob after: the
    /// object would be unreadable. Retirement and the write each run in one transaction.
    @Test func blobsUnderARetiredKeyVersionAreRefused() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        for version in 1...2 {
            _ = try await catalogue.addBucketKey(BucketKeyRecord(bucket: "b1", version: version, wrappedKey: "w\(version)", state: .active, created: Date()))
        }
        #expect(try await catalogue.retireBucketKey(bucket: "b1", version: 1))
        func encrypted(_ version: Int, customerKeyMD5: String? = nil) -> BlobSegment {
            BlobSegment(locator: UUID().uuidString, size: 3, encryption: BlobEncryption(
                bucketKeyVersion: version, wrappedDataKey: "d3JhcHBlZA==", identity: String(repeating: "ab", count: 16),
                chunkSize: 65_536, storedSize: 75, customerKeyMD5: customerKeyMD5))
        }
        var late = object("late")
        late.segments = [encrypted(1)]
        let refused = await #expect(throws: CatalogueError.self) { _ = try await catalogue.putObject(late) }
        #expect(refused?.code == .keyRetired)
        #expect(try await catalogue.object(bucket: "b1", key: "late") == nil)
        try await catalogue.createUpload(UploadRecord(uploadID: "u1", bucket: "b1", key: "big", initiated: Date(), owner: "admin",
                                                      metadata: ObjectMetadata(), checksumAlgorithm: nil, location: "local"))
        let part = PartRecord(uploadID: "u1", partNumber: 1, size: 3, etag: "p", lastModified: Date(), location: "local",
                              segment: encrypted(1), checksums: [:])
        await #expect(throws: CatalogueError.self) { _ = try await catalogue.putPart(part) }
        // The current version, and SSE-C blobs (whose data key the customer's key wraps), pass.
        late.segments = [encrypted(2), encrypted(1, customerKeyMD5: "bWQ1")]
        _ = try await catalogue.putObject(late)
        #expect(try await catalogue.object(bucket: "b1", key: "late") == late)
    }

    @Test func completingAnUploadSwapsPartsForTheObject() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        let upload = UploadRecord(uploadID: "u1", bucket: "b1", key: "big", initiated: Date(), owner: "admin",
                                  metadata: ObjectMetadata(), checksumAlgorithm: nil, location: "remote")
        try await catalogue.createUpload(upload)
        for number in 1...3 {
            _ = try await catalogue.putPart(PartRecord(
                uploadID: "u1", partNumber: number, size: 5, etag: "p\(number)", lastModified: Date(), location: "local",
                segment: BlobSegment(locator: "part\(number)", size: 5), checksums: [:]))
        }
        #expect(try await catalogue.parts(uploadID: "u1", after: 1, limit: 10).map(\.partNumber) == [2, 3])
        var record = object("big")
        record.segments = [BlobSegment(locator: "part1", size: 5), BlobSegment(locator: "part3", size: 5)]
        let garbage = try await catalogue.completeUpload(id: "u1", object: record)
        #expect(garbage == [GarbageBlob(location: "local", locator: "part2")])
        #expect(try await catalogue.upload(id: "u1") == nil)
        #expect(try await catalogue.isReferenced(location: "local", locator: "part3"))
        do {
            _ = try await catalogue.abortUpload(id: "u1")
            Issue.record("aborted a completed upload")
        } catch {
            #expect((error as? CatalogueError)?.code == .noSuchUpload)
        }
    }

    private func user(_ name: String, _ key: String, role: Role = .user) -> User {
        User(id: User.makeID(), name: name, accessKeyID: key, storedSecret: "sealed-elsewhere", role: role)
    }

    @Test func usersAndGrants() async throws {
        let alice = user("alice", "AK1")
        try await catalogue.addUser(alice)
        await #expect(throws: CatalogueError.self) { try await self.catalogue.addUser(self.user("bob", "AK1")) }
        await #expect(throws: CatalogueError.self) {
            try await self.catalogue.addUser(User(id: alice.id, name: "carol", accessKeyID: "AK3", storedSecret: "s", role: .user))
        }
        #expect(try await catalogue.user(accessKeyID: "AK1")?.name == "alice")
        #expect(try await catalogue.user(id: alice.id)?.name == "alice")
        try await catalogue.setGrant(Grant(bucket: "b1", userID: alice.id, permission: .read))
        #expect(try await catalogue.grant(bucket: "b1", userID: alice.id) == .read)
        try await catalogue.setGrant(Grant(bucket: "b1", userID: alice.id, permission: .readWrite))
        #expect(try await catalogue.grant(bucket: "b1", userID: alice.id) == .readWrite)
        #expect(try await catalogue.grants(userID: alice.id).map(\.bucket) == ["b1"])
        try await catalogue.setStoredSecret(userID: alice.id, "resealed")
        #expect(try await catalogue.user(id: alice.id)?.storedSecret == "resealed")
        #expect(try await catalogue.removeUser(named: "alice"))
        #expect(try await catalogue.grant(bucket: "b1", userID: alice.id) == nil)
        #expect(try await catalogue.user(accessKeyID: "AK1") == nil)
        #expect(try await !catalogue.removeUser(named: "alice"))
    }

    @Test func aUserWhoOwnsBucketsIsRemovedOnlyOnceTheyAreReassigned() async throws {
        let eve = user("eve", "AKE")
        let heir = user("heir", "AKH")
        try await catalogue.addUser(eve)
        try await catalogue.addUser(heir)
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: eve.id, createdAt: Date(), region: "us-east-1"))
        try await catalogue.createBucket(BucketRecord(name: "b2", owner: eve.id, createdAt: Date(), region: "us-east-1"))
        try await catalogue.setGrant(Grant(bucket: "b1", userID: heir.id, permission: .read))
        await #expect {
            _ = try await self.catalogue.removeUser(named: "eve")
        } throws: { error in
            guard let error = error as? CatalogueError else { return false }
            return error.code == .userOwnsBuckets && error.message.contains("b1, b2")
        }
        #expect(try await catalogue.user(named: "eve") != nil)
        #expect(try await catalogue.reassignBuckets(from: eve.id, to: heir.id) == ["b1", "b2"])
        // The new owner needs no grant on what it owns.
        #expect(try await catalogue.grant(bucket: "b1", userID: heir.id) == nil)
        #expect(try await catalogue.removeUser(named: "eve"))
        #expect(try await catalogue.buckets().map(\.owner) == [heir.id, heir.id])
        // One bucket at a time, too (an orphaned one, for instance).
        let other = user("other", "AKO")
        try await catalogue.addUser(other)
        #expect(try await catalogue.reassignBucket(named: "b2", to: other.id))
        #expect(try await !catalogue.reassignBucket(named: "none", to: other.id))
        #expect(try await catalogue.bucket(named: "b2")?.owner == other.id)
    }

    /// A catalogue written before user ids (schema v4, owners and grants by name) is migrated: each
    /// name maps to the id of the user existing now; a row whose user is gone is orphaned.
    @Test func migrationToUserIDsMapsNamesAndOrphansTheGone() async throws {
        let path = directory + "/old.sqlite"
        let queue = try DatabaseQueue(path: path)
        try SQLiteCatalogue.migrator.migrate(queue, upTo: "v4")
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO users (name, access_key, secret, role) VALUES ('eve', 'AKEVE', 'clear-eve', 'user'), ('ann', 'AKANN', 'clear-ann', 'admin');
                INSERT INTO buckets (name, owner, created, region) VALUES ('eves', 'eve', 0, 'us-east-1'), ('ghosts', 'ghost', 0, 'us-east-1');
                INSERT INTO grants (bucket, user_name, permission) VALUES ('ghosts', 'eve', 'read'), ('eves', 'ghost', 'read');
                INSERT INTO uploads (upload_id, bucket, key, initiated, owner, metadata, checksum_algorithm, location)
                    VALUES ('u1', 'eves', X'6B', 0, 'eve', '{"user":{}}', NULL, 'local'), ('u2', 'ghosts', X'6B', 0, 'ghost', '{"user":{}}', NULL, 'local');
                """)
        }
        try queue.close()

        let migrated = try SQLiteCatalogue(path: path)
        let eve = try #require(try await migrated.user(named: "eve"))
        let ann = try #require(try await migrated.user(named: "ann"))
        #expect(eve.id.count == 24 && eve.id.allSatisfy(\.isHexDigit) && eve.id != ann.id)
        #expect(eve.accessKeyID == "AKEVE" && eve.storedSecret == "clear-eve" && ann.role == .admin)
        #expect(try await migrated.bucket(named: "eves")?.owner == eve.id)
        #expect(try await migrated.bucket(named: "ghosts")?.owner == User.orphanedOwner(formerName: "ghost"))
        #expect(try await migrated.grants(userID: eve.id).map(\.bucket) == ["ghosts"])
        #expect(try await migrated.grants(bucket: "eves").isEmpty)
        #expect(try await migrated.upload(id: "u1")?.owner == eve.id)
        #expect(try await migrated.upload(id: "u2")?.owner == User.orphanedOwner(formerName: "ghost"))

        // A namesake of the gone user gets a fresh id, which owns nothing of the orphaned rows.
        let ghost = user("ghost", "AKGHOST")
        try await migrated.addUser(ghost)
        #expect(try await migrated.buckets().filter { $0.owner == ghost.id }.isEmpty)
    }

    @Test func dataSurvivesReopening() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "eu-west-3"))
        _ = try await catalogue.putObject(object("k"))
        let reopened = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
        #expect(try await reopened.object(bucket: "b1", key: "k") != nil)
        #expect(try await reopened.bucket(named: "b1")?.region == "eu-west-3")
    }

    @Test func uploadsKeepTheirLocation() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        try await catalogue.createUpload(UploadRecord(uploadID: "u9", bucket: "b1", key: "k", initiated: Date(), owner: "admin",
                                                      metadata: ObjectMetadata(), checksumAlgorithm: nil, location: "fr-hds"))
        #expect(try await catalogue.upload(id: "u9")?.location == "fr-hds")
    }

    @Test func bucketsCarryAChangeableClassification() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1",
                                                      classification: "health"))
        try await catalogue.createBucket(BucketRecord(name: "b2", owner: "admin", createdAt: Date(), region: "us-east-1"))
        #expect(try await catalogue.bucket(named: "b1")?.classification == "health")
        #expect(try await catalogue.bucket(named: "b2")?.classification == nil)
        try await catalogue.setClassification(bucket: "b2", classification: "sensitive")
        #expect(try await catalogue.bucket(named: "b2")?.classification == "sensitive")
        try await catalogue.setClassification(bucket: "b1", classification: nil)
        #expect(try await catalogue.bucket(named: "b1")?.classification == nil)
        await #expect { try await catalogue.setClassification(bucket: "nope", classification: "public") } throws: {
            ($0 as? CatalogueError)?.code == .noSuchBucket
        }
    }

    @Test func relocationSwapsBlobsOnlyIfTheObjectIsUnchanged() async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        let original = object("k", locator: "old")
        _ = try await catalogue.putObject(original)
        let stored = try #require(try await catalogue.object(bucket: "b1", key: "k"))
        let copy = GarbageBlob(location: "remote", locator: "new")
        try await catalogue.addPendingBlob(copy)
        #expect(try await catalogue.isReferenced(location: "remote", locator: "new"))

        let garbage = try await catalogue.relocateObject(stored, to: "remote", segments: [BlobSegment(locator: "new", size: 3)])
        #expect(garbage == [GarbageBlob(location: "local", locator: "old")])
        let moved = try #require(try await catalogue.object(bucket: "b1", key: "k"))
        #expect(moved.location == "remote" && moved.segments.map(\.locator) == ["new"] && moved.etag == stored.etag)
        #expect(try await catalogue.garbage(limit: 10) == [GarbageBlob(location: "local", locator: "old")])
        #expect(try await catalogue.abandonPendingBlobs().isEmpty)

        // The object changed since the copy began: the copy is dropped, the object untouched.
        try await catalogue.addPendingBlob(GarbageBlob(location: "other", locator: "late"))
        let stale = try await catalogue.relocateObject(stored, to: "other", segments: [BlobSegment(locator: "late", size: 3)])
        #expect(stale == nil)
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.location == "remote")
        #expect(try await catalogue.garbage(limit: 10).contains(GarbageBlob(location: "other", locator: "late")))
    }

    @Test func anInterruptedRelocationHandsItsCopiesToGarbage() async throws {
        try await catalogue.addPendingBlob(GarbageBlob(location: "remote", locator: "half"))
        #expect(try await catalogue.abandonPendingBlobs() == [GarbageBlob(location: "remote", locator: "half")])
        #expect(try await catalogue.garbage(limit: 10) == [GarbageBlob(location: "remote", locator: "half")])
    }
}
