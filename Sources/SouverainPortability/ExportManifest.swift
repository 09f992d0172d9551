public import Foundation
import SouverainS3
public import SouverainS3Client

/// `manifest.json`: what an export holds, readable without Souverain (docs/export-format.md).
/// It is authoritative: an object's key is the manifest's, whatever its file is called.
public struct ExportManifest: Codable, Sendable, Equatable {
    /// Always `souverain-export`.
    public var format: String
    /// The version of this layout; readers refuse versions they do not know. 1 for a bucket never
    /// versioned; 2 for a versioned one, whose `objects` hold every version and delete marker.
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
    /// Every object, in the byte order of their keys; in version 2, every version and delete
    /// marker, each key's newest first (the order of ListObjectVersions).
    public var objects: [Entry]
    /// Version 2: the bucket's versioning status, `Enabled` or `Suspended`.
    public var versioning: String?
    /// Version 2: the bucket's Object Lock configuration, when it has Object Lock.
    public var objectLock: ObjectLock?
    /// The bucket's settings, by S3 subresource (`policy`, `lifecycle`, `cors`, `tagging`,
    /// `website`, `encryption`, `publicAccessBlock`, `ownershipControls`): each the document its
    /// GET answered on the source (JSON for the policy, XML for the others), which its PUT takes
    /// back. Absent when the bucket had none; older exports have none.
    public var configurations: [String: String]?

    public static let formatName = "souverain-export"
    /// The version of an unversioned bucket's export.
    public static let currentVersion = 1
    /// The version of a versioned bucket's export (docs/export-format.md, "Versions").
    public static let versionedVersion = 2

    /// Whether the manifest is of a versioned bucket (version 2).
    public var isVersioned: Bool { formatVersion == Self.versionedVersion }

    /// A bucket's Object Lock: always enabled once set, with an optional default retention.
    public struct ObjectLock: Codable, Sendable, Equatable {
        /// Always true: Object Lock cannot be turned off.
        public var enabled: Bool
        public var defaultRetention: DefaultRetention?

        /// The client's type: what GetObjectLockConfiguration reads is what the manifest keeps.
        public typealias DefaultRetention = ObjectLockSettings.DefaultRetention

        public init(defaultRetention: DefaultRetention?) {
            self.enabled = true
            self.defaultRetention = defaultRetention
        }
    }

    /// The Object Lock retention of one version.
    public struct Retention: Codable, Sendable, Equatable {
        /// `GOVERNANCE` or `COMPLIANCE`.
        public var mode: String
        /// ISO 8601 UTC with milliseconds.
        public var retainUntilDate: String

        public init(mode: String, retainUntilDate: String) {
            self.mode = mode
            self.retainUntilDate = retainUntilDate
        }
    }

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

    /// One object; in version 2, one version or delete marker.
    public struct Entry: Sendable, Equatable {
        /// The object key, exactly.
        public var key: String
        /// The file, relative to the export directory: `objects/` then `ObjectPath`'s encoding;
        /// for a version that is not its key's latest, followed by `~v` and its id
        /// (`ObjectPathAllocator.versionPath`). Empty for a delete marker, which has no file.
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
        /// Version 2: the version id the source gave (`null` for the null version).
        public var versionId: String?
        /// Version 2: whether this is its key's current version (or current delete marker).
        public var isLatest: Bool?
        /// Version 2: whether this is a delete marker (no file, no bytes).
        public var isDeleteMarker: Bool?
        /// Version 2: the version's Object Lock retention, when it has one.
        public var retention: Retention?
        /// Version 2: `ON` or `OFF`, for a version of a bucket with Object Lock.
        public var legalHold: String?

        public init(
            key: String, path: String, size: Int64, sha256: String, etag: String, contentType: String?,
            metadata: [String: String], headers: [String: String]?, lastModified: String,
            versionId: String? = nil, isLatest: Bool? = nil, isDeleteMarker: Bool? = nil, retention: Retention? = nil,
            legalHold: String? = nil
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
            self.versionId = versionId
            self.isLatest = isLatest
            self.isDeleteMarker = isDeleteMarker
            self.retention = retention
            self.legalHold = legalHold
        }

        /// A delete marker of a versioned bucket's export.
        public static func deleteMarker(key: String, versionId: String, isLatest: Bool, lastModified: String) -> Entry {
            Entry(
                key: key, path: "", size: 0, sha256: "", etag: "", contentType: nil, metadata: [:], headers: nil,
                lastModified: lastModified, versionId: versionId, isLatest: isLatest, isDeleteMarker: true)
        }

        /// Whether the entry is a delete marker.
        public var isMarker: Bool { isDeleteMarker == true }
    }

    /// A manifest of version 1, or of version 2 when `versioning` is given.
    public init(
        bucket: String, classification: String?, exportedAt: String, source: Source, audit: Audit?, objects: [Entry],
        versioning: String? = nil, objectLock: ObjectLock? = nil
    ) {
        self.format = Self.formatName
        self.formatVersion = versioning == nil ? Self.currentVersion : Self.versionedVersion
        self.versioning = versioning
        self.objectLock = objectLock
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
    ///
    /// Version 2 also: a versioning status of `Enabled` or `Suspended`; a valid default retention;
    /// on every entry a version id, `isLatest` and `isDeleteMarker`; at most one latest entry per
    /// key, and it comes first among the key's entries; no file and no lock on a delete marker; a
    /// retention of a known mode and an ISO 8601 date, a legal hold of ON or OFF.
    public func validate() throws {
        guard format == Self.formatName else {
            throw PortabilityError(.invalidManifest, "manifest.json says its format is \(format), not \(Self.formatName).")
        }
        guard formatVersion == Self.currentVersion || formatVersion == Self.versionedVersion else {
            throw PortabilityError(
                .invalidManifest,
                "manifest.json is format version \(formatVersion); this Souverain reads versions \(Self.currentVersion) and \(Self.versionedVersion) only.")
        }
        guard objectCount == objects.count else {
            throw PortabilityError(.invalidManifest, "manifest.json counts \(objectCount) objects but lists \(objects.count).")
        }
        if isVersioned { try validateVersions() }
        var keys = Set<[UInt8]>()
        var paths = Set<String>()
        for entry in objects {
            if isVersioned {
                // A key has several entries; the pair (key, version) is what must be unique.
                guard keys.insert(Array(entry.key.utf8) + [0] + Array((entry.versionId ?? "").utf8)).inserted else {
                    throw PortabilityError(.invalidManifest, "manifest.json lists the version \(entry.versionId ?? "") of \(entry.key) twice.")
                }
                if entry.isMarker { continue }
            } else {
                guard entry.versionId == nil, entry.isLatest == nil, entry.isDeleteMarker == nil, entry.retention == nil,
                      entry.legalHold == nil
                else {
                    throw PortabilityError(
                        .invalidManifest, "manifest.json is format version 1 but gives \(entry.key) version fields (only version 2 has them).")
                }
                guard keys.insert(Array(entry.key.utf8)).inserted else {
                    throw PortabilityError(.invalidManifest, "manifest.json lists the key \(entry.key) twice.")
                }
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

// MARK: - Version 2

extension ExportManifest {
    /// The checks only version 2 makes (`validate`).
    func validateVersions() throws {
        func refuse(_ message: String) -> PortabilityError { PortabilityError(.invalidManifest, "manifest.json " + message) }
        guard versioning == "Enabled" || versioning == "Suspended" else {
            throw refuse("is format version 2 but gives no versioning status of Enabled or Suspended.")
        }
        if let retention = objectLock?.defaultRetention {
            guard Self.retentionModes.contains(retention.mode), (retention.days == nil) != (retention.years == nil),
                  (retention.days ?? retention.years ?? 0) > 0
            else { throw refuse("has a default retention that is not a mode with a positive number of days or years.") }
        }
        var seen = Set<[UInt8]>()
        var previousKey: [UInt8]?
        for entry in objects {
            guard let versionId = entry.versionId, !versionId.isEmpty, entry.isLatest != nil, entry.isDeleteMarker != nil else {
                throw refuse("is format version 2 but lists \(entry.key) without versionId, isLatest and isDeleteMarker.")
            }
            let key = Array(entry.key.utf8)
            let first = key != previousKey
            if first {
                guard seen.insert(key).inserted else {
                    throw refuse("lists the versions of \(entry.key) apart from one another; a key's versions follow each other.")
                }
            }
            previousKey = key
            if entry.isLatest == true, !first {
                throw refuse("marks a version of \(entry.key) latest that is not the first of its key's versions (newest first).")
            }
            if entry.isMarker {
                guard entry.path.isEmpty, entry.retention == nil, entry.legalHold == nil else {
                    throw refuse("gives the delete marker \(versionId) of \(entry.key) a file or a lock.")
                }
            }
            if let retention = entry.retention {
                guard Self.retentionModes.contains(retention.mode), S3Date.parseISO8601(retention.retainUntilDate) != nil else {
                    throw refuse("gives \(entry.key) (version \(versionId)) a retention that is not a mode and an ISO 8601 date.")
                }
            }
            if let hold = entry.legalHold, hold != "ON", hold != "OFF" {
                throw refuse("gives \(entry.key) (version \(versionId)) a legal hold other than ON or OFF.")
            }
        }
    }

    static let retentionModes: Set<String> = ["GOVERNANCE", "COMPLIANCE"]

    /// The number of delete markers, and of versions with bytes.
    public var deleteMarkerCount: Int { objects.reduce(0) { $0 + ($1.isMarker ? 1 : 0) } }
}

extension ExportManifest.Entry: Codable {
    private enum CodingKeys: String, CodingKey {
        case key, path, size, sha256, etag, contentType, metadata, headers, lastModified
        case versionId, isLatest, isDeleteMarker, retention, legalHold
    }

    /// A delete marker is written without the fields of a file (path, size, SHA-256, ETag,
    /// content type, metadata, headers); every other entry has them, as in version 1.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        lastModified = try container.decode(String.self, forKey: .lastModified)
        versionId = try container.decodeIfPresent(String.self, forKey: .versionId)
        isLatest = try container.decodeIfPresent(Bool.self, forKey: .isLatest)
        isDeleteMarker = try container.decodeIfPresent(Bool.self, forKey: .isDeleteMarker)
        retention = try container.decodeIfPresent(ExportManifest.Retention.self, forKey: .retention)
        legalHold = try container.decodeIfPresent(String.self, forKey: .legalHold)
        if isDeleteMarker == true {
            path = try container.decodeIfPresent(String.self, forKey: .path) ?? ""
            size = try container.decodeIfPresent(Int64.self, forKey: .size) ?? 0
            sha256 = try container.decodeIfPresent(String.self, forKey: .sha256) ?? ""
            etag = try container.decodeIfPresent(String.self, forKey: .etag) ?? ""
            metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        } else {
            path = try container.decode(String.self, forKey: .path)
            size = try container.decode(Int64.self, forKey: .size)
            sha256 = try container.decode(String.self, forKey: .sha256)
            etag = try container.decode(String.self, forKey: .etag)
            metadata = try container.decode([String: String].self, forKey: .metadata)
        }
        contentType = try container.decodeIfPresent(String.self, forKey: .contentType)
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        if !isMarker {
            try container.encode(path, forKey: .path)
            try container.encode(size, forKey: .size)
            try container.encode(sha256, forKey: .sha256)
            try container.encode(etag, forKey: .etag)
            try container.encodeIfPresent(contentType, forKey: .contentType)
            try container.encode(metadata, forKey: .metadata)
            try container.encodeIfPresent(headers, forKey: .headers)
        }
        try container.encode(lastModified, forKey: .lastModified)
        try container.encodeIfPresent(versionId, forKey: .versionId)
        try container.encodeIfPresent(isLatest, forKey: .isLatest)
        try container.encodeIfPresent(isDeleteMarker, forKey: .isDeleteMarker)
        try container.encodeIfPresent(retention, forKey: .retention)
        try container.encodeIfPresent(legalHold, forKey: .legalHold)
    }
}
