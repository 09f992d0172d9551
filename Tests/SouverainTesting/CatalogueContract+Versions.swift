import Foundation
import SouverainCatalogue
import SouverainModel
import Testing

/// The promises of versions, delete markers, the current-version index and Object Lock.
extension CatalogueContract {
    func checkVersions(on catalogue: any Catalogue) async throws {
        try await catalogue.createBucket(Self.bucket("v"))
        switch self {
        case .versionedWritesKeepEveryVersionAndTheCurrentOneIsListed:
            #expect(try await catalogue.putObject(Self.version("k", "v1", locator: "one")).isEmpty)
            #expect(try await catalogue.putObject(Self.version("k", "v2", locator: "two")).isEmpty)
            #expect(try await catalogue.object(bucket: "v", key: "k")?.versionID == "v2")
            #expect(try await catalogue.version(bucket: "v", key: "k", versionID: "v1")?.object?.segments.first?.locator == "one")
            #expect(try await catalogue.version(bucket: "v", key: "k", versionID: "v1")?.isLatest == false)
            // The listing of current objects shows the key once, the newest version.
            let listed = try await catalogue.listObjects(bucket: "v", prefix: "", after: nil, limit: 10)
            #expect(listed.map(\.versionID) == ["v2"])
            #expect(try await catalogue.listSummaries(bucket: "v", prefix: "", after: nil, limit: 10).count == 1)
            // Noncurrent blobs stay referenced; the bucket is not empty while a version remains.
            #expect(try await catalogue.isReferenced(location: "local", locator: "one"))
            #expect(try await catalogue.garbage(limit: 10).isEmpty)
            let noncurrent = try await catalogue.noncurrentVersions(after: nil, limit: 10)
            #expect(noncurrent.map(\.record.versionID) == ["v1"])
            _ = try await catalogue.addDeleteMarker(bucket: "v", key: "k", versionID: "m", at: Self.date) { _ in }
            #expect(try await catalogue.listObjects(bucket: "v", prefix: "", after: nil, limit: 10).isEmpty)
            await #expect { try await catalogue.deleteBucket(named: "v") } throws: { ($0 as? CatalogueError)?.code == .bucketNotEmpty }
            // A key whose versions are all noncurrent (no current object) gets its next version
            // numbered after them: it is the newest, listed first.
            #expect(try await catalogue.putObject(Self.version("k", "v3", locator: "three")).isEmpty)
            let versions = try await catalogue.listVersions(bucket: "v", prefix: "", after: nil, limit: 10)
            #expect(versions.map(\.wireVersionID) == ["v3", "m", "v2", "v1"])
            #expect(versions.map(\.isLatest) == [true, false, false, false])
            // A completed multipart upload makes room as a PUT does: over a key with a current
            // version, that one becomes noncurrent; over a key whose only version is a delete
            // marker, the new version is numbered after it; over a new key, it is the first.
            #expect(try await Self.complete(Self.version("k", "v4", locator: "four"), upload: "uk", on: catalogue).isEmpty)
            #expect(try await catalogue.listVersions(bucket: "v", prefix: "k", after: nil, limit: 10).map(\.wireVersionID)
                        == ["v4", "v3", "m", "v2", "v1"])
            _ = try await catalogue.addDeleteMarker(bucket: "v", key: "marked", versionID: "m0", at: Self.date) { _ in }
            #expect(try await Self.complete(Self.version("marked", "a1", locator: "a1"), upload: "um", on: catalogue).isEmpty)
            let marked = try await catalogue.listVersions(bucket: "v", prefix: "marked", after: nil, limit: 10)
            #expect(marked.map(\.wireVersionID) == ["a1", "m0"])
            #expect(marked.map(\.isLatest) == [true, false])
            #expect(try await Self.complete(Self.version("new", "n1", locator: "n1"), upload: "un", on: catalogue).isEmpty)
            #expect(try await catalogue.latestVersion(bucket: "v", key: "new")?.versionID == "n1")
        case .nullVersionsAreReplacedAndDeleteMarkersHideTheKey:
            _ = try await catalogue.putObject(Self.version("k", nil, locator: "null-1"))
            #expect(try await catalogue.putObject(Self.version("k", nil, locator: "null-2")).map(\.locator) == ["null-1"])
            _ = try await catalogue.putObject(Self.version("k", "v1", locator: "one"))
            // A null write replaces the noncurrent null version and keeps v1 as noncurrent.
            #expect(try await catalogue.putObject(Self.version("k", nil, locator: "null-3")).map(\.locator) == ["null-2"])
            #expect(try await catalogue.object(bucket: "v", key: "k")?.segments.first?.locator == "null-3")
            // A marker hides the key from current listings and reads, and is the latest version.
            #expect(try await catalogue.addDeleteMarker(bucket: "v", key: "k", versionID: "m1", at: Self.date) { _ in }.isEmpty)
            #expect(try await catalogue.object(bucket: "v", key: "k") == nil)
            #expect(try await catalogue.listSummaries(bucket: "v", prefix: "", after: nil, limit: 10).isEmpty)
            let latest = try await catalogue.latestVersion(bucket: "v", key: "k")
            #expect(latest?.isDeleteMarker == true && latest?.versionID == "m1" && latest?.isLatest == true)
            // A null marker replaces the null version, whose blob becomes garbage.
            #expect(try await catalogue.addDeleteMarker(bucket: "v", key: "k", versionID: nil, at: Self.date) { _ in }
                .map(\.locator) == ["null-3"])
            let versions = try await catalogue.listVersions(bucket: "v", prefix: "", after: nil, limit: 10)
            #expect(versions.map(\.wireVersionID) == ["null", "m1", "v1"])
            #expect(versions.map(\.isDeleteMarker) == [true, true, false])
            #expect(versions.map(\.isLatest) == [true, false, false])
        case .deletingAVersionPromotesTheNextNewest:
            _ = try await catalogue.putObject(Self.version("k", "v1", locator: "one"))
            _ = try await catalogue.putObject(Self.version("k", "v2", locator: "two"))
            _ = try await catalogue.addDeleteMarker(bucket: "v", key: "k", versionID: "m1", at: Self.date) { _ in }
            let marker = try await catalogue.deleteVersion(bucket: "v", key: "k", versionID: "m1") { _ in }
            #expect(marker?.entry.isDeleteMarker == true && marker?.garbage.isEmpty == true)
            #expect(try await catalogue.object(bucket: "v", key: "k")?.versionID == "v2")
            let removed = try await catalogue.deleteVersion(bucket: "v", key: "k", versionID: "v2") { _ in }
            #expect(removed?.garbage.map(\.locator) == ["two"])
            #expect(try await catalogue.object(bucket: "v", key: "k")?.versionID == "v1")
            #expect(try await catalogue.deleteVersion(bucket: "v", key: "k", versionID: "gone") { _ in } == nil)
            _ = try await catalogue.deleteVersion(bucket: "v", key: "k", versionID: "v1") { _ in }
            #expect(try await catalogue.latestVersion(bucket: "v", key: "k") == nil)
            try await catalogue.deleteBucket(named: "v")
        case .versionListingsPageByKeyAndVersion:
            for key in ["a", "b", "c"] {
                for n in 1...3 { _ = try await catalogue.putObject(Self.version(key, "\(key)\(n)", locator: "\(key)-\(n)")) }
            }
            let first = try await catalogue.listVersions(bucket: "v", prefix: "", after: nil, limit: 4)
            #expect(first.map(\.wireVersionID) == ["a3", "a2", "a1", "b3"])
            #expect(first.map(\.isLatest) == [true, false, false, true])
            let second = try await catalogue.listVersions(
                bucket: "v", prefix: "", after: VersionListPosition(key: "b", versionID: "b3"), limit: 3)
            #expect(second.map(\.wireVersionID) == ["b2", "b1", "c3"])
            let pastKey = try await catalogue.listVersions(bucket: "v", prefix: "", after: VersionListPosition(key: "b", versionID: nil), limit: 10)
            #expect(pastKey.map(\.wireVersionID) == ["c3", "c2", "c1"])
            #expect(try await catalogue.listVersions(bucket: "v", prefix: "c", after: nil, limit: 10).count == 3)
        case .lockedVersionsAreRefusedInTheTransactionThatWouldRemoveThem:
            var locked = Self.version("k", "v1", locator: "one")
            locked.retention = ObjectRetention(mode: .compliance, retainUntil: Self.date.addingTimeInterval(3600))
            _ = try await catalogue.putObject(locked)
            let refuse: @Sendable (ObjectVersionEntry) throws -> Void = { entry in
                if entry.object?.isLocked(at: Self.date) == true { throw CatalogueError(.versionLocked, "locked") }
            }
            await #expect { try await catalogue.deleteVersion(bucket: "v", key: "k", versionID: "v1", check: refuse) } throws: {
                ($0 as? CatalogueError)?.code == .versionLocked
            }
            #expect(try await catalogue.object(bucket: "v", key: "k")?.retention == locked.retention)
            #expect(try await catalogue.lockedVersions(bucket: "v", at: Self.date, limit: 10).map(\.wireVersionID) == ["v1"])
            #expect(try await catalogue.lockedVersions(bucket: "v", at: Self.date.addingTimeInterval(7200), limit: 10).isEmpty)
            let held = try await catalogue.updateLock(bucket: "v", key: "k", versionID: "v1") { ($0.retention, true) }
            #expect(held?.legalHold == true)
            #expect(try await catalogue.version(bucket: "v", key: "k", versionID: "v1")?.object?.legalHold == true)
            // A locked null version is never replaced by a write.
            var null = Self.version("n", nil, locator: "null")
            null.legalHold = true
            _ = try await catalogue.putObject(null)
            await #expect { try await catalogue.putObject(Self.version("n", nil, locator: "null-2")) } throws: {
                ($0 as? CatalogueError)?.code == .versionLocked
            }
            #expect(try await catalogue.object(bucket: "v", key: "n")?.segments.first?.locator == "null")
            try await catalogue.setObjectLock(bucket: "v", ObjectLockConfiguration(defaultRetention: .init(mode: .governance, days: 3)))
            let bucket = try await catalogue.bucket(named: "v")
            #expect(bucket?.versioning == .enabled && bucket?.objectLock?.defaultRetention?.days == 3)
        case .theRetentionClockNeverGoesBack:
            #expect(try await catalogue.retentionClock(now: Self.date) == Self.date)
            #expect(try await catalogue.retentionClock(now: Self.date.addingTimeInterval(-86_400)) == Self.date)
            #expect(try await catalogue.retentionClock(now: Self.date.addingTimeInterval(60)) == Self.date.addingTimeInterval(60))
            try await catalogue.setVersioning(bucket: "v", .suspended)
            #expect(try await catalogue.bucket(named: "v")?.versioning == .suspended)
        default:
            Issue.record("\(self) is not a versions promise")
        }
    }

    /// Writes `object` by completing a multipart upload of it (with no parts: the catalogue does
    /// not need them).
    static func complete(_ object: ObjectRecord, upload id: String, on catalogue: any Catalogue) async throws -> [GarbageBlob] {
        try await catalogue.createUpload(UploadRecord(uploadID: id, bucket: object.bucket, key: object.key, initiated: date,
                                                      owner: "alice", metadata: ObjectMetadata(), checksumAlgorithm: nil,
                                                      location: "local"))
        return try await catalogue.completeUpload(id: id, object: object)
    }

    static func version(_ key: String, _ versionID: String?, locator: String) -> ObjectRecord {
        var record = object(key, in: "v", locator: locator)
        record.versionID = versionID
        return record
    }
}
