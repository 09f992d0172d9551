import Foundation
import SouverainCatalogue
import SouverainModel
import Testing

extension CatalogueContract {
    /// Bucket access documents (policy, public access block, ownership controls, CORS, ACL): one
    /// per kind, replaced, removed, gone with their bucket; an object's ACL kept in its version.
    func checkBucketAccess(on catalogue: any Catalogue) async throws {
        switch self {
        case .bucketAccessDocumentsAreSetReplacedAndDeletedWithTheirBucket:
            try await catalogue.createBucket(Self.bucket("b1"))
            #expect(try await catalogue.bucketAccessDocuments(bucket: "b1").isEmpty)
            try await catalogue.setBucketAccessDocument(bucket: "b1", kind: .policy, "{}")
            try await catalogue.setBucketAccessDocument(bucket: "b1", kind: .cors, "[]")
            try await catalogue.setBucketAccessDocument(bucket: "b1", kind: .policy, "{\"Statement\": []}")
            #expect(try await catalogue.bucketAccessDocuments(bucket: "b1") == [.policy: "{\"Statement\": []}", .cors: "[]"])
            try await catalogue.setBucketAccessDocument(bucket: "b1", kind: .cors, nil)
            #expect(try await catalogue.bucketAccessDocuments(bucket: "b1") == [.policy: "{\"Statement\": []}"])
            // A bucket deleted and created again under the same name starts with nothing.
            try await catalogue.deleteBucket(named: "b1")
            try await catalogue.createBucket(Self.bucket("b1"))
            #expect(try await catalogue.bucketAccessDocuments(bucket: "b1").isEmpty)
            await #expect { try await catalogue.setBucketAccessDocument(bucket: "absent", kind: .policy, "{}") } throws: {
                ($0 as? CatalogueError)?.code == .noSuchBucket
            }
        case .anObjectACLIsKeptInItsVersionsMetadata:
            try await catalogue.createBucket(Self.bucket("b1"))
            var record = Self.object("k", in: "b1")
            record.metadata.acl = "all-read"
            _ = try await catalogue.putObject(record)
            #expect(try await catalogue.object(bucket: "b1", key: "k")?.metadata.acl == "all-read")
            #expect(try await catalogue.setObjectACL(bucket: "b1", key: "k", versionID: nil, acl: nil)?.metadata.acl == nil)
            #expect(try await catalogue.object(bucket: "b1", key: "k")?.metadata.acl == nil)
            #expect(try await catalogue.setObjectACL(bucket: "b1", key: "absent", versionID: nil, acl: "all-read") == nil)
        default:
            Issue.record("\(self) is not a bucket access promise")
        }
    }
}
