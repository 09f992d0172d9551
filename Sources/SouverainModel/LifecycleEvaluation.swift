public import Foundation

/// How lifecycle counts days, as S3 documents it: an action due `n` days after an instant (an
/// object written, a version made noncurrent, an upload started) applies from that instant plus
/// `n` days, rounded up to the next midnight UTC. An object written on 15 January at 10:30 UTC
/// under a 3-day expiration expires on 19 January at 00:00 UTC.
///
/// `secondsPerDay` is 86,400 in production. Tests shorten it (the hidden `lifecycle-day-seconds`
/// setting, like Ceph RGW's `rgw_lc_debug_interval`): a "day" then lasts that many seconds and
/// "midnight" is every multiple of it since the Unix epoch, so the counting stays the same.
public struct LifecycleDays: Sendable, Equatable {
    public var secondsPerDay: Int64

    public init(secondsPerDay: Int64 = 86_400) {
        precondition(secondsPerDay > 0, "a lifecycle day lasts at least one second")
        self.secondsPerDay = secondsPerDay
    }

    public static let standard = LifecycleDays()

    /// The instant from which an action due `days` days after `start` applies.
    public func due(_ days: Int, after start: Date) -> Date {
        let dayMilliseconds = secondsPerDay * 1000
        let startMilliseconds = Int64((start.timeIntervalSince1970 * 1000).rounded(.down))
        let (elapsed, overflow) = Int64(days).multipliedReportingOverflow(by: dayMilliseconds)
        guard !overflow, startMilliseconds <= Int64.max - elapsed - dayMilliseconds else { return .distantFuture }
        let end = startMilliseconds + elapsed
        // Rounded up to the next "midnight" (a multiple of the day); one already on it stays.
        let remainder = ((end % dayMilliseconds) + dayMilliseconds) % dayMilliseconds
        let midnight = remainder == 0 ? end : end - remainder + dayMilliseconds
        return Date(timeIntervalSince1970: Double(midnight) / 1000)
    }
}

/// One object version as lifecycle sees it. Until versioning exists every object is its key's
/// only version: current, not a delete marker, never noncurrent, never locked.
public struct LifecycleSubject: Sendable, Equatable {
    public var key: String
    /// The version id; nil for an unversioned object.
    public var versionID: String?
    public var size: Int64
    /// The version's tags (docs/tagging.md).
    public var tags: [String: String]
    /// When this version was written.
    public var lastModified: Date
    /// Whether this version is the key's current one (the latest; a delete marker may be it).
    public var isCurrent: Bool
    public var isDeleteMarker: Bool
    /// When a newer version replaced this one; nil while it is current.
    public var becameNoncurrentAt: Date?
    /// How many noncurrent versions of the key are newer than this one.
    public var newerNoncurrentVersions: Int
    /// Whether the key has versions besides this one: a current delete marker without any is an
    /// "expired object delete marker".
    public var hasOtherVersions: Bool
    /// Under a retention period or a legal hold (Object Lock): never deleted by lifecycle.
    public var isLocked: Bool

    public init(
        key: String, versionID: String? = nil, size: Int64, tags: [String: String] = [:], lastModified: Date,
        isCurrent: Bool = true, isDeleteMarker: Bool = false, becameNoncurrentAt: Date? = nil,
        newerNoncurrentVersions: Int = 0, hasOtherVersions: Bool = false, isLocked: Bool = false
    ) {
        self.key = key
        self.versionID = versionID
        self.size = size
        self.tags = tags
        self.lastModified = lastModified
        self.isCurrent = isCurrent
        self.isDeleteMarker = isDeleteMarker
        self.becameNoncurrentAt = becameNoncurrentAt
        self.newerNoncurrentVersions = newerNoncurrentVersions
        self.hasOtherVersions = hasOtherVersions
        self.isLocked = isLocked
    }
}

/// What lifecycle does to one object version or one multipart upload.
public enum LifecycleAction: Sendable, Equatable, CustomStringConvertible {
    /// Expiration of a current object: a delete (which, in a versioned bucket, makes a delete marker).
    case expireCurrent
    /// NoncurrentVersionExpiration: the version is deleted for good.
    case deleteNoncurrentVersion
    /// A delete marker that hides no version any more is removed.
    case removeExpiredDeleteMarker
    /// AbortIncompleteMultipartUpload.
    case abortUpload

    /// The name the audit trail records it under.
    public var description: String {
        switch self {
        case .expireCurrent: "lifecycle-expire"
        case .deleteNoncurrentVersion: "lifecycle-delete-noncurrent"
        case .removeExpiredDeleteMarker: "lifecycle-remove-delete-marker"
        case .abortUpload: "lifecycle-abort-upload"
        }
    }
}

/// The outcome of evaluating a configuration against one version or upload.
public enum LifecycleDecision: Sendable, Equatable {
    /// No enabled rule applies, or none is due yet.
    case none
    /// `action` is due, under the rule with id `rule`.
    case act(LifecycleAction, rule: String)
    /// `action` is due under `rule`, but the version is locked (retention or legal hold): it is
    /// left alone, and the refusal is recorded.
    case refusedLocked(LifecycleAction, rule: String)
}

extension LifecycleConfiguration {
    /// What the configuration does to `subject` at `now`. The first enabled rule (in the
    /// configuration's order) whose filter matches and whose action is due decides:
    /// - a current object that is not a delete marker expires `Expiration/Days` after it was
    ///   written, or from `Expiration/Date` on;
    /// - a current delete marker with no other version of its key is removed when a rule has
    ///   `ExpiredObjectDeleteMarker` true, or `Expiration/Days` that its age satisfies (as S3 does);
    /// - a noncurrent version is deleted `NoncurrentDays` after it became noncurrent, once at least
    ///   `NewerNoncurrentVersions` newer noncurrent versions exist.
    /// A locked version is never acted on: the decision says `refusedLocked`.
    public func decision(for subject: LifecycleSubject, now: Date, days: LifecycleDays = .standard) -> LifecycleDecision {
        for rule in rules where rule.isEnabled {
            // A delete marker has no size and no tags.
            let size = subject.isDeleteMarker ? 0 : subject.size
            let tags = subject.isDeleteMarker ? [:] : subject.tags
            guard rule.filter.matches(key: subject.key, size: size, tags: tags) else { continue }
            guard let action = Self.dueAction(rule, subject, now: now, days: days) else { continue }
            return subject.isLocked ? .refusedLocked(action, rule: rule.id) : .act(action, rule: rule.id)
        }
        return .none
    }

    private static func dueAction(_ rule: LifecycleRule, _ subject: LifecycleSubject, now: Date, days: LifecycleDays) -> LifecycleAction? {
        if subject.isCurrent {
            guard let expiration = rule.expiration else { return nil }
            if subject.isDeleteMarker {
                guard !subject.hasOtherVersions else { return nil }
                if expiration.expiredObjectDeleteMarker == true { return .removeExpiredDeleteMarker }
                if let count = expiration.days, now >= days.due(count, after: subject.lastModified) {
                    return .removeExpiredDeleteMarker
                }
                return nil
            }
            if let count = expiration.days, now >= days.due(count, after: subject.lastModified) { return .expireCurrent }
            if let date = expiration.date, now >= date { return .expireCurrent }
            return nil
        }
        guard let noncurrent = rule.noncurrentVersionExpiration, let since = subject.becameNoncurrentAt else { return nil }
        guard subject.newerNoncurrentVersions >= (noncurrent.newerNoncurrentVersions ?? 0) else { return nil }
        return now >= days.due(noncurrent.noncurrentDays, after: since) ? .deleteNoncurrentVersion : nil
    }

    /// What the configuration does to a multipart upload of `key` started at `initiated`: aborted
    /// `DaysAfterInitiation` days later by the first enabled rule whose prefix matches (such rules
    /// cannot filter on tags or sizes).
    public func decision(forUploadOf key: String, initiated: Date, now: Date, days: LifecycleDays = .standard) -> LifecycleDecision {
        for rule in rules where rule.isEnabled {
            guard let count = rule.abortIncompleteMultipartUploadDays, !rule.filter.hasTags, !rule.filter.hasSizes,
                  rule.filter.matches(key: key), now >= days.due(count, after: initiated)
            else { continue }
            return .act(.abortUpload, rule: rule.id)
        }
        return .none
    }

    /// Whether any enabled rule could ever abort an upload (so a pass need not list them otherwise).
    public var abortsUploads: Bool { rules.contains { $0.isEnabled && $0.abortIncompleteMultipartUploadDays != nil } }
}
