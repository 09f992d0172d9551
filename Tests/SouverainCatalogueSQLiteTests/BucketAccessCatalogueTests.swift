import Foundation
import SouverainCatalogue
import SouverainModel
import Testing
@testable import SouverainCatalogueSQLite

/// Bucket access documents (migration "bucket-policies") and object ACLs in the SQLite catalogue.
@Suite final class BucketAccessCatalogueTests: Sendable {
    let directory: String
    let catalogue: SQLiteCatalogue

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() throws {
        directory = NSTemporaryDirectory() + "souverain-access-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
    }

    private func createBucket(_ name: String = "b1") async throws {
        try await catalogue.createBucket(BucketRecord(name: name, owner: "admin", createdAt: Date(), region: "us-east-1"))
    }

    @Test func documentsAreSetReplacedRemovedAndDeletedWithTheBucket() async throws {
        try await createBucket()
        #expect(try await catalogue.bucketAccessDocuments(bucket: "b1").isEmpty)
        try await catalogue.setBucketAccessDocument(bucket: "b1", kind: .policy, "{}")
        try await catalogue.setBucketAccessDocument(bucket: "b1", kind: .cors, "[]")
        try await catalogue.setBucketAccessDocument(bucket: "b1", kind: .policy, "{\"Statement\": []}")
        #expect(try await catalogue.bucketAccessDocuments(bucket: "b1") == [.policy: "{\"Statement\": []}", .cors: "[]"])
        try await catalogue.setBucketAccessDocument(bucket: "b1", kind: .cors, nil)
        #expect(try await catalogue.bucketAccessDocuments(bucket: "b1") == [.policy: "{\"Statement\": []}"])
        // A bucket deleted and created again under the same name starts with nothing.
        try await catalogue.deleteBucket(named: "b1")
        try await createBucket()
        #expect(try await catalogue.bucketAccessDocuments(bucket: "b1").isEmpty)
        let error = await #expect(throws: CatalogueError.self) {
            try await self.catalogue.setBucketAccessDocument(bucket: "absent", kind: .policy, "{}")
        }
        #expect(error?.code == .noSuchBucket)
    }

    @Test func anObjectACLIsKeptInItsVersionsMetadata() async throws {
        try await createBucket()
        var metadata = ObjectMetadata()
        metadata.acl = "all-read"
        let record = ObjectRecord(
            bucket: "b1", key: "k", size: 1, etag: "e", lastModified: Date(timeIntervalSince1970: 1_700_000_000), metadata: metadata,
            checksums: [:], location: "local", segments: [BlobSegment(locator: "blob", size: 1)], partCount: nil)
        _ = try await catalogue.putObject(record)
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.metadata.acl == "all-read")
        #expect(try await catalogue.setObjectACL(bucket: "b1", key: "k", versionID: nil, acl: nil)?.metadata.acl == nil)
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.metadata.acl == nil)
        #expect(try await catalogue.setObjectACL(bucket: "b1", key: "absent", versionID: nil, acl: "all-read") == nil)
    }
}
