import Foundation
import SouverainCatalogue
import SouverainModel
import Testing
@testable import SouverainCatalogueSQLite

/// Conditional writes and object tags in the SQLite catalogue: the condition is checked in the
/// transaction that makes the object current, so concurrent writers cannot both pass it.
@Suite final class ConditionalWriteTests: Sendable {
    let directory: String
    let catalogue: SQLiteCatalogue

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    init() throws {
        directory = NSTemporaryDirectory() + "souverain-conditional-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
    }

    private func object(_ key: String, etag: String, locator: String = UUID().uuidString, versionID: String? = nil) -> ObjectRecord {
        var record = ObjectRecord(
            bucket: "b1", key: key, size: 3, etag: etag, lastModified: Date(timeIntervalSince1970: 1_700_000_000),
            metadata: ObjectMetadata(), checksums: [:], location: "local", segments: [BlobSegment(locator: locator, size: 3)],
            partCount: nil)
        record.versionID = versionID
        return record
    }

    private func createBucket(versioning: VersioningState? = nil) async throws {
        try await catalogue.createBucket(BucketRecord(name: "b1", owner: "admin", createdAt: Date(), region: "us-east-1", versioning: versioning))
    }

    @Test func ifNoneMatchRefusesAKeyThatHasACurrentObject() async throws {
        try await createBucket()
        let absent = WriteCondition(requiresNoCurrentObject: true)
        _ = try await catalogue.putObject(object("k", etag: "one", locator: "first"), condition: absent)
        let error = await #expect(throws: CatalogueError.self) {
            _ = try await self.catalogue.putObject(self.object("k", etag: "two", locator: "second"), condition: absent)
        }
        #expect(error?.code == .preconditionFailed)
        // Nothing of the refused write is recorded: the first object stays, the second blob is unknown.
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.etag == "one")
        #expect(try await catalogue.isReferenced(location: "local", locator: "second") == false)
        #expect(try await catalogue.isReferenced(location: "local", locator: "first"))
    }

    @Test func concurrentIfNoneMatchWritesHaveExactlyOneWinner() async throws {
        try await createBucket()
        let absent = WriteCondition(requiresNoCurrentObject: true)
        let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
            for index in 0..<16 {
                let record = object("race", etag: "etag-\(index)", locator: "blob-\(index)")
                group.addTask {
                    do {
                        _ = try await self.catalogue.putObject(record, condition: absent)
                        return (record.etag, true)
                    } catch {
                        return (record.etag, false)
                    }
                }
            }
            var all: [(String, Bool)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let winners = outcomes.filter(\.1).map(\.0)
        #expect(winners.count == 1)
        #expect(try await catalogue.object(bucket: "b1", key: "race")?.etag == winners.first)
        #expect(try await catalogue.blobCount(location: "local") == 1)
    }

    @Test func ifMatchNeedsTheCurrentETag() async throws {
        try await createBucket()
        let missing = await #expect(throws: CatalogueError.self) {
            _ = try await self.catalogue.putObject(self.object("k", etag: "one"), condition: WriteCondition(matchingETags: ["one"]))
        }
        #expect(missing?.code == .noCurrentObject)
        _ = try await catalogue.putObject(object("k", etag: "one"))
        let stale = await #expect(throws: CatalogueError.self) {
            _ = try await self.catalogue.putObject(self.object("k", etag: "two"), condition: WriteCondition(matchingETags: ["other"]))
        }
        #expect(stale?.code == .preconditionFailed)
        _ = try await catalogue.putObject(object("k", etag: "two"), condition: WriteCondition(matchingETags: ["nope", "one"]))
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.etag == "two")
    }

    @Test func aDeleteMarkerIsNoCurrentObject() async throws {
        try await createBucket(versioning: .enabled)
        _ = try await catalogue.putObject(object("k", etag: "one", versionID: "v1"))
        _ = try await catalogue.addDeleteMarker(bucket: "b1", key: "k", versionID: "v2", at: Date(), check: { _ in })
        let error = await #expect(throws: CatalogueError.self) {
            _ = try await self.catalogue.putObject(self.object("k", etag: "two", versionID: "v3"), condition: WriteCondition(matchingETags: ["one"]))
        }
        #expect(error?.code == .noCurrentObject)
        _ = try await catalogue.putObject(object("k", etag: "two", versionID: "v3"), condition: WriteCondition(requiresNoCurrentObject: true))
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.versionID == "v3")
    }

    @Test func aRefusedCompletionLeavesTheUploadAndItsParts() async throws {
        try await createBucket()
        _ = try await catalogue.putObject(object("k", etag: "one"))
        let upload = UploadRecord(uploadID: "u1", bucket: "b1", key: "k", initiated: Date(), owner: "admin", metadata: ObjectMetadata(),
                                  checksumAlgorithm: nil, location: "local")
        try await catalogue.createUpload(upload)
        _ = try await catalogue.putPart(PartRecord(uploadID: "u1", partNumber: 1, size: 3, etag: "p1", lastModified: Date(), location: "local",
                                                   segment: BlobSegment(locator: "part-1", size: 3), checksums: [:]))
        let error = await #expect(throws: CatalogueError.self) {
            _ = try await self.catalogue.completeUpload(id: "u1", object: self.object("k", etag: "p-1", locator: "part-1"),
                                                        condition: WriteCondition(requiresNoCurrentObject: true))
        }
        #expect(error?.code == .preconditionFailed)
        #expect(try await catalogue.upload(id: "u1") != nil)
        #expect(try await catalogue.parts(uploadID: "u1", after: 0, limit: 10).count == 1)
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.etag == "one")
    }

    @Test func tagsBelongToTheirVersion() async throws {
        try await createBucket(versioning: .enabled)
        var first = object("k", etag: "one", versionID: "v1")
        first.tags = ["project": "alpha"]
        _ = try await catalogue.putObject(first)
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.tags == ["project": "alpha"])
        // A newer version: the older one keeps its tags as a noncurrent version.
        _ = try await catalogue.putObject(object("k", etag: "two", versionID: "v2"))
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.tags == [:])
        #expect(try await catalogue.version(bucket: "b1", key: "k", versionID: "v1")?.object?.tags == ["project": "alpha"])
        // Tags of a noncurrent version change alone.
        let updated = try await catalogue.updateTags(bucket: "b1", key: "k", versionID: "v1", tags: ["project": "beta", "x": ""])
        #expect(updated?.tags == ["project": "beta", "x": ""])
        #expect(try await catalogue.version(bucket: "b1", key: "k", versionID: "v1")?.object?.tags == ["project": "beta", "x": ""])
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.tags == [:])
        // Deleting the current version makes v1 current again, with its tags.
        _ = try await catalogue.deleteVersion(bucket: "b1", key: "k", versionID: "v2", check: { _ in })
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.tags == ["project": "beta", "x": ""])
        // Removing them, and a version that does not exist, and a delete marker.
        #expect(try await catalogue.updateTags(bucket: "b1", key: "k", versionID: "v1", tags: [:])?.tags == [:])
        #expect(try await catalogue.object(bucket: "b1", key: "k")?.tags == [:])
        #expect(try await catalogue.updateTags(bucket: "b1", key: "k", versionID: "nope", tags: ["a": "b"]) == nil)
        _ = try await catalogue.addDeleteMarker(bucket: "b1", key: "k", versionID: "v3", at: Date(), check: { _ in })
        let marker = await #expect(throws: CatalogueError.self) {
            _ = try await self.catalogue.updateTags(bucket: "b1", key: "k", versionID: "v3", tags: ["a": "b"])
        }
        #expect(marker?.code == .isDeleteMarker)
    }
}
