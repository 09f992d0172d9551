/// The order in which an import writes a versioned export's history back (docs/export-format.md,
/// "Versions"): key by key, each key's versions oldest first (the manifest lists them newest
/// first), a version as a PUT and a delete marker as a DELETE without a version id, which makes a
/// new marker on a versioned bucket. S3 gives every write a new version id; the replay makes the
/// destination's history of each key the same sequence as the source's.
public struct VersionReplay: Sendable, Equatable {
    /// One write of the replay.
    public enum Step: Sendable, Equatable {
        /// PUT the version's bytes, metadata and lock.
        case put(ExportManifest.Entry)
        /// DELETE the key without a version id: a new delete marker.
        case delete(ExportManifest.Entry)

        /// The manifest entry the step replays.
        public var entry: ExportManifest.Entry {
            switch self {
            case .put(let entry), .delete(let entry): entry
            }
        }
    }

    /// The key, exactly.
    public var key: String
    /// Oldest first.
    public var steps: [Step]

    public init(key: String, steps: [Step]) {
        self.key = key
        self.steps = steps
    }

    /// The replay of a version 2 manifest's entries: one per key, in the manifest's key order,
    /// each key's steps oldest first.
    public static func plan(_ entries: [ExportManifest.Entry]) -> [VersionReplay] {
        var order: [ExactKey] = []
        var byKey: [ExactKey: [ExportManifest.Entry]] = [:]
        for entry in entries {
            let key = ExactKey(entry.key)
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(entry)
        }
        return order.map { key in
            VersionReplay(key: key.key, steps: byKey[key]!.reversed().map { $0.isMarker ? .delete($0) : .put($0) })
        }
    }
}

/// A version written by an import: the id it had at the source and the one the destination gave.
public struct VersionMapping: Sendable, Equatable, Codable {
    public var key: String
    /// The version id in the manifest.
    public var sourceVersionId: String
    /// The version id the destination gave (nil when it gave none).
    public var versionId: String?
    public var isDeleteMarker: Bool

    public init(key: String, sourceVersionId: String, versionId: String?, isDeleteMarker: Bool) {
        self.key = key
        self.sourceVersionId = sourceVersionId
        self.versionId = versionId
        self.isDeleteMarker = isDeleteMarker
    }
}
