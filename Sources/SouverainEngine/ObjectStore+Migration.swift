public import Foundation
public import SouverainCatalogue
import Logging

/// `souverain migrate --bucket B --to L` (docs/replicas.md): moves a bucket's bytes to another
/// location, object by object, each copied, read back and compared (SHA-256) before the catalogue
/// swaps it (only if the object did not change meanwhile); the old blobs are collected after the
/// grace period, so GETs in flight finish. Resumable: objects already at the target are skipped,
/// and the caller walks the bucket in steps, from where the previous step stopped.
extension ObjectStore {
    /// How much of a bucket is not at a location yet.
    public struct MigrationPlan: Sendable, Equatable {
        public var objects = 0
        public var bytes: Int64 = 0
        public init() {}
    }

    /// What one step of a migration did.
    public struct MigrationStep: Sendable, Equatable {
        public var moved = 0
        public var movedBytes: Int64 = 0
        /// Objects that changed while they were copied: their new version was placed anew.
        public var changed = 0
        public var failed = 0
        /// The last key examined: the next step starts after it. Nil once the bucket is done.
        public var next: String?
        public init() {}
    }

    /// What remains to move of `bucket` to `target`; throws when the bucket's classification does
    /// not allow the target.
    public func migrationPlan(bucket: String, to target: String, now: Date = Date()) async throws -> MigrationPlan {
        try await checkMigration(bucket: bucket, to: target, now: now)
        var plan = MigrationPlan()
        var position: ListPosition?
        while true {
            let page = try await catalogue { try await $0.listObjects(bucket: bucket, prefix: "", after: position, limit: 1000) }
            for object in page where !object.replicaLocations.contains(target) {
                plan.objects += 1
                plan.bytes += object.size
            }
            guard let last = page.last, page.count == 1000 else {
                for object in try await noncurrentVersions(of: bucket) where !object.replicaLocations.contains(target) {
                    plan.objects += 1
                    plan.bytes += object.size
                }
                break
            }
            position = .key(last.key)
        }
        return plan
    }

    /// Moves up to `limit` objects of `bucket` after key `after` to `target`, reporting each one
    /// moved (for the audit trail).
    public func migrate(
        bucket: String, to target: String, after: String?, limit: Int, now: Date = Date(),
        moved report: (ObjectRecord, String) async throws -> Void = { _, _ in }
    ) async throws -> MigrationStep {
        try await checkMigration(bucket: bucket, to: target, now: now)
        var step = MigrationStep()
        var position = after.map(ListPosition.key)
        var attempted = 0
        while attempted < limit {
            let page = try await catalogue { try await $0.listObjects(bucket: bucket, prefix: "", after: position, limit: 200) }
            for object in page {
                step.next = object.key
                guard !object.replicaLocations.contains(target) else { continue }
                attempted += 1
                do {
                    if try await relocate(object, to: target) == nil {
                        step.changed += 1
                    } else {
                        step.moved += 1
                        step.movedBytes += object.size
                        try await report(object, object.location)
                    }
                } catch let error as EngineError where error.code == .placementViolation {
                    throw error
                } catch {
                    step.failed += 1
                    logger.error("migrate: cannot move an object", metadata: [
                        "bucket": "\(bucket)", "key": "\(object.key)", "to": "\(target)", "error": "\(error)"])
                }
                if attempted == limit { return step }
            }
            guard let last = page.last, page.count == 200 else {
                step.next = nil
                // Noncurrent versions are data too: they move in the last step, after the current objects.
                for object in try await noncurrentVersions(of: bucket) where !object.replicaLocations.contains(target) {
                    do {
                        if try await relocate(object, to: target) == nil {
                            step.changed += 1
                        } else {
                            step.moved += 1
                            step.movedBytes += object.size
                            try await report(object, object.location)
                        }
                    } catch {
                        step.failed += 1
                        logger.error("migrate: cannot move a noncurrent version", metadata: [
                            "bucket": "\(bucket)", "key": "\(object.key)", "to": "\(target)", "error": "\(error)"])
                    }
                }
                return step
            }
            position = .key(last.key)
        }
        return step
    }

    private func checkMigration(bucket: String, to target: String, now: Date) async throws {
        guard let record = try await catalogue({ try await $0.bucket(named: bucket) }) else {
            throw EngineError(.noSuchBucket, "The specified bucket does not exist")
        }
        guard locations.byID[target] != nil else {
            throw EngineError(.invalidArgument, "No location '\(target)' is configured on this server.")
        }
        let classification = placement.classification(of: record)
        guard placement.allows(location: target, classification: classification, now: now) else {
            throw EngineError(.placementViolation, "Placement refused for classification '\(classification)': location '\(target)' is not allowed for bucket \(bucket); `souverain placement explain \(classification)` says why.")
        }
    }
}
