public import Foundation
import Logging
public import SouverainCatalogue
public import SouverainModel

/// One object version a lifecycle pass looks at: what the evaluation needs to know of it, and the
/// record to act on.
public struct LifecycleCandidate: Sendable, Equatable {
    public var subject: LifecycleSubject
    public var record: ObjectRecord

    public init(subject: LifecycleSubject, record: ObjectRecord) {
        self.subject = subject
        self.record = record
    }
}

/// What one lifecycle pass did: each action taken, refused or skipped, in order.
public struct LifecycleReport: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// The action was taken (and recorded in the audit trail).
        case done
        /// The version is locked (retention or legal hold): left alone, the refusal recorded.
        case refusedLocked = "refused-locked"
        /// The object or upload changed or went away between the evaluation and the action.
        case skippedChanged = "skipped-changed"
    }

    public struct Entry: Sendable, Equatable {
        public var action: LifecycleAction
        public var bucket: String
        public var key: String
        public var version: String?
        public var uploadID: String?
        public var rule: String
        public var outcome: Outcome
    }

    public var entries: [Entry] = []
    /// Object versions and uploads evaluated.
    public var examined = 0
    /// Buckets whose configuration was applied.
    public var buckets: [String] = []

    public init() {}
}

extension ObjectStore {
    public func lifecycleConfiguration(bucket: String) async throws -> LifecycleConfiguration? {
        try await catalogue { try await $0.lifecycleConfiguration(bucket: bucket) }
    }

    /// Sets (nil: deletes) the bucket's lifecycle configuration.
    public func setLifecycleConfiguration(bucket: String, _ configuration: LifecycleConfiguration?) async throws {
        try await catalogue { try await $0.setLifecycleConfiguration(bucket: bucket, configuration) }
    }

    /// One lifecycle pass at `now`: over `bucket`, or every bucket with a configuration. Each due
    /// action goes through the catalogue's conditional delete or the engine's abort, so garbage
    /// collection (recorded in the trail) removes the bytes afterwards, and is recorded in the
    /// audit trail once taken (`lifecycle-expire`, `lifecycle-delete-noncurrent`,
    /// `lifecycle-remove-delete-marker`, `lifecycle-abort-upload`, with the rule id). A locked
    /// version is never touched; the refusal is recorded. `pause` runs after every action taken:
    /// the pass's pace. A failure to record stops the pass at that action.
    public func runLifecycle(
        bucket only: String? = nil, now: Date = Date(), days: LifecycleDays = .standard,
        pause: () async throws -> Void = {}
    ) async throws -> LifecycleReport {
        var report = LifecycleReport()
        var buckets = only.map { [$0] } ?? []
        if only == nil { buckets = try await catalogue { try await $0.bucketsWithLifecycleConfiguration() } }
        for bucket in buckets {
            guard let configuration = try await lifecycleConfiguration(bucket: bucket),
                  configuration.rules.contains(where: \.isEnabled)
            else { continue }
            report.buckets.append(bucket)
            try await applyLifecycle(configuration, bucket: bucket, now: now, days: days, report: &report, pause: pause)
        }
        return report
    }

    private func applyLifecycle(
        _ configuration: LifecycleConfiguration, bucket: String, now: Date, days: LifecycleDays, report: inout LifecycleReport,
        pause: () async throws -> Void
    ) async throws {
        if let record = try await catalogue({ try await $0.bucket(named: bucket) }), record.versioning != nil {
            try await applyLifecycleToVersions(configuration, bucket: record, now: now, days: days, report: &report, pause: pause)
        } else {
            try await applyLifecycleToCurrentObjects(configuration, bucket: bucket, now: now, days: days, report: &report, pause: pause)
        }
        try await abortIncompleteUploads(configuration, bucket: bucket, now: now, days: days, report: &report, pause: pause)
    }

    /// The object actions of a pass over a bucket that never had versioning: one version per key.
    private func applyLifecycleToCurrentObjects(
        _ configuration: LifecycleConfiguration, bucket: String, now: Date, days: LifecycleDays, report: inout LifecycleReport,
        pause: () async throws -> Void
    ) async throws {
        var position: ListPosition?
        repeat {
            let (candidates, next) = try await lifecycleCandidates(bucket: bucket, after: position, limit: 1000)
            for candidate in candidates {
                try Task.checkCancellation()
                report.examined += 1
                let subject = candidate.subject
                switch configuration.decision(for: subject, now: now, days: days) {
                case .none:
                    continue
                case .refusedLocked(let action, let rule):
                    try await recordLifecycle(action, bucket: bucket, key: subject.key, version: subject.versionID, rule: rule,
                                              problem: "ObjectLocked")
                    report.entries.append(.init(action: action, bucket: bucket, key: subject.key, version: subject.versionID,
                                                rule: rule, outcome: .refusedLocked))
                case .act(let action, let rule):
                    guard try await lifecycleDelete(candidate, for: action) else {
                        report.entries.append(.init(action: action, bucket: bucket, key: subject.key, version: subject.versionID,
                                                    rule: rule, outcome: .skippedChanged))
                        continue
                    }
                    try await recordLifecycle(action, bucket: bucket, key: subject.key, version: subject.versionID, rule: rule)
                    report.entries.append(.init(action: action, bucket: bucket, key: subject.key, version: subject.versionID,
                                                rule: rule, outcome: .done))
                    try await pause()
                }
            }
            position = next
        } while position != nil
    }

    private func abortIncompleteUploads(
        _ configuration: LifecycleConfiguration, bucket: String, now: Date, days: LifecycleDays, report: inout LifecycleReport,
        pause: () async throws -> Void
    ) async throws {
        guard configuration.abortsUploads else { return }
        var marker: (key: String, uploadID: String)?
        while true {
            let uploads = try await catalogue {
                try await $0.uploads(bucket: bucket, prefix: "", keyMarker: marker?.key, uploadIDMarker: marker?.uploadID, limit: 1000)
            }
            for upload in uploads {
                try Task.checkCancellation()
                report.examined += 1
                guard case .act(let action, let rule) = configuration.decision(
                    forUploadOf: upload.key, initiated: upload.initiated, now: now, days: days)
                else { continue }
                var entry = LifecycleReport.Entry(
                    action: action, bucket: bucket, key: upload.key, uploadID: upload.uploadID, rule: rule, outcome: .done)
                do {
                    try await abortMultipartUpload(upload: upload)
                } catch let error as EngineError where error.code == .noSuchUpload {
                    entry.outcome = .skippedChanged
                    report.entries.append(entry)
                    continue
                }
                try await recordLifecycle(action, bucket: bucket, key: upload.key, version: nil, rule: rule,
                                          detail: "upload \(upload.uploadID) started \(upload.initiated)")
                report.entries.append(entry)
                try await pause()
            }
            guard uploads.count == 1000, let last = uploads.last else { break }
            marker = (last.key, last.uploadID)
        }
    }

    /// What a lifecycle pass walks through in a bucket that never had versioning, a page at a
    /// time in key order, with where the next page starts (nil after the last): each key's only
    /// version. Versioned buckets are walked version by version (ObjectStore+LifecycleVersions).
    func lifecycleCandidates(bucket: String, after position: ListPosition?, limit: Int) async throws
        -> (candidates: [LifecycleCandidate], next: ListPosition?)
    {
        let records = try await catalogue { try await $0.listObjects(bucket: bucket, prefix: "", after: position, limit: limit) }
        let candidates = records.map { record in
            LifecycleCandidate(
                subject: LifecycleSubject(key: record.key, size: record.size, tags: record.tags, lastModified: record.lastModified),
                record: record)
        }
        return (candidates, records.count == limit ? records.last.map { ListPosition.key($0.key) } : nil)
    }

    /// Takes a due object action; false when the object changed or went away meanwhile.
    ///
    /// Today a bucket keeps one version per key, so each action deletes that record, and only if it
    /// is still the one evaluated. **When versions arrive**: `.expireCurrent` goes through the
    /// engine's delete of the current object (a delete marker in a versioned bucket), and
    /// `.deleteNoncurrentVersion` and `.removeExpiredDeleteMarker` through its delete of
    /// `subject.versionID`, which refuses a locked version (Object Lock) whatever the evaluation said.
    private func lifecycleDelete(_ candidate: LifecycleCandidate, for action: LifecycleAction) async throws -> Bool {
        switch action {
        case .expireCurrent, .deleteNoncurrentVersion, .removeExpiredDeleteMarker:
            // Only for buckets that never had versioning (versioned ones: ObjectStore+LifecycleVersions).
            return try await catalogue { try await $0.deleteObject(ifUnchanged: candidate.record) } != nil
        case .abortUpload:
            // Never decided for an object version (uploads are evaluated apart).
            return false
        }
    }

    func recordLifecycle(
        _ action: LifecycleAction, bucket: String, key: String, version: String?, rule: String, problem: String? = nil,
        detail: String? = nil
    ) async throws {
        let kind: Movement.Kind = switch action {
        case .expireCurrent: .lifecycleExpire
        case .deleteNoncurrentVersion: .lifecycleDeleteNoncurrent
        case .removeExpiredDeleteMarker: .lifecycleRemoveDeleteMarker
        case .abortUpload: .lifecycleAbortUpload
        }
        var text = "rule \(rule)"
        if problem != nil { text += ": refused, the version is locked (retention or legal hold)" }
        if let detail { text += "; \(detail)" }
        try await record(Movement(kind: kind, bucket: bucket, key: key, version: version, touched: [], detail: text, problem: problem))
    }
}
