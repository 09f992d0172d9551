import Foundation
import GRDB
import SouverainCatalogue
import SouverainModel
import Synchronization
import Testing
@testable import SouverainCatalogueSQLite

/// Users and buckets kept in memory by the server's catalogue (LookupCache.swift): kept between
/// commits, never used after one, whether this process committed it or another announced it
/// (CommitSignal.swift); a read that a commit overtook is not kept; a lost watch keeps nothing.
@Suite final class LookupCacheTests: Sendable {
    let directory = NSTemporaryDirectory() + "souverain-lookup-cache-" + UUID().uuidString
    var path: String { directory + "/catalogue.sqlite" }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func user(_ name: String, _ key: String) -> User {
        User(id: User.makeID(), name: name, accessKeyID: key, storedSecret: "sealed-elsewhere", role: .user)
    }

    /// What a CLI command does while the server runs: another catalogue on the same file removes
    /// the user, changes the bucket; the server's next look-ups see it, kept or not.
    @Test func changesMadeByAnotherCatalogueOnTheFileAreSeenAtTheNextLookup() async throws {
        let server = try SQLiteCatalogue(path: path, keepingLookups: true)
        let command = try SQLiteCatalogue(path: path)
        try await command.addUser(user("alice", "AKALICE"))
        try await command.createBucket(BucketRecord(name: "b1", owner: "alice", createdAt: Date(), region: "us-east-1"))
        for _ in 0..<3 {
            #expect(try await server.user(accessKeyID: "AKALICE")?.name == "alice")
            #expect(try await server.bucket(named: "b1")?.versioning == nil)
        }
        try await command.setVersioning(bucket: "b1", .enabled)
        #expect(try await server.bucket(named: "b1")?.versioning == .enabled)
        #expect(try await command.removeUser(named: "alice"))
        #expect(try await server.user(accessKeyID: "AKALICE") == nil)
    }

    @Test func changesTheServerMakesItselfAreSeenAtTheNextLookup() async throws {
        let server = try SQLiteCatalogue(path: path, keepingLookups: true)
        try await server.addUser(user("bob", "AKBOB"))
        try await server.createBucket(BucketRecord(name: "b2", owner: "bob", createdAt: Date(), region: "us-east-1"))
        #expect(try await server.user(accessKeyID: "AKBOB")?.name == "bob")
        #expect(try await server.bucket(named: "b2")?.versioning == nil)
        try await server.setVersioning(bucket: "b2", .suspended)
        #expect(try await server.bucket(named: "b2")?.versioning == .suspended)
        try await server.deleteBucket(named: "b2")
        #expect(try await server.bucket(named: "b2") == nil)
        #expect(try await server.removeUser(named: "bob"))
        #expect(try await server.user(accessKeyID: "AKBOB") == nil)
    }

    /// A bucket's default encryption, set, changed or removed by the server or by another
    /// catalogue on the file (a CLI), shows at the next PUT's lookup, kept or not: most buckets
    /// have none, and that answer is kept too.
    @Test func bucketEncryptionChangesAreSeenAtTheNextLookup() async throws {
        let server = try SQLiteCatalogue(path: path, keepingLookups: true, lookupLifetime: .seconds(3600))
        let command = try SQLiteCatalogue(path: path)
        try await server.createBucket(BucketRecord(name: "b5", owner: "x", createdAt: Date(), region: "us-east-1"))
        for _ in 0..<3 { #expect(try await server.bucketEncryption(bucket: "b5") == nil) }
        try await server.setBucketEncryption(BucketEncryptionRecord(bucket: "b5", algorithm: .kms, keyID: "k1", bucketKeyEnabled: false))
        #expect(try await server.bucketEncryption(bucket: "b5")?.keyID == "k1")
        try await command.setBucketEncryption(BucketEncryptionRecord(bucket: "b5", algorithm: .kms, keyID: "k2", bucketKeyEnabled: true))
        #expect(try await server.bucketEncryption(bucket: "b5")?.keyID == "k2")
        try await command.deleteBucketEncryption(bucket: "b5")
        #expect(try await server.bucketEncryption(bucket: "b5") == nil)
        try await server.setBucketEncryption(BucketEncryptionRecord(bucket: "b5", algorithm: .aes256, keyID: nil, bucketKeyEnabled: false))
        #expect(try await server.bucketEncryption(bucket: "b5")?.algorithm == .aes256)
        try await server.deleteBucketEncryption(bucket: "b5")
        #expect(try await server.bucketEncryption(bucket: "b5") == nil)
    }

    @Test func aBucketWithoutEncryptionIsReadOnceUntilACommit() async throws {
        let (cache, signal) = try makeCache()
        let reads = Atomic(0)
        let read = { @Sendable () async throws -> BucketEncryptionRecord? in
            reads.add(1, ordering: .relaxed)
            return nil
        }
        for _ in 0..<4 { #expect(try await cache.bucketEncryption(bucket: "b6", read: read) == nil) }
        #expect(reads.load(ordering: .relaxed) == 1)
        signal.announce()
        #expect(try await cache.bucketEncryption(bucket: "b6", read: read) == nil)
        #expect(reads.load(ordering: .relaxed) == 2)
    }

    /// Only a transaction that wrote `users` or `buckets` ends what is kept: the server's object
    /// records and grants do not. Seen through a row changed behind the catalogue's back (a
    /// connection of its own, which announces nothing): it shows only once something is read again.
    @Test func onlyTransactionsThatWriteUsersOrBucketsEndWhatIsKept() async throws {
        // A lifetime far longer than the test: what shows is the generations, not the clock.
        let server = try SQLiteCatalogue(path: path, keepingLookups: true, lookupLifetime: .seconds(3600))
        try await server.addUser(user("frank", "AKFRANK"))
        try await server.createBucket(BucketRecord(name: "b4", owner: "frank", createdAt: Date(), region: "us-east-1"))
        #expect(try await server.user(accessKeyID: "AKFRANK")?.name == "frank")
        let behind = try DatabaseQueue(path: path)
        try await behind.write { try $0.execute(sql: "UPDATE users SET name = 'renamed' WHERE access_key = 'AKFRANK'") }
        try await server.setGrant(Grant(bucket: "b4", userID: "someone", permission: .read))
        #expect(try await server.user(accessKeyID: "AKFRANK")?.name == "frank")
        try await server.addUser(user("grace", "AKGRACE"))
        #expect(try await server.user(accessKeyID: "AKFRANK")?.name == "renamed")
    }

    @Test func whatIsKeptIsServedWithoutReadingAgainUntilACommit() async throws {
        let (cache, signal) = try makeCache()
        let reads = Atomic(0)
        let read = { @Sendable () async throws -> User? in
            reads.add(1, ordering: .relaxed)
            return self.user("carol", "AKCAROL")
        }
        for _ in 0..<5 { _ = try await cache.user(accessKeyID: "AKCAROL", read: read) }
        #expect(reads.load(ordering: .relaxed) == 1)
        cache.committed()
        _ = try await cache.user(accessKeyID: "AKCAROL", read: read)
        #expect(reads.load(ordering: .relaxed) == 2)
        signal.announce()
        _ = try await cache.user(accessKeyID: "AKCAROL", read: read)
        _ = try await cache.user(accessKeyID: "AKCAROL", read: read)
        #expect(reads.load(ordering: .relaxed) == 3)
        // Names that do not exist are read every time, never kept.
        for _ in 0..<2 { #expect(try await cache.bucket(named: "none") { reads.add(1, ordering: .relaxed); return nil } == nil) }
        #expect(reads.load(ordering: .relaxed) == 5)
    }

    /// A read that started before a commit may have seen the state before it: what it read is
    /// returned to its caller but not kept, whichever process committed.
    @Test func aReadOvertakenByACommitIsNotKept() async throws {
        let (cache, signal) = try makeCache()
        let reads = Atomic(0)
        let commits: [(String, @Sendable () -> Void)] = [("AKDAVE1", { @Sendable in cache.committed() }), ("AKDAVE2", { @Sendable in signal.announce() })]
        for (key, commit) in commits {
            let before = reads.load(ordering: .relaxed)
            let overtaken = try await cache.user(accessKeyID: key) {
                reads.add(1, ordering: .relaxed)
                commit()
                return self.user("dave", "AKDAVE")
            }
            #expect(overtaken?.name == "dave")
            _ = try await cache.user(accessKeyID: key) {
                reads.add(1, ordering: .relaxed)
                return self.user("dave", "AKDAVE")
            }
            #expect(reads.load(ordering: .relaxed) == before + 2)
        }
    }

    /// The signal file removed: commits can no longer be heard, so nothing is kept from then on.
    @Test func aLostWatchKeepsNothing() async throws {
        let (cache, _) = try makeCache()
        let reads = Atomic(0)
        let read = { @Sendable () async throws -> User? in
            reads.add(1, ordering: .relaxed)
            return self.user("erin", "AKERIN")
        }
        _ = try await cache.user(accessKeyID: "AKERIN", read: read)
        _ = try await cache.user(accessKeyID: "AKERIN", read: read)
        #expect(reads.load(ordering: .relaxed) == 1)
        try FileManager.default.removeItem(atPath: CommitSignal.path(ofCatalogue: path))
        for _ in 0..<3 { _ = try await cache.user(accessKeyID: "AKERIN", read: read) }
        #expect(reads.load(ordering: .relaxed) == 4)
        // Even with the file back.
        _ = CommitAnnouncer(catalogue: path)
        for _ in 0..<2 { _ = try await cache.user(accessKeyID: "AKERIN", read: read) }
        #expect(reads.load(ordering: .relaxed) == 6)
    }

    @Test func nothingIsKeptLongerThanItsLifetime() async throws {
        let (cache, _) = try makeCache(lifetime: .milliseconds(200))
        let reads = Atomic(0)
        let read = { @Sendable () async throws -> BucketRecord? in
            reads.add(1, ordering: .relaxed)
            return BucketRecord(name: "b3", owner: "x", createdAt: Date(), region: "us-east-1")
        }
        _ = try await cache.bucket(named: "b3", read: read)
        #expect(reads.load(ordering: .relaxed) == 1)
        try await Task.sleep(for: .milliseconds(300))
        _ = try await cache.bucket(named: "b3", read: read)
        #expect(reads.load(ordering: .relaxed) == 2)
    }

    /// A cache watching the signal file of `path`, and an announcer on it (another process's).
    /// (A lifetime far longer than the test unless one is given.)
    func makeCache(lifetime: Duration = .seconds(3600)) throws -> (LookupCache, CommitAnnouncer) {
        let watch = try #require(CommitWatch(catalogue: path))
        return (LookupCache(watch: watch, lifetime: lifetime), CommitAnnouncer(catalogue: path))
    }
}
