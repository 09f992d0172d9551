import Foundation
import SouverainS3Client
import SouverainS3

/// The export of a versioned bucket (docs/export-format.md, "Versions"): every version and delete
/// marker that ListObjectVersions gives, each version's bytes fetched by `GET ?versionId=` with its
/// Object Lock state (the `x-amz-object-lock-*` headers of that GET), and the bucket's versioning
/// status and Object Lock configuration, in a manifest of format version 2.
///
/// Resumes as the unversioned export does, version by version: a version whose journal entry has
/// the same path, ETag and size, with its file intact, is not fetched again (a version's bytes never
/// change), but its lock state, which may have been extended or lifted since, is read again.
extension ExportWriter {
    /// The source bucket's versioning status; nil for a bucket never versioned, or a server that
    /// has no versioning (501).
    func versioningStatus() async throws -> String? {
        do {
            return try await client.getBucketVersioning(bucket)
        } catch let error as S3ClientError where error.status == 501 {
            return nil
        }
    }

    /// One version or delete marker, as listed, with its place in the listing and its file.
    struct PlannedVersion: Sendable {
        var index: Int
        var listed: ListVersionsPage.Entry
        /// Empty for a delete marker.
        var path: String
    }

    /// A version's identity in the tables of an earlier run.
    static func versionKey(_ key: String, _ versionID: String?) -> ExactKey {
        ExactKey(key + "\u{0}" + (versionID ?? ""))
    }

    func runVersioned(versioning: String, classification: String?) async throws -> ExportSummary {
        let objectLock = try await client.getObjectLockConfiguration(bucket).map {
            ExportManifest.ObjectLock(defaultRetention: $0.defaultRetention)
        }
        var previous: [ExactKey: ExportManifest.Entry] = [:]
        for entry in try prepareDirectory() { previous[Self.versionKey(entry.key, entry.versionId)] = entry }
        let plan = Self.planVersions(try await listAllVersions())
        try removeStaleFiles(previous: previous, planned: plan.filter { !$0.listed.isDeleteMarker }.map(\.path))
        let journal = try ExportJournal(path: directory.journalPath, bucket: bucket)
        let versions = plan.filter { !$0.listed.isDeleteMarker }
        progress.expect(objects: versions.count, bytes: versions.reduce(0) { $0 + $1.listed.size })

        var summary = ExportSummary()
        var entries: [(index: Int, entry: ExportManifest.Entry)] = plan.filter(\.listed.isDeleteMarker).map { item in
            (item.index, ExportManifest.Entry.deleteMarker(
                key: item.listed.key, versionId: item.listed.versionID, isLatest: item.listed.isLatest,
                lastModified: S3Date.iso8601(item.listed.lastModified)))
        }
        let locked = objectLock != nil
        try await withThrowingTaskGroup(of: (Int, ObjectOutcome).self) { group in
            var inFlight = 0
            func collect(_ index: Int, _ outcome: ObjectOutcome) {
                switch outcome {
                case .unchanged(let entry):
                    summary.unchanged += 1
                    entries.append((index, entry))
                case .written(let entry):
                    summary.written += 1
                    summary.bytesWritten += entry.size
                    entries.append((index, entry))
                case .vanished(let key):
                    summary.vanished.append(key)
                case .failed(let failure):
                    summary.failures.append(failure)
                }
            }
            for item in versions {
                if inFlight >= max(1, options.concurrency), let (index, outcome) = try await group.next() {
                    collect(index, outcome)
                    inFlight -= 1
                }
                let prior = previous[Self.versionKey(item.listed.key, item.listed.versionID)]
                group.addTask { (item.index, try await self.exportVersion(item, previous: prior, locked: locked, journal: journal)) }
                inFlight += 1
            }
            for try await (index, outcome) in group { collect(index, outcome) }
        }
        try journal.sync()

        try await exportAudit(into: &summary)
        guard summary.failures.isEmpty else { return summary }

        // Key byte order, each key's versions in the listing's order (newest first).
        entries.sort { lhs, rhs in
            let left = Array(lhs.entry.key.utf8), right = Array(rhs.entry.key.utf8)
            return left == right ? lhs.index < rhs.index : left.lexicographicallyPrecedes(right)
        }
        var manifest = ExportManifest(
            bucket: bucket, classification: classification, exportedAt: S3Date.iso8601(Date()),
            source: .init(endpoint: client.configuration.endpoint, region: client.configuration.region),
            audit: summary.audit, objects: entries.map(\.entry), versioning: versioning, objectLock: objectLock)
        manifest.configurations = try await bucketConfigurations(into: &summary)
        try writeManifest(manifest)
        try POSIX.unlink(directory.journalPath)
        try? FileManager.default.removeItem(atPath: directory.temporaryPath)
        summary.deleteMarkers = manifest.deleteMarkerCount
        summary.versions = manifest.objects.count - summary.deleteMarkers
        summary.manifest = manifest
        return summary
    }

    func listAllVersions() async throws -> [ListVersionsPage.Entry] {
        var entries: [ListVersionsPage.Entry] = []
        var keyMarker: String?
        var versionMarker: String?
        repeat {
            let page = try await client.listObjectVersions(bucket: bucket, keyMarker: keyMarker, versionIDMarker: versionMarker)
            entries += page.entries
            guard page.isTruncated, let next = page.nextKeyMarker else { break }
            keyMarker = next
            versionMarker = page.nextVersionIDMarker
        } while true
        return entries
    }

    /// Every listed version with its file: a key's latest version (when not a delete marker) at the
    /// key's plain path, the others beside it (`ObjectPathAllocator.versionPaths`).
    static func planVersions(_ listed: [ListVersionsPage.Entry]) -> [PlannedVersion] {
        var order: [ExactKey] = []
        var byKey: [ExactKey: [Int]] = [:]
        for (index, entry) in listed.enumerated() {
            let key = ExactKey(entry.key)
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(index)
        }
        let allocator = ObjectPathAllocator(keys: order.map(\.key))
        var plan = listed.enumerated().map { PlannedVersion(index: $0.offset, listed: $0.element, path: "") }
        for key in order {
            let plain = allocator.path(for: key.key)!
            var others: [Int] = []
            for index in byKey[key]! where !listed[index].isDeleteMarker {
                if listed[index].isLatest {
                    plan[index].path = ExportDirectory.manifestPath(objectPath: plain)
                } else {
                    others.append(index)
                }
            }
            let paths = ObjectPathAllocator.versionPaths(plain: plain, versionIDs: others.map { listed[$0].versionID })
            for (index, path) in zip(others, paths) { plan[index].path = ExportDirectory.manifestPath(objectPath: path) }
        }
        return plan
    }

    func exportVersion(
        _ item: PlannedVersion, previous: ExportManifest.Entry?, locked: Bool, journal: ExportJournal
    ) async throws -> ObjectOutcome {
        let listed = item.listed
        let asListed = ListedObject(key: listed.key, lastModified: listed.lastModified, etag: listed.etag, size: listed.size)
        if let previous, try isUnchanged(previous, object: asListed, path: item.path) {
            var entry = previous
            entry.isLatest = listed.isLatest
            if locked {
                do {
                    let head = try await client.headObject(bucket: bucket, key: listed.key, versionID: listed.versionID)
                    (entry.retention, entry.legalHold) = Self.lock(of: head)
                } catch let error as S3ClientError where error.status == 404 {
                    progress.objectDone()
                    return .vanished(listed.key)
                } catch let error as S3ClientError {
                    progress.objectFailed()
                    return .failed(ObjectFailure(key: listed.key, message: "version \(listed.versionID): \(error.description)"))
                }
            }
            progress.objectSkipped(bytes: previous.size)
            return .unchanged(entry)
        }
        return try await fetch(key: listed.key, journal: journal, describe: { "version \(listed.versionID): \($0)" }) {
            try await self.downloadVersion(item)
        }
    }

    /// GETs one version into its file; nil when the version was deleted since it was listed.
    func downloadVersion(_ item: PlannedVersion) async throws -> ExportManifest.Entry? {
        let listed = item.listed
        let response: GetObjectResponse
        do {
            response = try await client.getObject(bucket: bucket, key: listed.key, versionID: listed.versionID)
        } catch let error as S3ClientError where error.status == 404 {
            return nil
        }
        let (size, digest) = try await writeFile(response, key: listed.key, to: item.path)
        let head = response.head
        let (retention, legalHold) = Self.lock(of: head)
        return ExportManifest.Entry(
            key: listed.key, path: item.path, size: size, sha256: digest, etag: head.etag ?? listed.etag,
            contentType: head.contentType, metadata: head.metadata, headers: Self.storedHeaders(head),
            lastModified: S3Date.iso8601(listed.lastModified), versionId: listed.versionID, isLatest: listed.isLatest,
            isDeleteMarker: false, retention: retention, legalHold: legalHold)
    }

    /// A version's retention and legal hold, from the `x-amz-object-lock-*` headers of GET or HEAD.
    static func lock(of head: ObjectHead) -> (ExportManifest.Retention?, String?) {
        var retention: ExportManifest.Retention?
        if let mode = head.objectLockMode, let until = head.objectLockRetainUntil {
            retention = .init(mode: mode, retainUntilDate: S3Date.iso8601(until))
        }
        return (retention, head.objectLockLegalHold)
    }
}
