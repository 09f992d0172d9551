import Foundation
import Testing
@testable import SouverainPortability

@Suite struct ManifestVerifierTests {
    static let objects: [(key: String, bytes: [UInt8])] = [
        ("empty", []),
        ("docs/report.pdf", Array("%PDF-1.7 rapport annuel".utf8)),
        ("../escape", Array("not outside".utf8)),
        ("dir/", []),
        ("dir//double", Array(repeating: 7, count: 70_000)),
        ("Été/日本語 🎉.txt", Array("unicode".utf8)),
    ]
    static let audit = "{\"sequence\":1}\n{\"sequence\":2}\n"

    @Test func anUntouchedExportIsValid() async throws {
        let export = try TestExport.make(Self.objects, audit: Self.audit)
        defer { export.remove() }
        let report = try await ManifestVerifier(directory: export.directory.path).verify()
        #expect(report.isValid, "\(report)")
        #expect(report.objects == Self.objects.count)
        #expect(report.bytes == Int64(Self.objects.reduce(0) { $0 + $1.bytes.count }))
        #expect(report.description.hasPrefix("OK"))
    }

    @Test func aFlippedByteIsReportedWithItsKeyAndPath() async throws {
        let export = try TestExport.make(Self.objects)
        defer { export.remove() }
        let entry = export.manifest.objects.first { $0.key == "dir//double" }!
        let file = export.directory.file(entry.path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[12_345] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: file))

        let report = try await ManifestVerifier(directory: export.directory.path).verify()
        #expect(report.problems.count == 1)
        guard case .digestMismatch(let key, let path, let expected, let actual) = report.problems.first else {
            Issue.record("expected a SHA-256 mismatch, got \(report.problems)")
            return
        }
        #expect(key == "dir//double" && path == entry.path)
        #expect(expected == entry.sha256 && actual != expected)
        #expect(report.description.contains(entry.path))
        #expect(report.description.hasPrefix("FAILED"))
    }

    @Test func aMissingFileIsReported() async throws {
        let export = try TestExport.make(Self.objects)
        defer { export.remove() }
        let entry = export.manifest.objects.first { $0.key == "../escape" }!
        try FileManager.default.removeItem(atPath: export.directory.file(entry.path))

        let report = try await ManifestVerifier(directory: export.directory.path).verify()
        #expect(report.problems == [.missing(key: "../escape", path: entry.path)])
    }

    @Test func anExtraFileIsReported() async throws {
        let export = try TestExport.make(Self.objects)
        defer { export.remove() }
        try Data("slipped in".utf8).write(to: URL(fileURLWithPath: export.directory.objectsPath + "/docs/extra.txt"))
        try FileManager.default.createSymbolicLink(atPath: export.directory.objectsPath + "/link", withDestinationPath: "/etc/hostname")

        let report = try await ManifestVerifier(directory: export.directory.path).verify()
        #expect(report.problems == [.extra(path: "objects/docs/extra.txt"), .extra(path: "objects/link")])
    }

    @Test func aTruncatedFileIsASizeMismatch() async throws {
        let export = try TestExport.make(Self.objects)
        defer { export.remove() }
        let entry = export.manifest.objects.first { $0.key == "docs/report.pdf" }!
        try Data("%PDF".utf8).write(to: URL(fileURLWithPath: export.directory.file(entry.path)))

        let report = try await ManifestVerifier(directory: export.directory.path).verify()
        #expect(report.problems == [.sizeMismatch(key: "docs/report.pdf", path: entry.path, expected: entry.size, actual: 4)])
    }

    @Test func aFileReplacedByALinkIsMissing() async throws {
        let export = try TestExport.make(Self.objects)
        defer { export.remove() }
        let entry = export.manifest.objects.first { $0.key == "docs/report.pdf" }!
        let file = export.directory.file(entry.path)
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: "/etc/hostname")

        let report = try await ManifestVerifier(directory: export.directory.path).verify()
        #expect(report.problems.contains(.missing(key: "docs/report.pdf", path: entry.path)))
    }

    /// A directory swapped for a link to elsewhere: nothing is read through it.
    @Test func aLinkedDirectoryIsNeverFollowed() async throws {
        let export = try TestExport.make(Self.objects)
        defer { export.remove() }
        let elsewhere = export.directory.path + "-elsewhere"
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        try FileManager.default.moveItem(atPath: export.directory.objectsPath + "/docs", toPath: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: export.directory.objectsPath + "/docs", withDestinationPath: elsewhere)
        let entry = export.manifest.objects.first { $0.key == "docs/report.pdf" }!

        let report = try await ManifestVerifier(directory: export.directory.path).verify()
        #expect(report.problems == [.missing(key: "docs/report.pdf", path: entry.path), .extra(path: "objects/docs")])
    }

    @Test func aTamperedAuditFileIsReported() async throws {
        let export = try TestExport.make(Self.objects, audit: Self.audit)
        defer { export.remove() }
        try Data(Self.audit.replacingOccurrences(of: "2", with: "3").utf8).write(to: URL(fileURLWithPath: export.directory.auditPath))

        let report = try await ManifestVerifier(directory: export.directory.path).verify()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.path == "audit.jsonl")
    }

    @Test func everyDifferenceIsListed() async throws {
        let export = try TestExport.make(Self.objects)
        defer { export.remove() }
        let byKey = Dictionary(uniqueKeysWithValues: export.manifest.objects.map { ($0.key, $0) })
        try FileManager.default.removeItem(atPath: export.directory.file(byKey["empty"]!.path))
        try Data("x".utf8).write(to: URL(fileURLWithPath: export.directory.file(byKey["Été/日本語 🎉.txt"]!.path)))
        try Data().write(to: URL(fileURLWithPath: export.directory.objectsPath + "/stray"))

        let report = try await ManifestVerifier(directory: export.directory.path).verify()
        #expect(report.problems.count == 3)
        let lines = report.description.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.contains { $0.contains("MISSING") && $0.contains("objects/empty") })
        #expect(lines.contains { $0.contains("SIZE") })
        #expect(lines.contains { $0.contains("EXTRA") && $0.contains("objects/stray") })
    }

    @Test func aDirectoryWithoutAManifestIsNotAnExport() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("souverain-empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        await #expect(throws: PortabilityError.self) { try await ManifestVerifier(directory: root).verify() }
    }
}
