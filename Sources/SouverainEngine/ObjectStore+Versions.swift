public import Foundation
public import SouverainCatalogue
public import SouverainModel
import Logging
import SouverainPlacement

/// Versioning and Object Lock on the data path (docs/versioning.md, docs/object-lock.md).
extension ObjectStore {
    // MARK: - Version ids and the retention clock

    /// A new version id: 32 URL-safe characters from the system's random source, never `null`.
    public static func makeVersionID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The version id a new write to `bucket` gets: a fresh one while versioning is enabled, nil
    /// (the `null` version) otherwise.
    public func newVersionID(for bucket: BucketRecord) -> String? {
        bucket.versioning == .enabled ? Self.makeVersionID() : nil
    }

    /// The time retentions are judged by: the later of `now` and the latest time the catalogue has
    /// ever seen, so that a clock set back never ends a retention early. A clock found behind is logged.
    public func retentionNow(_ now: Date = Date()) async throws -> Date {
        let clock = try await catalogue { try await $0.retentionClock(now: now) }
        if clock.timeIntervalSince(now) > 1 {
            logger.warning("the system clock is behind the latest time seen; retentions are judged by the latest time", metadata: [
                "clock": "\(now)", "latest_seen": "\(clock)"])
        }
        return max(clock, now)
    }

    /// Whether `user` may bypass a GOVERNANCE retention (with `x-amz-bypass-governance-retention`):
    /// the bucket's owner and admins.
    public func mayBypassGovernance(_ user: User, bucket: BucketRecord) -> Bool {
        user.role == .admin || bucket.owner == user.id
    }

    /// The retention and legal hold a new version of `bucket` gets: what the write asked for, else
    /// the bucket's default retention. Refused when the bucket has no Object Lock, and when a
    /// retention date is not in the future.
    public func lockForNewVersion(bucket: BucketRecord, requested: RequestedLock?, now: Date) throws -> RequestedLock? {
        guard let configuration = bucket.objectLock else {
            if requested != nil {
                throw EngineError(.invalidRequest, "Bucket is missing Object Lock Configuration")
            }
            return nil
        }
        var lock = requested ?? RequestedLock()
        if let retention = lock.retention, retention.retainUntil <= now {
            throw EngineError(.invalidArgument, "The retain until date must be in the future!")
        }
        if lock.retention == nil, let byDefault = configuration.defaultRetention {
            lock.retention = byDefault.retention(from: now)
        }
        try checkMinimumRetention(lock.retention, writtenAt: now, bucket: bucket)
        return lock.retention == nil && !lock.legalHold ? nil : lock
    }

    // MARK: - Classifications that require immutability

    /// The Object Lock a new bucket of `classification` gets: the one asked for, and for a
    /// classification whose rules require Object Lock, always one, with a COMPLIANCE default
    /// retention of the rules' minimum (so that a write stating none is retained long enough).
    func objectLockForNewBucket(classification: String, requested: Bool) throws -> ObjectLockConfiguration? {
        let rules = placement.rules.rules(for: classification)
        guard requested || rules?.requireObjectLock == true else { return nil }
        guard let days = rules?.minimumRetentionDays else { return ObjectLockConfiguration() }
        return ObjectLockConfiguration(defaultRetention: .init(mode: .compliance, days: days))
    }

    /// Refuses a retention shorter than the bucket's classification requires, naming the rule.
    func checkMinimumRetention(_ retention: ObjectRetention?, writtenAt: Date, bucket: BucketRecord) throws {
        let classification = placement.classification(of: bucket)
        guard let days = placement.rules.rules(for: classification)?.minimumRetentionDays else { return }
        let required = writtenAt.addingTimeInterval(Double(days) * 86_400)
        guard let retention, retention.retainUntil >= required.addingTimeInterval(-1) else {
            let stated = retention.map { "ends " + ISO8601DateFormatter().string(from: $0.retainUntil) }
                ?? "is absent and the bucket has no default retention long enough"
            throw EngineError(.invalidRequest, """
                The placement rules of classification '\(classification)' require every version in bucket \(bucket.name) to be \
                retained at least \(days) days (minimumRetentionDays); this retention \(stated).
                """)
        }
    }

    /// Refuses a bucket default retention shorter than the classification's minimum.
    public func checkDefaultRetention(_ retention: ObjectLockConfiguration.DefaultRetention?, bucket: BucketRecord) throws {
        let classification = placement.classification(of: bucket)
        guard let days = placement.rules.rules(for: classification)?.minimumRetentionDays else { return }
        guard let retention, retention.lengthInDays >= days else {
            throw EngineError(.invalidRequest, """
                The placement rules of classification '\(classification)' require a default retention of at least \(days) days \
                (minimumRetentionDays) on bucket \(bucket.name).
                """)
        }
    }

    /// The version id and lock of a version about to be written.
    struct NewVersion: Sendable {
        var id: String?
        var lock: RequestedLock?
    }

    func newVersion(bucket: BucketRecord, requested: RequestedLock?, now: Date) throws -> NewVersion {
        NewVersion(id: newVersionID(for: bucket), lock: try lockForNewVersion(bucket: bucket, requested: requested, now: now))
    }

    // MARK: - Reading versions

    /// The version a GET or HEAD names: the current one when `versionID` is nil, else that version
    /// (`"null"` for the null version). A key whose latest version is a delete marker answers
    /// NoSuchKey with the marker's headers; a marker named by id answers MethodNotAllowed.
    public func objectVersion(bucket: String, key: String, versionID: String?) async throws -> ObjectRecord {
        guard let versionID else {
            if let record = try await catalogue({ try await $0.object(bucket: bucket, key: key) }) { return record }
            var error = EngineError(.noSuchKey, "The specified key does not exist.")
            if let latest = try await catalogue({ try await $0.latestVersion(bucket: bucket, key: key) }), latest.isDeleteMarker {
                error.versionHeaders = .init(isDeleteMarker: true, versionID: latest.wireVersionID)
            }
            throw error
        }
        let id = try Self.storedVersionID(versionID)
        guard let entry = try await catalogue({ try await $0.version(bucket: bucket, key: key, versionID: id) }) else {
            throw EngineError(.noSuchVersion, "The specified version does not exist.")
        }
        guard let object = entry.object else {
            var error = EngineError(.methodNotAllowed, "The specified method is not allowed against this resource.")
            error.versionHeaders = .init(isDeleteMarker: true, versionID: entry.wireVersionID)
            throw error
        }
        return object
    }

    /// A version id from a request as stored: nil for `null`. Ids this server never makes are refused.
    public static func storedVersionID(_ wire: String) throws -> String? {
        if wire == "null" { return nil }
        guard !wire.isEmpty, wire.utf8.count <= 1024 else {
            throw EngineError(.invalidArgument, "Invalid version id specified")
        }
        return wire
    }

    // MARK: - Deleting

    /// What a deletion did, for the response headers and the trail.
    public struct DeleteOutcome: Sendable {
        /// The version id removed or the delete marker's id (`null` included); nil for an
        /// unversioned deletion.
        public var versionID: String?
        /// Whether a delete marker was made or removed.
        public var isDeleteMarker: Bool
        /// Every location that held a copy of a removed version.
        public var heldAt: [String]
    }

    /// DeleteObject. Without a version id: in a never-versioned bucket the object goes; in a
    /// versioned one a delete marker becomes its current version (the null marker, replacing the
    /// null version, while versioning is suspended). With one: that version goes for good, refused
    /// while a retention or legal hold protects it (`bypassGovernance` lifts a GOVERNANCE retention).
    public func deleteObject(
        bucket: BucketRecord, key: String, versionID: String?, bypassGovernance: Bool = false, now: Date = Date()
    ) async throws -> DeleteOutcome {
        let judged = bucket.objectLock == nil ? now : try await retentionNow(now)
        let check = Self.deletionCheck(bypassGovernance: bypassGovernance, now: judged)
        guard let versionID else {
            switch bucket.versioning {
            case nil:
                let removed = try await catalogue { try await $0.deleteObject(bucket: bucket.name, key: key) }
                return DeleteOutcome(versionID: nil, isDeleteMarker: false, heldAt: removed?.0.heldAt ?? [])
            case .enabled?:
                let id = Self.makeVersionID()
                _ = try await catalogue {
                    try await $0.addDeleteMarker(bucket: bucket.name, key: key, versionID: id, at: now, check: check)
                }
                return DeleteOutcome(versionID: id, isDeleteMarker: true, heldAt: [])
            case .suspended?:
                let garbage = try await catalogue {
                    try await $0.addDeleteMarker(bucket: bucket.name, key: key, versionID: nil, at: now, check: check)
                }
                return DeleteOutcome(versionID: "null", isDeleteMarker: true, heldAt: Array(Set(garbage.map(\.location))))
            }
        }
        let id = try Self.storedVersionID(versionID)
        guard let removed = try await catalogue({
            try await $0.deleteVersion(bucket: bucket.name, key: key, versionID: id, check: check)
        }) else {
            // As S3: deleting a version that does not exist succeeds.
            return DeleteOutcome(versionID: versionID, isDeleteMarker: false, heldAt: [])
        }
        return DeleteOutcome(versionID: versionID, isDeleteMarker: removed.entry.isDeleteMarker, heldAt: removed.entry.object?.heldAt ?? [])
    }

    /// The check every removal of a version passes, inside the catalogue transaction that removes it.
    public static func deletionCheck(bypassGovernance: Bool, now: Date) -> @Sendable (ObjectVersionEntry) throws -> Void {
        { entry in
            guard let object = entry.object else { return }
            if object.legalHold {
                throw CatalogueError(.versionLocked, "Version \(entry.wireVersionID) of \(entry.key) is under a legal hold and cannot be deleted.")
            }
            guard let retention = object.retention, retention.isActive(at: now) else { return }
            if retention.mode == .governance && bypassGovernance { return }
            throw CatalogueError(.versionLocked, """
                Version \(entry.wireVersionID) of \(entry.key) is under \(retention.mode.rawValue) retention until \
                \(ISO8601DateFormatter().string(from: retention.retainUntil)) and cannot be deleted.
                """)
        }
    }

    /// Refuses an action that would destroy every version of a bucket while one is locked,
    /// naming the locked versions (at most 20 of them).
    public func refuseWhileLocked(bucket: String, action: String, now: Date = Date()) async throws {
        let judged = try await retentionNow(now)
        let locked = try await catalogue { try await $0.lockedVersions(bucket: bucket, at: judged, limit: 21) }
        guard !locked.isEmpty else { return }
        let formatter = ISO8601DateFormatter()
        let listed = locked.prefix(20).map { entry -> String in
            let object = entry.object!
            var reasons: [String] = []
            if let retention = object.retention, retention.isActive(at: judged) {
                reasons.append("\(retention.mode.rawValue) until \(formatter.string(from: retention.retainUntil))")
            }
            if object.legalHold { reasons.append("legal hold") }
            return "\(entry.key) (version \(entry.wireVersionID): \(reasons.joined(separator: ", ")))"
        }
        throw EngineError(.objectLocked, """
            Bucket \(bucket) cannot be \(action): \(locked.count > 20 ? "more than 20" : String(locked.count)) version(s) are \
            under retention or legal hold: \(listed.joined(separator: "; ")).
            """)
    }

    /// Every noncurrent version of a bucket (delete markers have no bytes): what the walks over a
    /// bucket's bytes (migrate, placement enforce, export) take besides its current objects.
    public func noncurrentVersions(of bucket: String) async throws -> [ObjectRecord] {
        var found: [ObjectRecord] = []
        var position = NoncurrentPosition(bucket: bucket, key: "", sequence: Int64.min)
        while true {
            let page = try await catalogue { try await $0.noncurrentVersions(after: position, limit: 1000) }
            for (record, next) in page {
                guard record.bucket == bucket else { return found }
                found.append(record)
                position = next
            }
            if page.count < 1000 { return found }
        }
    }

    // MARK: - Bucket settings

    /// PutBucketVersioning: Enabled or Suspended; suspending is refused under Object Lock.
    public func setVersioning(bucket: BucketRecord, _ state: VersioningState) async throws {
        if state == .suspended, bucket.objectLock != nil {
            throw EngineError(.invalidBucketState, "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
        }
        try await catalogue { try await $0.setVersioning(bucket: bucket.name, state) }
    }

    /// PutObjectLockConfiguration: enables Object Lock (on a bucket whose versioning is enabled)
    /// and sets or clears its default retention.
    public func setObjectLock(bucket: BucketRecord, _ configuration: ObjectLockConfiguration) async throws {
        guard bucket.objectLock != nil || bucket.versioning == .enabled else {
            throw EngineError(.invalidBucketState, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
        }
        try checkDefaultRetention(configuration.defaultRetention, bucket: bucket)
        try await catalogue { try await $0.setObjectLock(bucket: bucket.name, configuration) }
    }

    // MARK: - Retention and legal hold of one version

    /// PutObjectRetention. Anyone with write access may set or lengthen a retention; shortening or
    /// removing a GOVERNANCE one needs the bypass (and the right to it); a COMPLIANCE one is never
    /// shortened, removed or turned into GOVERNANCE while it runs, by anyone, admins included.
    public func putRetention(
        bucket: BucketRecord, key: String, versionID: String?, retention: ObjectRetention?, bypassGovernance: Bool,
        now: Date = Date()
    ) async throws -> ObjectRecord {
        guard bucket.objectLock != nil else { throw EngineError(.invalidRequest, "Bucket is missing Object Lock Configuration") }
        let judged = try await retentionNow(now)
        if let retention, retention.retainUntil <= judged {
            throw EngineError(.invalidArgument, "The retain until date must be in the future!")
        }
        let id = try versionID.map(Self.storedVersionID) ?? nil
        let target = try await resolveVersion(bucket: bucket.name, key: key, versionID: versionID, id: id)
        let minimum: @Sendable (ObjectRetention?, Date) throws -> Void = { [self] retention, written in
            do {
                try checkMinimumRetention(retention, writtenAt: written, bucket: bucket)
            } catch let error as EngineError {
                throw CatalogueError(.versionLocked, error.message)
            }
        }
        let updated = try await catalogue {
            try await $0.updateLock(bucket: bucket.name, key: key, versionID: target) { object in
                if let current = object.retention, current.isActive(at: judged) {
                    let shortens = retention.map { $0.retainUntil < current.retainUntil } ?? true
                    let changesMode = retention.map { $0.mode != current.mode } ?? true
                    if current.mode == .compliance && (shortens || changesMode) {
                        throw CatalogueError(.versionLocked, """
                            Version \(object.versionID ?? "null") of \(key) is under COMPLIANCE retention until \
                            \(ISO8601DateFormatter().string(from: current.retainUntil)): it can only be extended.
                            """)
                    }
                    if current.mode == .governance && (shortens || changesMode) && !bypassGovernance {
                        throw CatalogueError(.versionLocked, """
                            Version \(object.versionID ?? "null") of \(key) is under GOVERNANCE retention: shortening or \
                            removing it needs x-amz-bypass-governance-retention and the right to bypass.
                            """)
                    }
                }
                try minimum(retention, object.lastModified)
                return (retention, object.legalHold)
            }
        }
        guard let updated else { throw Self.missing(versionID) }
        return updated
    }

    /// PutObjectLegalHold: anyone with write access places or lifts it.
    public func putLegalHold(bucket: BucketRecord, key: String, versionID: String?, on: Bool) async throws -> ObjectRecord {
        guard bucket.objectLock != nil else { throw EngineError(.invalidRequest, "Bucket is missing Object Lock Configuration") }
        let id = try versionID.map(Self.storedVersionID) ?? nil
        let target = try await resolveVersion(bucket: bucket.name, key: key, versionID: versionID, id: id)
        let updated = try await catalogue {
            try await $0.updateLock(bucket: bucket.name, key: key, versionID: target) { object in (object.retention, on) }
        }
        guard let updated else { throw Self.missing(versionID) }
        return updated
    }

    /// The stored version id a lock call addresses: the one named, else the current version's.
    private func resolveVersion(bucket: String, key: String, versionID: String?, id: String?) async throws -> String? {
        if versionID != nil { return id }
        return try await objectVersion(bucket: bucket, key: key, versionID: nil).versionID
    }

    static func missing(_ versionID: String?) -> EngineError {
        versionID == nil
            ? EngineError(.noSuchKey, "The specified key does not exist.")
            : EngineError(.noSuchVersion, "The specified version does not exist.")
    }

    // MARK: - Listing versions

    /// One page of ListObjectVersions: versions and delete markers, common prefixes, in key order.
    public struct VersionPage: Sendable {
        public var entries: [ObjectVersionEntry] = []
        public var commonPrefixes: [String] = []
        public var isTruncated = false
        /// Where the next page resumes (NextKeyMarker, NextVersionIdMarker).
        public var next: VersionListPosition?
    }

    /// ListObjectVersions: like `list`, with every version of each key, newest first.
    public func listVersions(
        bucket: String, prefix: String, delimiter: String, after position: VersionListPosition?, maxKeys: Int
    ) async throws -> VersionPage {
        var page = VersionPage()
        var cursor = position
        if let marker = position, marker.versionID == nil, let common = commonPrefix(of: marker.key, prefix: prefix, delimiter: delimiter) {
            cursor = VersionListPosition(key: Self.pastPrefix(common), versionID: nil)
        }
        guard maxKeys > 0 else { return page }
        var count = 0
        scan: while true {
            let limit = min(maxKeys - count + 1, 1000)
            let batch = try await catalogue {
                try await $0.listVersions(bucket: bucket, prefix: prefix, after: cursor, limit: limit)
            }
            if batch.isEmpty { break }
            for entry in batch {
                if count == maxKeys {
                    page.isTruncated = true
                    break scan
                }
                if let common = commonPrefix(of: entry.key, prefix: prefix, delimiter: delimiter) {
                    page.commonPrefixes.append(common)
                    count += 1
                    page.next = VersionListPosition(key: common, versionID: nil)
                    cursor = VersionListPosition(key: Self.pastPrefix(common), versionID: nil)
                    continue scan
                }
                page.entries.append(entry)
                count += 1
                page.next = VersionListPosition(key: entry.key, versionID: entry.wireVersionID)
                cursor = page.next
            }
            if batch.count < limit { break }
        }
        if !page.isTruncated { page.next = nil }
        return page
    }

    /// The greatest key a listing can resume after to skip every key starting with `prefix`: the
    /// prefix followed by the highest code point (no stored key sorts between).
    static func pastPrefix(_ prefix: String) -> String { prefix + "\u{10FFFF}" }
}
