import Foundation
import Testing
@testable import SouverainPortability

@Suite struct ExportManifestTests {
    static let entry = ExportManifest.Entry(
        key: "2026/cafe\u{301} été/..//x", path: "objects/2026/cafe\u{301} été/.%2E/%/x", size: 3,
        sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", etag: "900150983cd24fb0d6963f7d28e17f72",
        contentType: "text/plain; charset=utf-8", metadata: ["author": "Jeanne", "case-id": "42"],
        headers: ["cache-control": "no-store"], lastModified: "2026-03-04T05:06:07.089Z")

    static let manifest = ExportManifest(
        bucket: "dossiers", classification: "health", exportedAt: "2026-03-04T06:00:00.000Z",
        source: .init(endpoint: "https://s3.example.fr", region: "fr-par"),
        audit: .init(path: "audit.jsonl", records: 2, size: 10, sha256: String(repeating: "0", count: 64)), objects: [entry])

    @Test func roundTripsByteForByte() throws {
        let data = try Self.manifest.encoded()
        let decoded = try ExportManifest.decode(data)
        #expect(decoded == Self.manifest)
        // The decomposed é survives as it was (String equality alone would not show it).
        #expect(decoded.objects[0].key.utf8.elementsEqual(Self.entry.key.utf8))
        #expect(decoded.objectCount == 1 && decoded.totalBytes == 3)
    }

    /// The documented layout (docs/export-format.md) is what is read: field names are the format.
    @Test func readsTheDocumentedFormat() throws {
        let text = """
            {
              "audit" : null,
              "bucket" : "archives",
              "classification" : null,
              "exportedAt" : "2026-03-04T06:00:00.000Z",
              "format" : "souverain-export",
              "formatVersion" : 1,
              "objectCount" : 1,
              "objects" : [
                {
                  "contentType" : "application/pdf",
                  "etag" : "900150983cd24fb0d6963f7d28e17f72",
                  "key" : "deliberations/2025/12.pdf",
                  "lastModified" : "2025-12-15T10:00:00.000Z",
                  "metadata" : { "seance" : "2025-12-12" },
                  "path" : "objects/deliberations/2025/12.pdf",
                  "sha256" : "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                  "size" : 3
                }
              ],
              "source" : { "endpoint" : "http://127.0.0.1:9000", "region" : "us-east-1" },
              "totalBytes" : 3
            }
            """
        let manifest = try ExportManifest.decode(Data(text.utf8))
        #expect(manifest.objects[0].key == "deliberations/2025/12.pdf")
        #expect(manifest.objects[0].headers == nil)
        #expect(manifest.objects[0].metadata == ["seance": "2025-12-12"])
    }

    @Test func writesSortedPrettyJSONWithUnescapedSlashes() throws {
        let text = String(decoding: try Self.manifest.encoded(), as: UTF8.self)
        #expect(text.contains("\"path\" : \"objects/2026/"))
        #expect(text.hasSuffix("}\n"))
        let keys = ["audit", "bucket", "classification", "exportedAt", "format", "formatVersion", "objectCount", "objects"]
        let positions = keys.map { text.range(of: "\"\($0)\" :")!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test(arguments: [
        "objects/../etc/passwd", "../etc/passwd", "/etc/passwd", "objects/a//b", "objects/", "objects/./a", "manifest.json",
        "objects\\a", "audit.jsonl",
    ])
    func refusesUnsafePaths(path: String) {
        var manifest = Self.manifest
        manifest.objects[0].path = path
        #expect(throws: PortabilityError.self) { try manifest.validate() }
    }

    @Test func refusesWhatCannotBeAnExport() throws {
        var manifest = Self.manifest
        manifest.formatVersion = 2
        #expect(throws: PortabilityError.self) { try manifest.validate() }

        manifest = Self.manifest
        manifest.format = "something-else"
        #expect(throws: PortabilityError.self) { try manifest.validate() }

        manifest = Self.manifest
        manifest.objects.append(Self.entry)
        manifest.objectCount = 2
        #expect(throws: PortabilityError.self) { try manifest.validate() }  // the same key twice

        manifest = Self.manifest
        var other = Self.entry
        other.key = "other"
        other.path = Self.entry.path.uppercased()
        manifest.objects.append(other)
        manifest.objectCount = 2
        #expect(throws: PortabilityError.self) { try manifest.validate() }  // one file for two keys, once case is folded

        manifest = Self.manifest
        manifest.objects[0].sha256 = "ABC"
        #expect(throws: PortabilityError.self) { try manifest.validate() }

        manifest = Self.manifest
        manifest.objectCount = 5
        #expect(throws: PortabilityError.self) { try manifest.validate() }

        manifest = Self.manifest
        manifest.audit?.path = "../audit.jsonl"
        #expect(throws: PortabilityError.self) { try manifest.validate() }

        #expect(throws: PortabilityError.self) { try ExportManifest.decode(Data("{\"format\": 1}".utf8)) }
    }
}
