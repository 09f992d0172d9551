/// Why an export, a verification or an import could not be done (or not completely).
///
/// Shaped like NIO's `FileSystemError`: a `code`, a `message` that says what happened and what to
/// do, and an optional `cause`. It never holds a secret: S3 client errors carry none.
public struct PortabilityError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case io, invalidManifest, invalidDirectory, integrity, source, destination, incomplete
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A local file or directory could not be read or written; the message names it.
        public static let io = Code(.io)
        /// `manifest.json` is missing, unreadable, of an unknown version, or names an unsafe path.
        public static let invalidManifest = Code(.invalidManifest)
        /// The export directory is not empty and holds no export, or belongs to another bucket.
        public static let invalidDirectory = Code(.invalidDirectory)
        /// Bytes differ from what the manifest or the source announced (size or SHA-256).
        public static let integrity = Code(.integrity)
        /// The source (the exported bucket, or the bucket imported from) failed.
        public static let source = Code(.source)
        /// The destination bucket could not be created or written.
        public static let destination = Code(.destination)
        /// Some objects failed; a run with the same arguments resumes where this one stopped.
        public static let incomplete = Code(.incomplete)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What happened and what to do.
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message + (cause.map { " (\($0))" } ?? "") }
}
