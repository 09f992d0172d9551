import Foundation
import SouverainS3Client
import SouverainS3

/// The import of a versioned bucket's export (manifest version 2; docs/export-format.md,
/// "Versions"): each key's history is written back oldest first (`VersionReplay`), every version
/// with its metadata, retention and legal hold, every delete marker as a DELETE. Keys go
/// concurrently, a key's versions one after the other.
///
/// The destination must keep versions: a bucket the import creates gets versioning (and Object
/// Lock, with the export's default retention, when the export has it); an existing bucket without
/// versioning enabled, or without Object Lock while the export has locks, is refused before
/// anything is written. Version ids change (S3 chooses them): the summary maps each source id to
/// the new one. A run that stopped resumes: a key whose destination history is the beginning of
/// the export's (same sizes and ETags, markers where markers are) continues where it stopped; a key
/// with another history is reported and left alone.
extension Importer {
    /// What replaying one key did.
    struct KeyOutcome: Sendable {
        var imported = 0
        var bytes: Int64 = 0
        var unchanged = 0
        var deleteMarkers = 0
        var mappings: [VersionMapping] = []
        var failure: ObjectFailure?
    }

    func runVersioned(_ manifest: ExportManifest, directory: ExportDirectory) async throws -> ImportSummary {
        var summary = ImportSummary()
        summary.classification = options.classification ?? manifest.classification
        summary.createdBucket = try await ensureVersionedBucket(manifest, classification: summary.classification, notes: &summary.notes)
        let existing = summary.createdBucket ? [:] : try await existingVersions()
        let replays = VersionReplay.plan(manifest.objects)
        let files = manifest.objects.filter { !$0.isMarker }
        progress.expect(objects: files.count, bytes: files.reduce(0) { $0 + $1.size })

        try await withThrowingTaskGroup(of: KeyOutcome.self) { group in
            var inFlight = 0
            func collect(_ outcome: KeyOutcome) {
                summary.imported += outcome.imported
                summary.bytesImported += outcome.bytes
                summary.unchanged += outcome.unchanged
                summary.deleteMarkers += outcome.deleteMarkers
                summary.versions += outcome.mappings
                if let failure = outcome.failure { summary.failures.append(failure) }
            }
            for replay in replays {
                if inFlight >= max(1, options.concurrency), let outcome = try await group.next() {
                    collect(outcome)
                    inFlight -= 1
                }
                let present = existing[ExactKey(replay.key)] ?? []
                group.addTask { try await self.replay(replay, existing: present, directory: directory) }
                inFlight += 1
            }
            for try await outcome in group { collect(outcome) }
        }
        summary.versions.sort { lhs, rhs in Array(lhs.key.utf8).lexicographicallyPrecedes(Array(rhs.key.utf8)) }
        if summary.createdBucket, summary.isComplete, manifest.versioning == "Suspended", manifest.objectLock == nil {
            try await destination.putBucketVersioning(bucket, status: "Suspended")
        }
        await applyConfigurations(manifest, summary: &summary)
        return summary
    }

    /// Whether the export needs a destination with Object Lock.
    static func needsObjectLock(_ manifest: ExportManifest) -> Bool {
        manifest.objectLock != nil || manifest.objects.contains { $0.retention != nil || $0.legalHold == "ON" }
    }

    /// Creates the destination with versioning (and Object Lock) when it does not exist; otherwise
    /// checks that it keeps versions (and locks) before anything is written. Returns whether it
    /// created the bucket.
    func ensureVersionedBucket(_ manifest: ExportManifest, classification: String?, notes: inout [String]) async throws -> Bool {
        let needsLock = Self.needsObjectLock(manifest)
        do {
            let head = try await destination.headBucket(bucket)
            if let classification, let current = head.header("x-souverain-classification"), current != classification {
                notes.append("The bucket \(bucket) already exists with the classification \(current), not \(classification); it was left as it is.")
            }
        } catch let error as S3ClientError where error.status == 404 {
            var headers = classification.map { ["x-souverain-classification": $0] } ?? [:]
            if manifest.objectLock != nil { headers["x-amz-bucket-object-lock-enabled"] = "true" }
            do {
                try await destination.createBucket(bucket, headers: headers)
                try await destination.putBucketVersioning(bucket, status: "Enabled")
                if let retention = manifest.objectLock?.defaultRetention {
                    try await destination.putObjectLockConfiguration(bucket, ObjectLockSettings(defaultRetention: retention))
                }
            } catch {
                throw PortabilityError(.destination, "Cannot create the bucket \(bucket) with versioning\(needsLock ? " and Object Lock" : "").", cause: error)
            }
            return true
        }
        let status = try await destination.getBucketVersioning(bucket)
        guard status == "Enabled" else {
            throw PortabilityError(
                .destination,
                "The export of \(manifest.bucket) holds its versions and delete markers, but versioning is \(status.map { "\($0.lowercased())" } ?? "not enabled") on the bucket \(bucket): nothing was imported. Enable versioning on it, import into a new bucket (created with versioning), or give --current-versions-only.")
        }
        if needsLock, try await destination.getObjectLockConfiguration(bucket) == nil {
            throw PortabilityError(
                .destination,
                "The export of \(manifest.bucket) holds Object Lock retentions or legal holds, but the bucket \(bucket) has no Object Lock: nothing was imported. Import into a new bucket (created with Object Lock), or give --current-versions-only.")
        }
        return false
    }

    /// Every version already in the destination, by key, oldest first.
    func existingVersions() async throws -> [ExactKey: [ListVersionsPage.Entry]] {
        var byKey: [ExactKey: [ListVersionsPage.Entry]] = [:]
        var keyMarker: String?
        var versionMarker: String?
        repeat {
            let page = try await destination.listObjectVersions(bucket: bucket, keyMarker: keyMarker, versionIDMarker: versionMarker)
            for entry in page.entries { byKey[ExactKey(entry.key), default: []].append(entry) }
            guard page.isTruncated, let next = page.nextKeyMarker else { break }
            keyMarker = next
            versionMarker = page.nextVersionIDMarker
        } while true
        return byKey.mapValues { Array($0.reversed()) }
    }

    /// Replays one key's history, after what the destination already holds of it.
    func replay(_ replay: VersionReplay, existing: [ListVersionsPage.Entry], directory: ExportDirectory) async throws -> KeyOutcome {
        var outcome = KeyOutcome()
        func mapping(_ entry: ExportManifest.Entry, _ newID: String?) -> VersionMapping {
            VersionMapping(key: entry.key, sourceVersionId: entry.versionId ?? "null", versionId: newID, isDeleteMarker: entry.isMarker)
        }
        let conflicting = existing.count > replay.steps.count
            || zip(replay.steps, existing).contains { !isSame($0.entry, $1, directory: directory) }
        if conflicting {
            for step in replay.steps where !step.entry.isMarker { progress.objectFailed() }
            outcome.failure = ObjectFailure(
                key: replay.key,
                message: "the bucket \(bucket) already holds versions of this key that are not the export's; import into a new bucket")
            return outcome
        }
        for (step, present) in zip(replay.steps, existing) {
            outcome.mappings.append(mapping(step.entry, present.versionID))
            if !step.entry.isMarker {
                progress.objectSkipped(bytes: step.entry.size)
                outcome.unchanged += 1
            }
        }
        for (index, step) in replay.steps.enumerated().dropFirst(existing.count) {
            do {
                switch step {
                case .delete(let entry):
                    let made = try await withAttempts { try await self.destination.deleteObject(bucket: self.bucket, key: entry.key, versionID: nil) }
                    outcome.mappings.append(mapping(entry, made.versionID))
                    outcome.deleteMarkers += 1
                case .put(let entry):
                    let versionID = try await putVersion(entry, directory: directory)
                    outcome.mappings.append(mapping(entry, versionID))
                    outcome.imported += 1
                    outcome.bytes += entry.size
                }
            } catch {
                // Order matters: the key's later versions wait for a run that writes this one.
                for later in replay.steps[(index + 1)...] where !later.entry.isMarker { progress.objectFailed() }
                let message = Self.integrityFailure(error).map(\.message) ?? String(describing: error)
                outcome.failure = ObjectFailure(key: replay.key, message: "version \(step.entry.versionId ?? "null"): \(message)")
                return outcome
            }
        }
        return outcome
    }

    /// Whether a version already in the destination is the manifest entry's, written by an
    /// earlier run: both delete markers, or the same size and ETag (the source's, or the one this
    /// upload gives).
    func isSame(_ entry: ExportManifest.Entry, _ present: ListVersionsPage.Entry, directory: ExportDirectory) -> Bool {
        if entry.isMarker || present.isDeleteMarker { return entry.isMarker == present.isDeleteMarker }
        guard entry.size == present.size else { return false }
        if entry.etag == present.etag { return true }
        return (try? UploadETag.of(path: directory.file(entry.path), size: entry.size, partSize: options.partSize)) == present.etag
    }

    /// PUTs one version from its file, with its metadata, retention and legal hold; returns the new
    /// version id. Retried as `importObject` retries an object.
    func putVersion(_ entry: ExportManifest.Entry, directory: ExportDirectory) async throws -> String? {
        var attempt = 0
        while true {
            attempt += 1
            let tally = ByteTally()
            do {
                guard directory.holdsPlainFile(entry.path) else {
                    throw PortabilityError(.integrity, "\(entry.key): its file \(entry.path) is missing from the export (or is not a plain file).")
                }
                let body = MeteredBody(
                    base: FileChunks(path: directory.file(entry.path)), key: entry.key, expectedSize: entry.size,
                    expectedSHA256: entry.sha256, progress: progress, tally: tally)
                var headers = Self.headers(Item(
                    key: entry.key, size: entry.size, etag: entry.etag, contentType: entry.contentType, metadata: entry.metadata,
                    headers: entry.headers))
                headers.merge(Self.lockHeaders(entry, now: Date())) { _, lock in lock }
                let versionID = try await put(entry.key, body: body, size: entry.size, headers: headers)
                progress.objectDone()
                return versionID
            } catch {
                progress.add(bytes: -tally.value)
                // A file that differs from its manifest will not get better.
                guard attempt < options.attempts, Self.integrityFailure(error) == nil, Self.isRetryable(error) else {
                    progress.objectFailed()
                    throw error
                }
            }
            try await Task.sleep(for: .milliseconds(200 * attempt))
        }
    }

    /// Runs `body`, again after a pause when it fails in a way worth retrying.
    func withAttempts<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch {
                guard attempt < options.attempts, Self.isRetryable(error) else { throw error }
            }
            try await Task.sleep(for: .milliseconds(200 * attempt))
        }
    }

    /// The Object Lock headers of a version's PUT: its retention when it has not ended by `now`
    /// (an ended retention protects nothing, and S3 refuses a date in the past), and its legal hold.
    static func lockHeaders(_ entry: ExportManifest.Entry, now: Date) -> [String: String] {
        var out: [String: String] = [:]
        if let retention = entry.retention, let until = S3Date.parseISO8601(retention.retainUntilDate), until > now {
            out["x-amz-object-lock-mode"] = retention.mode
            out["x-amz-object-lock-retain-until-date"] = retention.retainUntilDate
        }
        if let hold = entry.legalHold { out["x-amz-object-lock-legal-hold"] = hold }
        return out
    }
}
