import Foundation
import SouverainCatalogue
import SouverainModel

extension ObjectStore {
    /// The object actions of a lifecycle pass over a versioned bucket: every version and delete
    /// marker, key by key (newest first), each judged with what only its neighbours tell (when it
    /// stopped being current, how many newer noncurrent versions the key keeps, whether a marker
    /// still hides anything). Expiring a current version puts a delete marker on top; removing a
    /// noncurrent version or an expired marker goes through the engine's delete of that version,
    /// which refuses a locked one whatever was judged.
    func applyLifecycleToVersions(
        _ configuration: LifecycleConfiguration, bucket: BucketRecord, now: Date, days: LifecycleDays,
        report: inout LifecycleReport, pause: () async throws -> Void
    ) async throws {
        var position: VersionListPosition?
        var group: [ObjectVersionEntry] = []
        repeat {
            let page = try await catalogue {
                try await $0.listVersions(bucket: bucket.name, prefix: "", after: position, limit: 1000)
            }
            for entry in page {
                // A key's versions may run over two pages: it is judged once all of them are in.
                if let first = group.first, first.key != entry.key {
                    try await applyLifecycle(configuration, toVersionsOf: group, bucket: bucket, now: now, days: days,
                                             report: &report, pause: pause)
                    group = []
                }
                group.append(entry)
            }
            position = page.count == 1000 ? page.last.map { VersionListPosition(key: $0.key, versionID: $0.wireVersionID) } : nil
        } while position != nil
        if !group.isEmpty {
            try await applyLifecycle(configuration, toVersionsOf: group, bucket: bucket, now: now, days: days,
                                     report: &report, pause: pause)
        }
    }

    /// Judges and acts on the versions of one key, newest first.
    private func applyLifecycle(
        _ configuration: LifecycleConfiguration, toVersionsOf versions: [ObjectVersionEntry], bucket: BucketRecord,
        now: Date, days: LifecycleDays, report: inout LifecycleReport, pause: () async throws -> Void
    ) async throws {
        var newerNoncurrent = 0
        for (index, entry) in versions.enumerated() {
            try Task.checkCancellation()
            report.examined += 1
            let subject = LifecycleSubject(
                key: entry.key, versionID: entry.wireVersionID, size: entry.object?.size ?? 0, tags: entry.object?.tags ?? [:],
                lastModified: entry.lastModified, isCurrent: index == 0 && entry.isLatest,
                isDeleteMarker: entry.isDeleteMarker,
                becameNoncurrentAt: index == 0 ? nil : versions[index - 1].lastModified,
                newerNoncurrentVersions: newerNoncurrent, hasOtherVersions: versions.count > 1,
                isLocked: entry.object?.isLocked(at: now) ?? false)
            if index > 0, !entry.isDeleteMarker { newerNoncurrent += 1 }
            switch configuration.decision(for: subject, now: now, days: days) {
            case .none:
                continue
            case .refusedLocked(let action, let rule):
                try await recordLifecycle(action, bucket: bucket.name, key: entry.key, version: entry.wireVersionID, rule: rule,
                                          problem: "ObjectLocked")
                report.entries.append(.init(action: action, bucket: bucket.name, key: entry.key, version: entry.wireVersionID,
                                            rule: rule, outcome: .refusedLocked))
            case .act(let action, let rule):
                do {
                    _ = try await deleteObject(
                        bucket: bucket, key: entry.key, versionID: action == .expireCurrent ? nil : entry.wireVersionID, now: now)
                } catch let error as CatalogueError where error.code == .versionLocked {
                    try await recordLifecycle(action, bucket: bucket.name, key: entry.key, version: entry.wireVersionID,
                                              rule: rule, problem: "ObjectLocked")
                    report.entries.append(.init(action: action, bucket: bucket.name, key: entry.key,
                                                version: entry.wireVersionID, rule: rule, outcome: .refusedLocked))
                    continue
                }
                try await recordLifecycle(action, bucket: bucket.name, key: entry.key, version: entry.wireVersionID, rule: rule)
                report.entries.append(.init(action: action, bucket: bucket.name, key: entry.key, version: entry.wireVersionID,
                                            rule: rule, outcome: .done))
                try await pause()
            }
        }
    }
}
