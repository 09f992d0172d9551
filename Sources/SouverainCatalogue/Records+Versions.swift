public import Foundation

/// A bucket's versioning state as S3 defines it. A bucket never versioned has none (nil): once
/// enabled, versioning can be suspended but never turned off again.
public enum VersioningState: String, Sendable, Equatable, Codable {
    /// Every write gets a new version id; a DELETE without a version id adds a delete marker.
    case enabled = "Enabled"
    /// Writes replace the `null` version; a DELETE without a version id makes a `null` delete marker.
    case suspended = "Suspended"
}

/// Object Lock retention modes, as AWS names them.
public enum RetentionMode: String, Sendable, Hashable, Codable {
    /// Deletions and shortenings are refused unless the caller may bypass governance and asks to.
    case governance = "GOVERNANCE"
    /// Nobody, admin included, may delete the version or shorten its retention before it ends.
    case compliance = "COMPLIANCE"
}

/// A retention on one object version: its mode and when it ends.
public struct ObjectRetention: Sendable, Hashable, Codable {
    public var mode: RetentionMode
    public var retainUntil: Date

    public init(mode: RetentionMode, retainUntil: Date) {
        self.mode = mode
        self.retainUntil = retainUntil
    }

    /// Whether the retention still holds at `now`.
    public func isActive(at now: Date) -> Bool { retainUntil > now }
}

/// A bucket's Object Lock: always enabled once set; optionally a default retention given to every
/// new version that does not state its own.
public struct ObjectLockConfiguration: Sendable, Equatable, Codable {
    public struct DefaultRetention: Sendable, Equatable, Codable {
        public var mode: RetentionMode
        /// Exactly one of `days` and `years` is set.
        public var days: Int?
        public var years: Int?

        public init(mode: RetentionMode, days: Int? = nil, years: Int? = nil) {
            self.mode = mode
            self.days = days
            self.years = years
        }

        /// The retention a version written at `now` gets.
        public func retention(from now: Date) -> ObjectRetention {
            var components = DateComponents()
            if let days { components.day = days }
            if let years { components.year = years }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let until = calendar.date(byAdding: components, to: now) ?? now
            return ObjectRetention(mode: mode, retainUntil: until)
        }

        /// The length of the default retention in days (a year counts 365).
        public var lengthInDays: Int { (days ?? 0) + (years ?? 0) * 365 }
    }

    public var defaultRetention: DefaultRetention?

    public init(defaultRetention: DefaultRetention? = nil) {
        self.defaultRetention = defaultRetention
    }
}

/// One version of a key as ListObjectVersions shows it: an object version or a delete marker.
public struct ObjectVersionEntry: Sendable, Equatable {
    public var key: String
    /// nil for the `null` version.
    public var versionID: String?
    public var isLatest: Bool
    /// The version's record; nil for a delete marker.
    public var object: ObjectRecord?
    /// When the version (or the marker) was made.
    public var lastModified: Date

    public init(key: String, versionID: String?, isLatest: Bool, object: ObjectRecord?, lastModified: Date) {
        self.key = key
        self.versionID = versionID
        self.isLatest = isLatest
        self.object = object
        self.lastModified = lastModified
    }

    public var isDeleteMarker: Bool { object == nil }
}

/// Where a listing of versions resumes: after this key's versions, or after one version of it.
public struct VersionListPosition: Sendable, Equatable {
    public var key: String
    /// Resume after this version of `key` (`"null"` for the null version); nil: after all of `key`.
    public var versionID: String?

    public init(key: String, versionID: String?) {
        self.key = key
        self.versionID = versionID
    }
}

/// What a version-addressed deletion removed.
public struct RemovedVersion: Sendable {
    public var entry: ObjectVersionEntry
    public var garbage: [GarbageBlob]

    public init(entry: ObjectVersionEntry, garbage: [GarbageBlob]) {
        self.entry = entry
        self.garbage = garbage
    }
}

extension ObjectVersionEntry {
    /// The version id as S3 writes it: `null` for the null version.
    public var wireVersionID: String { versionID ?? "null" }
}

extension ObjectRecord {
    /// The same record with its version id and lock state.
    public func withVersion(id: String?, retention: ObjectRetention?, legalHold: Bool) -> ObjectRecord {
        var record = self
        record.versionID = id
        record.retention = retention
        record.legalHold = legalHold
        return record
    }

    /// Whether a retention (at `now`) or a legal hold forbids deleting or replacing this version.
    public func isLocked(at now: Date) -> Bool {
        legalHold || (retention?.isActive(at: now) ?? false)
    }
}

/// The Object Lock a write asks for (headers of PUT, copy, CreateMultipartUpload), kept with a
/// multipart upload until it completes.
public struct RequestedLock: Sendable, Hashable, Codable {
    public var retention: ObjectRetention?
    public var legalHold: Bool

    public init(retention: ObjectRetention? = nil, legalHold: Bool = false) {
        self.retention = retention
        self.legalHold = legalHold
    }
}
