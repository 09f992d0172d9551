/// What an event record is about: an S3 operation under AWS's own name (`PutObject`,
/// `GetObject`, `DeleteObjects`, ...) or an internal movement of bytes, named in lower case.
public struct AuditOperation: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    /// Bytes copied to another location to restore or add a replica.
    public static let replicate = AuditOperation("replicate")
    /// A damaged or missing replica rewritten from a healthy one.
    public static let repair = AuditOperation("repair")
    /// Objects moved to another location or endpoint.
    public static let migrate = AuditOperation("migrate")
    /// A bucket written out to plain files with a manifest.
    public static let export = AuditOperation("export")
    /// Objects brought in from another endpoint.
    public static let `import` = AuditOperation("import")
    /// A bucket key destroyed (crypto-shredding).
    public static let shred = AuditOperation("shred")
    /// Copies read and authenticated by the scrub; a finding names a damaged copy.
    public static let scrub = AuditOperation("scrub")
    /// A blob no object references any more deleted at its location.
    public static let collectGarbage = AuditOperation("collect-garbage")
    /// Lifecycle expired a current object, deleted a noncurrent version, removed an expired delete
    /// marker or aborted an unfinished upload; `detail` names the rule (docs/lifecycle.md).
    public static let lifecycleExpire = AuditOperation("lifecycle-expire")
    public static let lifecycleDeleteNoncurrent = AuditOperation("lifecycle-delete-noncurrent")
    public static let lifecycleRemoveDeleteMarker = AuditOperation("lifecycle-remove-delete-marker")
    public static let lifecycleAbortUpload = AuditOperation("lifecycle-abort-upload")
    /// The audit writer discarded a torn tail on an explicit decision; `detail` names it.
    public static let auditRecovered = AuditOperation("audit-recovered")

    /// A request the HTTP layer refused before it became an S3 request; `detail` says what was
    /// read of it and why.
    public static let refusedRequest = AuditOperation("RefusedRequest")
    /// Refused requests left out of the trail by its rate limit: how many, and from where.
    public static let refusalsSuppressed = AuditOperation("RefusalsSuppressed")

    /// The internal movements, as opposed to S3 operations.
    public static let internalMovements: Set<AuditOperation> = [
        .replicate, .repair, .migrate, .export, .import, .shred, .auditRecovered, .scrub, .collectGarbage,
        .lifecycleExpire, .lifecycleDeleteNoncurrent, .lifecycleRemoveDeleteMarker, .lifecycleAbortUpload,
    ]
}
