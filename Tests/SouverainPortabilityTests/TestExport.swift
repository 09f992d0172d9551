import Crypto
import Foundation
@testable import SouverainPortability

/// An export directory written by hand, as `ExportWriter` would leave it, for offline tests.
struct TestExport {
    let directory: ExportDirectory
    let manifest: ExportManifest

    /// Writes `objects` (key → bytes) and their manifest under a new temporary directory.
    static func make(_ objects: [(key: String, bytes: [UInt8])], audit: String? = nil) throws -> TestExport {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("souverain-export-\(UUID().uuidString)").path
        let directory = ExportDirectory(root)
        let allocator = ObjectPathAllocator(keys: objects.map(\.key))
        var entries: [ExportManifest.Entry] = []
        for object in objects {
            let path = ExportDirectory.manifestPath(objectPath: allocator.path(for: object.key)!)
            let file = directory.file(path)
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(object.bytes).write(to: URL(fileURLWithPath: file))
            entries.append(ExportManifest.Entry(
                key: object.key, path: path, size: Int64(object.bytes.count), sha256: sha256(object.bytes),
                etag: Hex.encode(Insecure.MD5.hash(data: object.bytes)), contentType: "application/octet-stream",
                metadata: ["origin": "test"], headers: nil, lastModified: "2026-01-02T03:04:05.678Z"))
        }
        var auditEntry: ExportManifest.Audit?
        if let audit {
            try Data(audit.utf8).write(to: URL(fileURLWithPath: directory.auditPath))
            auditEntry = .init(path: ExportDirectory.auditName, records: audit.split(separator: "\n").count,
                               size: Int64(audit.utf8.count), sha256: sha256(Array(audit.utf8)))
        }
        let manifest = ExportManifest(
            bucket: "archives", classification: "public-archives", exportedAt: "2026-01-02T03:04:06.000Z",
            source: .init(endpoint: "http://127.0.0.1:9000", region: "us-east-1"), audit: auditEntry, objects: entries)
        try manifest.encoded().write(to: URL(fileURLWithPath: directory.manifestPath))
        return TestExport(directory: directory, manifest: manifest)
    }

    static func sha256(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(data: bytes)) }

    func remove() { try? FileManager.default.removeItem(atPath: directory.path) }
}
