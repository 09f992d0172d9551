import Foundation

/// The layout of an export directory (docs/export-format.md):
///
/// ```
/// manifest.json           the manifest, written last: its presence means the export is complete
/// objects/...             one plain file per object
/// audit.jsonl             the audit records concerning the bucket, when the source has a trail
/// manifest.partial.jsonl  while an export runs: one manifest entry per line, for resuming
/// .export-tmp/            while an export runs: downloads not yet complete
/// ```
public struct ExportDirectory: Sendable {
    public static let manifestName = "manifest.json"
    public static let objectsName = "objects"
    public static let auditName = "audit.jsonl"
    public static let journalName = "manifest.partial.jsonl"
    public static let temporaryName = ".export-tmp"

    /// The directory, without a trailing slash.
    public let path: String

    public init(_ path: String) {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        self.path = path
    }

    public var manifestPath: String { path + "/" + Self.manifestName }
    public var objectsPath: String { path + "/" + Self.objectsName }
    public var auditPath: String { path + "/" + Self.auditName }
    public var journalPath: String { path + "/" + Self.journalName }
    public var temporaryPath: String { path + "/" + Self.temporaryName }

    /// The absolute path of a manifest path (`objects/...`).
    public func file(_ relative: String) -> String { path + "/" + relative }

    /// Whether the manifest path names a regular file here, reached without following any
    /// symbolic link.
    public func holdsPlainFile(_ relative: String) -> Bool { POSIX.isPlainFile(root: path, relative: relative) }

    /// The manifest path of an object path relative to `objects/`.
    public static func manifestPath(objectPath: String) -> String { objectsName + "/" + objectPath }

    /// The part of a manifest path after `objects/`, when the path is a safe one under it.
    public static func objectRelativePath(_ manifestPath: String) -> String? {
        let prefix = objectsName + "/"
        guard manifestPath.utf8.starts(with: prefix.utf8) else { return nil }
        let relative = String(decoding: manifestPath.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
        return ObjectPath.isSafe(relative) ? relative : nil
    }

    /// Reads and checks `manifest.json`.
    public func readManifest() throws -> ExportManifest {
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            if FileManager.default.fileExists(atPath: journalPath) {
                throw PortabilityError(
                    .invalidManifest,
                    "\(path) holds an export that did not finish (\(Self.journalName), no \(Self.manifestName)); run the same `souverain export` again to complete it.")
            }
            throw PortabilityError(.invalidManifest, "\(path) holds no \(Self.manifestName): it is not an export directory.")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: manifestPath))
        } catch {
            throw PortabilityError(.io, "Cannot read \(manifestPath).", cause: error)
        }
        return try ExportManifest.decode(data)
    }
}
