import Foundation
import SouverainCatalogue
import SouverainModel
import Testing

extension CatalogueContract {
    static let lifecycle = LifecycleConfiguration(rules: [
        LifecycleRule(
            id: "logs", isEnabled: true, filter: LifecycleFilter(form: .and, prefix: "logs/", tags: [.init(key: "t", value: "v")]),
            expiration: LifecycleExpiration(days: 30), noncurrentVersionExpiration: NoncurrentVersionExpiration(noncurrentDays: 5, newerNoncurrentVersions: 2)),
        LifecycleRule(id: "uploads", isEnabled: false, filter: LifecycleFilter(form: .legacyPrefix, prefix: ""),
                      expiration: LifecycleExpiration(date: Date(timeIntervalSince1970: 1_767_225_600)),
                      abortIncompleteMultipartUploadDays: 7),
    ])

    /// The lifecycle promises: configurations stored whole, replaced, removed (with their bucket
    /// too), listed by bucket; an object deleted by lifecycle only if it is still the one read.
    func checkLifecycle(on catalogue: any Catalogue) async throws {
        switch self {
        case .lifecycleConfigurationsAreStoredReplacedAndRemovedWithTheirBucket:
            try await catalogue.createBucket(Self.bucket("b1"))
            try await catalogue.createBucket(Self.bucket("b2"))
            #expect(try await catalogue.lifecycleConfiguration(bucket: "b1") == nil)
            #expect(try await catalogue.bucketsWithLifecycleConfiguration().isEmpty)
            try await catalogue.setLifecycleConfiguration(bucket: "b1", Self.lifecycle)
            #expect(try await catalogue.lifecycleConfiguration(bucket: "b1") == Self.lifecycle)
            let replacement = LifecycleConfiguration(rules: [LifecycleRule(id: "one", isEnabled: true, expiration: LifecycleExpiration(days: 1))])
            try await catalogue.setLifecycleConfiguration(bucket: "b1", replacement)
            try await catalogue.setLifecycleConfiguration(bucket: "b2", Self.lifecycle)
            #expect(try await catalogue.lifecycleConfiguration(bucket: "b1") == replacement)
            #expect(try await catalogue.bucketsWithLifecycleConfiguration() == ["b1", "b2"])
            try await catalogue.setLifecycleConfiguration(bucket: "b2", nil)
            #expect(try await catalogue.lifecycleConfiguration(bucket: "b2") == nil)
            try await catalogue.setLifecycleConfiguration(bucket: "b2", nil)
            await #expect { try await catalogue.setLifecycleConfiguration(bucket: "absent", replacement) } throws: {
                ($0 as? CatalogueError)?.code == .noSuchBucket
            }
            try await catalogue.deleteBucket(named: "b1")
            #expect(try await catalogue.bucketsWithLifecycleConfiguration().isEmpty)
            try await catalogue.createBucket(Self.bucket("b1"))
            #expect(try await catalogue.lifecycleConfiguration(bucket: "b1") == nil)
        case .aConditionalDeleteRemovesOnlyTheObjectRead:
            try await catalogue.createBucket(Self.bucket("b1"))
            let read = Self.object("k", in: "b1", locator: "one")
            _ = try await catalogue.putObject(read)
            // Overwritten since it was read: the new object stays.
            var newer = Self.object("k", in: "b1", locator: "two")
            newer.etag = "fedcba9876543210fedcba9876543210"
            newer.lastModified = Self.date.addingTimeInterval(60)
            _ = try await catalogue.putObject(newer)
            #expect(try await catalogue.deleteObject(ifUnchanged: read) == nil)
            #expect(try await catalogue.object(bucket: "b1", key: "k") == newer)
            // Unchanged: removed, its blob garbage.
            let garbage = try #require(try await catalogue.deleteObject(ifUnchanged: newer))
            #expect(garbage.map(\.locator) == ["two"])
            #expect(try await catalogue.object(bucket: "b1", key: "k") == nil)
            #expect(try await catalogue.garbage(limit: 10).contains { $0.locator == "two" })
            #expect(try await catalogue.deleteObject(ifUnchanged: newer) == nil)
        default:
            Issue.record("\(self) is not a lifecycle promise")
        }
    }
}
