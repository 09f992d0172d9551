/// An internal movement of bytes that no S3 request made: a copy re-created by the repair, a
/// copy the scrub read and judged, a blob deleted by garbage collection. The engine hands each one
/// to the ``MovementSink`` it was given (the audit trail, in the server), so that every flow of
/// bytes, internal ones included, leaves a trace naming the locations it touched.
public struct Movement: Sendable, Equatable {
    /// What touched a location.
    public enum Direction: Sendable, Equatable {
        case read
        case write
        case delete
    }

    /// One location the movement touched, by its id in the configuration.
    public struct Touch: Sendable, Equatable {
        public var location: String
        public var direction: Direction

        public init(_ location: String, _ direction: Direction) {
            self.location = location
            self.direction = direction
        }
    }

    /// The kind of movement, as the trail names it (lower case, like the trail's other internal
    /// movements).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// A missing or damaged copy re-created from a good one.
        public static let repair = Kind("repair")
        /// The scrub read copies and judged them; a finding names a damaged copy.
        public static let scrub = Kind("scrub")
        /// A blob the catalogue let go of (overwritten, deleted, moved) deleted at its location.
        public static let collectGarbage = Kind("collect-garbage")
        /// Lifecycle expired a current object (docs/lifecycle.md).
        public static let lifecycleExpire = Kind("lifecycle-expire")
        /// Lifecycle deleted a noncurrent version.
        public static let lifecycleDeleteNoncurrent = Kind("lifecycle-delete-noncurrent")
        /// Lifecycle removed a delete marker that hid no version any more.
        public static let lifecycleRemoveDeleteMarker = Kind("lifecycle-remove-delete-marker")
        /// Lifecycle aborted a multipart upload left unfinished.
        public static let lifecycleAbortUpload = Kind("lifecycle-abort-upload")

        public var description: String { name }
    }

    public var kind: Kind
    public var bucket: String?
    public var key: String?
    /// The object version concerned, when there is one.
    public var version: String?
    /// Bytes moved: written for a repair, read for a scrub, deleted for garbage collection
    /// (0 when unknown).
    public var bytes: UInt64
    public var touched: [Touch]
    /// What a reader of the trail needs to know beyond the above (never a secret).
    public var detail: String?
    /// Set when the movement found or met a problem: `CorruptCopy`, `CopyFailed`...
    public var problem: String?

    public init(
        kind: Kind, bucket: String? = nil, key: String? = nil, version: String? = nil, bytes: UInt64 = 0, touched: [Touch],
        detail: String? = nil, problem: String? = nil
    ) {
        self.version = version
        self.kind = kind
        self.bucket = bucket
        self.key = key
        self.bytes = bytes
        self.touched = touched
        self.detail = detail
        self.problem = problem
    }
}

/// Where the engine records its internal movements. Recording is durable when it returns; when it
/// throws, the engine does not make the movement (or, when already made, does not rely on it).
public protocol MovementSink: Sendable {
    func record(_ movement: Movement) async throws
}

/// A movement could not be recorded: what stops the pass that wanted to make it.
struct MovementRecordingFailure: Error, CustomStringConvertible {
    var underlying: any Error
    var description: String { "the audit trail did not take the record of an internal movement: \(underlying)" }
}
