import Foundation
import Testing
@testable import SouverainPortability
import SouverainS3Client

/// Format version 2 (a versioned bucket's export) beside version 1, and the order an import replays it in.
@Suite struct ExportManifestVersionsTests {
    static let sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    static func version(_ key: String, _ id: String, latest: Bool, path: String, retention: ExportManifest.Retention? = nil,
                        hold: String? = nil) -> ExportManifest.Entry {
        ExportManifest.Entry(
            key: key, path: path, size: 3, sha256: sha, etag: "900150983cd24fb0d6963f7d28e17f72", contentType: "text/plain",
            metadata: ["n": id], headers: nil, lastModified: "2026-03-04T05:06:07.089Z", versionId: id, isLatest: latest,
            isDeleteMarker: false, retention: retention, legalHold: hold)
    }

    static let compliance = ExportManifest.Retention(mode: "COMPLIANCE", retainUntilDate: "2036-03-04T05:06:07.089Z")

    /// `deeds/1789.pdf`: a forged overwrite (latest) over a record under COMPLIANCE; `gone`: a
    /// marker over a version.
    static let entries: [ExportManifest.Entry] = [
        version("deeds/1789.pdf", "v3forged", latest: true, path: "objects/deeds/1789.pdf", hold: "OFF"),
        version("deeds/1789.pdf", "v1record", latest: false, path: "objects/deeds/1789.pdf~vv1record", retention: compliance, hold: "ON"),
        .deleteMarker(key: "gone", versionId: "m2", isLatest: true, lastModified: "2026-03-04T05:06:08.000Z"),
        version("gone", "null", latest: false, path: "objects/gone~vnull"),
    ]

    static let manifest = ExportManifest(
        bucket: "archives", classification: "public-archives", exportedAt: "2026-03-04T06:00:00.000Z",
        source: .init(endpoint: "http://127.0.0.1:9000", region: "us-east-1"), audit: nil, objects: entries,
        versioning: "Enabled", objectLock: .init(defaultRetention: .init(mode: "COMPLIANCE", days: 365, years: nil)))

    @Test func aVersionedManifestIsVersionTwoAndRoundTrips() throws {
        #expect(Self.manifest.formatVersion == 2 && Self.manifest.isVersioned)
        let decoded = try ExportManifest.decode(try Self.manifest.encoded())
        #expect(decoded == Self.manifest)
        #expect(decoded.deleteMarkerCount == 1 && decoded.totalBytes == 9 && decoded.objectCount == 4)
    }

    @Test func aDeleteMarkerIsWrittenWithoutTheFieldsOfAFile() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Self.manifest.encoded()) as? [String: Any])
        let objects = try #require(json["objects"] as? [[String: Any]])
        #expect(Set(objects[2].keys) == ["key", "versionId", "isLatest", "isDeleteMarker", "lastModified"])
        #expect(objects[1]["retention"] as? [String: String] == ["mode": "COMPLIANCE", "retainUntilDate": "2036-03-04T05:06:07.089Z"])
        #expect(objects[1]["legalHold"] as? String == "ON")
        #expect(json["versioning"] as? String == "Enabled")
        let lock = try #require(json["objectLock"] as? [String: Any])
        #expect(lock["enabled"] as? Bool == true)
        let retention = try #require(lock["defaultRetention"] as? [String: Any])
        #expect(retention["mode"] as? String == "COMPLIANCE" && retention["days"] as? Int == 365 && retention["years"] == nil)
    }

    /// An unversioned bucket's manifest is version 1, with none of version 2's fields: byte for
    /// byte what older Souverains wrote and read.
    @Test func anUnversionedManifestStaysVersionOne() throws {
        let text = String(decoding: try ExportManifestTests.manifest.encoded(), as: UTF8.self)
        #expect(ExportManifestTests.manifest.formatVersion == 1)
        for field in ["versionId", "isLatest", "isDeleteMarker", "retention", "legalHold", "versioning", "objectLock"] {
            #expect(!text.contains("\"\(field)\""))
        }
    }

    @Test func readsTheDocumentedVersionTwoFormat() throws {
        let text = """
            {
              "bucket" : "archives", "classification" : "public-archives", "exportedAt" : "2026-03-04T06:00:00.000Z",
              "format" : "souverain-export", "formatVersion" : 2, "objectCount" : 2,
              "objectLock" : { "defaultRetention" : { "days" : 365, "mode" : "COMPLIANCE" }, "enabled" : true },
              "objects" : [
                { "isDeleteMarker" : true, "isLatest" : true, "key" : "deeds/1789.pdf",
                  "lastModified" : "2026-03-05T10:00:00.000Z", "versionId" : "3HL4kqtJlcpXroDTDmJ" },
                { "etag" : "900150983cd24fb0d6963f7d28e17f72", "isDeleteMarker" : false, "isLatest" : false,
                  "key" : "deeds/1789.pdf", "lastModified" : "2026-03-04T10:00:00.000Z", "legalHold" : "OFF",
                  "metadata" : {}, "path" : "objects/deeds/1789.pdf~vUIORUnfndfhnw89",
                  "retention" : { "mode" : "COMPLIANCE", "retainUntilDate" : "2036-03-04T10:00:00.000Z" },
                  "sha256" : "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "size" : 3,
                  "versionId" : "UIORUnfndfhnw89" }
              ],
              "source" : { "endpoint" : "http://127.0.0.1:9000", "region" : "us-east-1" },
              "totalBytes" : 3, "versioning" : "Enabled"
            }
            """
        let manifest = try ExportManifest.decode(Data(text.utf8))
        #expect(manifest.objects[0].isMarker && manifest.objects[0].path.isEmpty)
        #expect(manifest.objects[1].retention?.mode == "COMPLIANCE")
        #expect(manifest.objectLock?.defaultRetention?.days == 365)
    }

    @Test func refusesWhatCannotBeAVersionedExport() throws {
        func refused(_ change: (inout ExportManifest) -> Void) -> Bool {
            var manifest = Self.manifest
            change(&manifest)
            return (try? manifest.validate()) == nil
        }
        #expect(!refused { _ in })
        #expect(refused { $0.versioning = nil })
        #expect(refused { $0.versioning = "Disabled" })
        #expect(refused { $0.objectLock?.defaultRetention?.years = 1 })  // days and years
        #expect(refused { $0.objectLock?.defaultRetention?.mode = "FOREVER" })
        #expect(refused { $0.objects[1].versionId = nil })
        #expect(refused { $0.objects[1].isLatest = nil })
        #expect(refused { $0.objects[1].isLatest = true })  // latest, yet not first of its key
        #expect(refused { $0.objects[1].versionId = "v3forged" })  // one version twice
        #expect(refused { $0.objects[2].legalHold = "ON" })  // a marker cannot be locked
        #expect(refused { $0.objects[2].path = "objects/gone~vm2" })  // nor have a file
        #expect(refused { $0.objects[1].retention?.mode = "FOREVER" })
        #expect(refused { $0.objects[1].retention?.retainUntilDate = "next year" })
        #expect(refused { $0.objects[1].legalHold = "MAYBE" })
        #expect(refused { $0.objects[3].path = "objects/DEEDS/1789.pdf" })  // one file for two versions, once case is folded
        #expect(refused { $0.objects.swapAt(0, 2) })  // a key's versions apart
        // Version 1 has no version fields.
        var plain = ExportManifestTests.manifest
        plain.objects[0].versionId = "v1"
        #expect(throws: PortabilityError.self) { try plain.validate() }
        // A marker in a version 1 manifest lacks its file: refused as it always was.
        let text = String(decoding: try Self.manifest.encoded(), as: UTF8.self).replacingOccurrences(of: "\"formatVersion\" : 2", with: "\"formatVersion\" : 1")
        #expect(throws: PortabilityError.self) { try ExportManifest.decode(Data(text.utf8)) }
    }

    @Test func anImportReplaysEachKeyOldestFirstWithMarkersAsDeletes() {
        let plan = VersionReplay.plan(Self.entries)
        #expect(plan.map(\.key) == ["deeds/1789.pdf", "gone"])
        #expect(plan[0].steps == [.put(Self.entries[1]), .put(Self.entries[0])])
        #expect(plan[1].steps == [.put(Self.entries[3]), .delete(Self.entries[2])])
    }

    @Test func aKeyWhoseOldestVersionIsAMarkerStartsWithADelete() {
        let entries: [ExportManifest.Entry] = [
            Self.version("k", "b", latest: true, path: "objects/k"),
            .deleteMarker(key: "k", versionId: "a", isLatest: false, lastModified: "2026-01-01T00:00:00.000Z"),
        ]
        #expect(VersionReplay.plan(entries) == [VersionReplay(key: "k", steps: [.delete(entries[1]), .put(entries[0])])])
    }

    @Test func anEndedRetentionIsNotSentAgainButALegalHoldIs() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2030-01-01T00:00:00Z"))
        var entry = Self.entries[1]
        #expect(Importer.lockHeaders(entry, now: now) == [
            "x-amz-object-lock-mode": "COMPLIANCE", "x-amz-object-lock-retain-until-date": "2036-03-04T05:06:07.089Z",
            "x-amz-object-lock-legal-hold": "ON",
        ])
        entry.retention?.retainUntilDate = "2029-12-31T23:59:59.000Z"
        #expect(Importer.lockHeaders(entry, now: now) == ["x-amz-object-lock-legal-hold": "ON"])
    }

    @Test func versionsOtherThanTheLatestGetTheirOwnFiles() {
        let paths = ObjectPathAllocator.versionPaths(
            plain: "deeds/1789.pdf", versionIDs: ["null", "Abc_-1.x", "abc_-1.X", "a/b", "ends.", String(repeating: "x", count: 33)])
        #expect(paths[0] == "deeds/1789.pdf~vnull")
        // Ids differing only by case, or not safe in a file name, are hashed.
        #expect(paths[1].hasPrefix("deeds/1789.pdf~h") && paths[2].hasPrefix("deeds/1789.pdf~h") && paths[1] != paths[2])
        for path in paths[3...] { #expect(path.hasPrefix("deeds/1789.pdf~h") && path.count == "deeds/1789.pdf~h".count + 32) }
        #expect(Set(paths.map { $0.lowercased() }).count == paths.count)
    }
}
