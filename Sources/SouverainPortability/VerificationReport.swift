/// What `ManifestVerifier` found: every difference between an export's files and its manifest.
public struct VerificationReport: Sendable, Equatable, CustomStringConvertible {
    /// One difference.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// The manifest names a file that is not there (or is not a regular file).
        case missing(key: String, path: String)
        /// The file has another size than the manifest says.
        case sizeMismatch(key: String, path: String, expected: Int64, actual: Int64)
        /// The file has the manifest's size but another SHA-256.
        case digestMismatch(key: String, path: String, expected: String, actual: String)
        /// A file under `objects/` that the manifest does not name (or a link, device...).
        case extra(path: String)
        /// `audit.jsonl` is missing or differs from the manifest's size and SHA-256.
        case auditMismatch(path: String, detail: String)

        /// The file concerned, relative to the export directory.
        public var path: String {
            switch self {
            case .missing(_, let path), .sizeMismatch(_, let path, _, _), .digestMismatch(_, let path, _, _), .extra(let path),
                 .auditMismatch(let path, _):
                return path
            }
        }

        public var description: String {
            switch self {
            case .missing(let key, let path):
                return "MISSING   \(path) (key \(key))"
            case .sizeMismatch(let key, let path, let expected, let actual):
                return "SIZE      \(path) (key \(key)): \(actual) bytes, the manifest says \(expected)"
            case .digestMismatch(let key, let path, let expected, let actual):
                return "SHA-256   \(path) (key \(key)): \(actual), the manifest says \(expected)"
            case .extra(let path):
                return "EXTRA     \(path): not in the manifest"
            case .auditMismatch(let path, let detail):
                return "AUDIT     \(path): \(detail)"
            }
        }
    }

    public var bucket: String
    /// Objects the manifest lists, and their bytes.
    public var objects: Int
    public var bytes: Int64
    /// In the order found: the manifest's order, then extra files in path order.
    public var problems: [Problem]

    public init(bucket: String, objects: Int, bytes: Int64, problems: [Problem]) {
        self.bucket = bucket
        self.objects = objects
        self.bytes = bytes
        self.problems = problems
    }

    /// Whether every file matches the manifest and nothing else is there.
    public var isValid: Bool { problems.isEmpty }

    public var description: String {
        if isValid {
            return "OK: the export of bucket \(bucket) matches its manifest: \(objects) objects, \(bytes) bytes, each of the right size and SHA-256."
        }
        let noun = problems.count == 1 ? "difference" : "differences"
        return "FAILED: the export of bucket \(bucket) differs from its manifest (\(problems.count) \(noun)):\n"
            + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}
