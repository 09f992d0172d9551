public import Foundation

/// A bucket's lifecycle configuration, as S3 defines it (PutBucketLifecycleConfiguration): rules
/// that expire current objects, delete noncurrent versions and expired delete markers, and abort
/// multipart uploads left unfinished. Transitions between storage classes are not part of it:
/// Souverain has one storage class per location and placement decides where bytes go
/// (docs/lifecycle.md). Stored by the catalogue as JSON; parsed from and written as S3 XML by
/// `SouverainS3`; applied by `LifecycleConfiguration.decision(for:now:days:)`.
public struct LifecycleConfiguration: Sendable, Equatable, Codable {
    public var rules: [LifecycleRule]

    /// The most rules one configuration may hold, as in S3.
    public static let maximumRules = 1000

    public init(rules: [LifecycleRule]) {
        self.rules = rules
    }
}

/// One rule: which objects it applies to, and what it does to them.
public struct LifecycleRule: Sendable, Equatable, Codable {
    /// Unique within the configuration, at most 255 characters (S3 makes one up when none is given).
    public var id: String
    /// `Status` Enabled; a disabled rule is kept and shown, and does nothing.
    public var isEnabled: Bool
    public var filter: LifecycleFilter
    public var expiration: LifecycleExpiration?
    public var noncurrentVersionExpiration: NoncurrentVersionExpiration?
    /// `AbortIncompleteMultipartUpload/DaysAfterInitiation`.
    public var abortIncompleteMultipartUploadDays: Int?

    /// The longest rule id S3 accepts.
    public static let maximumIDLength = 255

    public init(
        id: String, isEnabled: Bool, filter: LifecycleFilter = LifecycleFilter(), expiration: LifecycleExpiration? = nil,
        noncurrentVersionExpiration: NoncurrentVersionExpiration? = nil, abortIncompleteMultipartUploadDays: Int? = nil
    ) {
        self.id = id
        self.isEnabled = isEnabled
        self.filter = filter
        self.expiration = expiration
        self.noncurrentVersionExpiration = noncurrentVersionExpiration
        self.abortIncompleteMultipartUploadDays = abortIncompleteMultipartUploadDays
    }
}

/// Which objects a rule applies to: a key prefix, tags (every one must be on the object), and
/// strict size bounds. `form` remembers how the client wrote it, so that GET answers the same shape.
public struct LifecycleFilter: Sendable, Equatable, Codable {
    /// How the filter was written in the request.
    public enum Form: String, Sendable, Codable {
        /// Neither `<Filter>` nor `<Prefix>`: every object.
        case none
        /// The legacy `<Prefix>` directly in the rule.
        case legacyPrefix
        /// `<Filter>` with at most one condition (an empty one: every object).
        case single
        /// `<Filter><And>…</And></Filter>`.
        case and
    }

    public struct Tag: Sendable, Hashable, Codable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public var form: Form
    /// The key prefix; nil when the filter names none.
    public var prefix: String?
    public var tags: [Tag]
    /// Applies to objects strictly larger than this many bytes.
    public var objectSizeGreaterThan: Int64?
    /// Applies to objects strictly smaller than this many bytes.
    public var objectSizeLessThan: Int64?

    public init(
        form: Form = .none, prefix: String? = nil, tags: [Tag] = [], objectSizeGreaterThan: Int64? = nil,
        objectSizeLessThan: Int64? = nil
    ) {
        self.form = form
        self.prefix = prefix
        self.tags = tags
        self.objectSizeGreaterThan = objectSizeGreaterThan
        self.objectSizeLessThan = objectSizeLessThan
    }

    public var hasTags: Bool { !tags.isEmpty }
    public var hasSizes: Bool { objectSizeGreaterThan != nil || objectSizeLessThan != nil }

    /// Whether the key starts with the prefix, byte for byte (as S3 compares keys).
    public func matches(key: String) -> Bool {
        guard let prefix else { return true }
        return key.utf8.starts(with: prefix.utf8)
    }

    /// Whether an object with this key, size and tags is one the rule applies to.
    public func matches(key: String, size: Int64, tags objectTags: [String: String]) -> Bool {
        guard matches(key: key) else { return false }
        if let objectSizeGreaterThan, !(size > objectSizeGreaterThan) { return false }
        if let objectSizeLessThan, !(size < objectSizeLessThan) { return false }
        return tags.allSatisfy { objectTags[$0.key] == $0.value }
    }
}

/// `<Expiration>`: current objects expire `days` after they were written or from `date` on;
/// `expiredObjectDeleteMarker` removes delete markers that no longer hide any version.
public struct LifecycleExpiration: Sendable, Equatable, Codable {
    public var days: Int?
    /// Midnight UTC.
    public var date: Date?
    public var expiredObjectDeleteMarker: Bool?

    public init(days: Int? = nil, date: Date? = nil, expiredObjectDeleteMarker: Bool? = nil) {
        self.days = days
        self.date = date
        self.expiredObjectDeleteMarker = expiredObjectDeleteMarker
    }
}

/// `<NoncurrentVersionExpiration>`: a version is deleted `noncurrentDays` after it stopped being
/// current, keeping the `newerNoncurrentVersions` most recent noncurrent ones when given.
public struct NoncurrentVersionExpiration: Sendable, Equatable, Codable {
    public var noncurrentDays: Int
    public var newerNoncurrentVersions: Int?

    /// The most noncurrent versions a rule may keep, as in S3.
    public static let maximumNewerNoncurrentVersions = 100

    public init(noncurrentDays: Int, newerNoncurrentVersions: Int? = nil) {
        self.noncurrentDays = noncurrentDays
        self.newerNoncurrentVersions = newerNoncurrentVersions
    }
}
