import Dispatch
import Foundation
import GRDB
import SouverainCatalogue
import SouverainModel
import Testing
@testable import SouverainCatalogueSQLite

/// Point reads on the calling thread (LookupConnections.swift): they see every committed change,
/// never wait for a connection, and many at once beside writes and scans all finish.
@Suite final class LookupConnectionsTests: Sendable {
    let directory = NSTemporaryDirectory() + "souverain-lookups-" + UUID().uuidString
    var path: String { directory + "/db.sqlite" }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    @Test func aLookupSeesWhatWasCommittedSinceTheLastOne() throws {
        let pool = try DatabasePool(path: path)
        try pool.write { try $0.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)") }
        let lookups = try LookupConnections(path: path, count: 1, configuration: Configuration())
        let read = { try lookups.read { try String.fetchOne($0, sql: "SELECT v FROM t WHERE k = 1") } }
        #expect(try read() == .some(nil))
        try pool.write { try $0.execute(sql: "INSERT INTO t VALUES (1, 'first')") }
        #expect(try read() == "first")
        try pool.write { try $0.execute(sql: "UPDATE t SET v = 'second' WHERE k = 1") }
        #expect(try read() == "second")
        // Read-only: a lookup cannot change the catalogue.
        #expect(throws: (any Error).self) { try lookups.read { try $0.execute(sql: "DELETE FROM t") } }
        #expect(try read() == "second")
    }

    /// With every connection in use, a lookup answers nil at once (its caller then reads the
    /// asynchronous way) instead of waiting: waiting is what deadlocked GRDB's synchronous reads
    /// once every cooperative thread waited for a reader that a suspended task held.
    @Test func aLookupWithEveryConnectionBusyGivesWayInsteadOfWaiting() throws {
        let pool = try DatabasePool(path: path)
        try pool.write { try $0.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY)") }
        let lookups = try LookupConnections(path: path, count: 1, configuration: Configuration())
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? lookups.read { _ in
                holding.signal()
                release.wait()
            }
            done.signal()
        }
        holding.wait()
        #expect(try lookups.read { _ in 1 } == nil)
        release.signal()
        done.wait()
        #expect(try lookups.read { _ in 1 } == 1)
    }

    /// Far more concurrent point reads than connections or threads, beside writes and listings
    /// (asynchronous reads), all finish with the right answers.
    @Test(.timeLimit(.minutes(1)))
    func manyLookupsBesideWritesAndScansAllFinish() async throws {
        let catalogue = try SQLiteCatalogue(path: path)
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1"))
        func object(_ key: String) -> ObjectRecord {
            ObjectRecord(
                bucket: "b1", key: key, size: 1, etag: key, lastModified: Date(), metadata: ObjectMetadata(contentType: "text/plain"),
                checksums: [:], location: "local", segments: [BlobSegment(locator: UUID().uuidString, size: 1)], partCount: nil)
        }
        for k in 0..<20 { _ = try await catalogue.putObject(object("k\(k)")) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for i in 0..<400 {
                tasks.addTask {
                    switch i % 4 {
                    case 0: _ = try await catalogue.putObject(object("w\(i)"))
                    case 1: #expect(try await catalogue.listObjects(bucket: "b1", prefix: "k", after: nil, limit: 100).count == 20)
                    default:
                        let key = "k\(i % 20)"
                        #expect(try await catalogue.object(bucket: "b1", key: key)?.etag == key)
                        #expect(try await catalogue.bucket(named: "b1")?.owner == "admin")
                    }
                }
            }
            try await tasks.waitForAll()
        }
        #expect(try await catalogue.object(bucket: "b1", key: "w0")?.etag == "w0")
    }
}
