public import Foundation

/// `manifest.json`: what an export holds, readable without Souverain (docs/export-format.md).
/// It is authoritative: an object's key is the manifest's, whatever its file is called.
public struct ExportManifest: Codable, Sendable, Equatable {
    /// Always `souverain-export`.
    public var format: String
    /// The version of this layout; readers refuse versions they do not know.
    public var formatVersion: Int
    public var bucket: String
    /// The bucket's data classification (`health`, `sensitive`...), when the source has one.
    public var classification: String?
    /// When the export was completed, ISO 8601 UTC with milliseconds.
    public var exportedAt: String
    public var source: Source
    public var objectCount: Int
    public var totalBytes: Int64
    /// The audit records concerning the bucket, when the source has an audit trail.
    public var audit: Audit?
    /// Every object, in the byte order of their keys.
    public var objects: [Entry]

    public static let formatName = "souverain-export"
    public static let currentVersion = 1

    /// Where the objects came from.
    public struct Source: Codable, Sendable, Equatable {
        /// The S3 endpoint URL.
        public var endpoint: String
        public var region: String

        public init(endpoint: String, region: String) {
            self.endpoint = endpoint
            self.region = region
        }
    }

    /// `audit.jsonl`: the source's audit records concerning the bucket, one JSON object per line
    /// (docs/audit-format.md), in sequence order.
    public struct Audit: Codable, Sendable, Equatable {
        /// Relative to the export directory: `audit.jsonl`.
        public var path: String
        public var records: Int
        public var size: Int64
        public var sha256: String

        public init(path: String, records: Int, size: Int64, sha256: String) {
            self.path = path
            self.records = records
            self.size = size
            self.sha256 = sha256
        }
    }

    /// One object.
    public struct Entry: Codable, Sendable, Equatable {
        /// The object key, exactly.
        public var key: String
        /// The file, relative to the export directory: `objects/` then `ObjectPath`'s encoding.
        public var path: String
        public var size: Int64
        /// SHA-256 of the bytes, lower-case hex.
        public var sha256: String
        /// The entity tag the source gave, without quotes.
        public var etag: String
        public var contentType: String?
        /// User metadata (`x-amz-meta-*`), names lower-case without the prefix.
        public var metadata: [String: String]
        /// The other stored headers that are returned on GET: `cache-control`, `content-disposition`,
        /// `content-encoding`, `content-language`, `expires`. Absent when there are none.
        public var headers: [String: String]?
        /// ISO 8601 UTC with milliseconds.
        public var lastModified: String

        public init(
            key: String, path: String, size: Int64, sha256: String, etag: String, contentType: String?,
            metadata: [String: String], headers: [String: String]?, lastModified: String
        ) {
            self.key = key
            self.path = path
            self.size = size
            self.sha256 = sha256
            self.etag = etag
            self.contentType = contentType
            self.metadata = metadata
            self.headers = headers
            self.lastModified = lastModified
        }
    }

    public init(
        bucket: String, classification: String?, exportedAt: String, source: Source, audit: Audit?, objects: [Entry]
    ) {
        self.format = Self.formatName
        self.formatVersion = Self.currentVersion
        self.bucket = bucket
        self.classification = classification
        self.exportedAt = exportedAt
        self.source = source
        self.objectCount = objects.count
        self.totalBytes = objects.reduce(0) { $0 + $1.size }
        self.audit = audit
        self.objects = objects
    }

    /// The manifest as written: pretty-printed JSON, keys sorted, `/` unescaped, then a newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Reads and checks a manifest: the format and version, the counts, every object's path (under
    /// `objects/`, safe, one per key and file, case-insensitively distinct) and SHA-256.
    public static func decode(_ data: Data) throws -> ExportManifest {
        let manifest: ExportManifest
        do {
            manifest = try JSONDecoder().decode(ExportManifest.self, from: data)
        } catch {
            throw PortabilityError(.invalidManifest, "manifest.json is not a Souverain export manifest.", cause: error)
        }
        try manifest.validate()
        return manifest
    }

    /// The checks `decode` makes.
    public func validate() throws {
        guard format == Self.formatName else {
            throw PortabilityError(.invalidManifest, "manifest.json says its format is \(format), not \(Self.formatName).")
        }
        guard formatVersion == Self.currentVersion else {
            throw PortabilityError(
                .invalidManifest,
                "manifest.json is format version \(formatVersion); this Souverain reads version \(Self.currentVersion) only.")
        }
        guard objectCount == objects.count else {
            throw PortabilityError(.invalidManifest, "manifest.json counts \(objectCount) objects but lists \(objects.count).")
        }
        var keys = Set<[UInt8]>()
        var paths = Set<String>()
        for entry in objects {
            guard keys.insert(Array(entry.key.utf8)).inserted else {
                throw PortabilityError(.invalidManifest, "manifest.json lists the key \(entry.key) twice.")
            }
            guard let relative = ExportDirectory.objectRelativePath(entry.path) else {
                throw PortabilityError(
                    .invalidManifest, "manifest.json names the path \(entry.path) for \(entry.key), which is not a plain path under objects/.")
            }
            // Folded, as a case-insensitive file system would see them: two entries may not share a file.
            guard paths.insert(ObjectPathAllocator.fold(relative)).inserted else {
                throw PortabilityError(.invalidManifest, "manifest.json gives the file \(entry.path) to two objects.")
            }
            guard entry.size >= 0, Hex.isSHA256(entry.sha256) else {
                throw PortabilityError(.invalidManifest, "manifest.json has a bad size or SHA-256 for \(entry.key).")
            }
        }
        if let audit {
            guard audit.path == ExportDirectory.auditName, Hex.isSHA256(audit.sha256) else {
                throw PortabilityError(.invalidManifest, "manifest.json names the audit file \(audit.path); only \(ExportDirectory.auditName) is allowed.")
            }
        }
    }
}
