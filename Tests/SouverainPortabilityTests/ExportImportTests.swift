import Crypto
import Foundation
import NIOCore
import SouverainPortability
import SouverainS3
import SouverainS3Client
import SouverainTesting
import Testing

/// Export, verify, import and their resumption against a real `souverain serve` (skipped when the
/// binary is not built), and an import from moto, an independent S3 implementation.
@Suite(.serialized, .sharedServer(.souverain), .enabled(if: TestServer.isAvailable(.souverain),
                             "souverain binary not built (set SOUVERAIN_BINARY or build the package first)"))
struct ExportImportTests {
    static let objects: [(key: String, size: Int, contentType: String?, metadata: [String: String])] = [
        ("empty", 0, nil, [:]),
        ("docs/report.pdf", 2_000, "application/pdf", ["author": "jeanne", "case": "42"]),
        ("../escape", 10, "text/plain", [:]),
        ("/leading//double", 11, nil, [:]),
        ("dir/", 0, "application/x-directory", [:]),
        ("dir", 5, nil, [:]),
        ("Été/日本語 🎉.txt", 300, "text/plain; charset=utf-8", ["lang": "fr"]),
        ("Report.PDF", 7, nil, [:]),
        ("report.pdf", 8, nil, [:]),
        (String(repeating: "long", count: 80) + "/x", 9, nil, [:]),
        ("big/nine-mebibytes.bin", 9 << 20, "application/octet-stream", ["kind": "multipart"]),
    ]

    /// `size` bytes, always the same for a key.
    static func bytes(_ key: String, _ size: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        var state = UInt64(truncatingIfNeeded: key.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) })
        for _ in 0..<size {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            buffer.writeInteger(UInt8(truncatingIfNeeded: state >> 56))
        }
        return buffer
    }

    static func sha256(_ buffer: ByteBuffer) -> String {
        SHA256.hash(data: Array(buffer.readableBytesView)).map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }

    func withClient(_ body: (S3Client) async throws -> Void) async throws {
        let server = try #require(TestServer.current)
        let client = try S3Client(configuration: S3ClientConfiguration(
            endpoint: server.endpoint, region: server.region,
            credentials: S3Credentials(accessKeyID: server.accessKey, secretAccessKey: server.secretKey)))
        do {
            try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func fill(_ client: S3Client, bucket: String) async throws {
        try await client.createBucket(bucket)
        for object in Self.objects {
            var headers = object.metadata.reduce(into: [String: String]()) { $0["x-amz-meta-" + $1.key] = $1.value }
            if let type = object.contentType { headers["content-type"] = type }
            let body = Self.bytes(object.key, object.size)
            if object.size > 8 << 20 {
                _ = try await client.uploadLarge(bucket: bucket, key: object.key, body: OneBuffer(buffer: body), headers: headers)
            } else {
                _ = try await client.putObject(bucket: bucket, key: object.key, bytes: body, headers: headers)
            }
        }
    }

    /// Every object of `Self.objects` is in `bucket` with the same bytes, type and metadata.
    func expectSameObjects(_ client: S3Client, bucket: String, except: Set<String> = []) async throws {
        let listed = try await client.listObjectsV2(bucket: bucket)
        #expect(Set(listed.contents.map(\.key)) == Set(Self.objects.map(\.key)).subtracting(except))
        for object in Self.objects where !except.contains(object.key) {
            let response = try await client.getObject(bucket: bucket, key: object.key)
            let body = try await response.body.collect(upTo: 16 << 20)
            #expect(Self.sha256(body) == Self.sha256(Self.bytes(object.key, object.size)), "\(object.key)")
            #expect(response.head.metadata == object.metadata, "\(object.key)")
            #expect(response.head.contentType == (object.contentType ?? "binary/octet-stream"), "\(object.key)")
        }
    }

    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("souverain-export-\(UUID().uuidString)").path
    }

    @Test func exportVerifyImportAndResume() async throws {
        try await withClient { client in
            try await fill(client, bucket: "portable")
            let directory = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }

            let first = try await ExportWriter(client: client, bucket: "portable", directory: directory).run()
            let manifest = try #require(first.manifest)
            #expect(first.written == Self.objects.count && first.unchanged == 0)
            #expect(manifest.objectCount == Self.objects.count)
            #expect(first.audit != nil, "\(first.auditNote ?? "")")
            #expect(!FileManager.default.fileExists(atPath: directory + "/" + ExportDirectory.journalName))
            #expect(!FileManager.default.fileExists(atPath: directory + "/" + ExportDirectory.temporaryName))
            let big = try #require(manifest.objects.first { $0.key == "big/nine-mebibytes.bin" })
            #expect(big.etag.hasSuffix("-2") && big.metadata == ["kind": "multipart"])
            #expect(try await ManifestVerifier(directory: directory).verify().isValid)

            // Again: nothing is fetched.
            let second = try await ExportWriter(client: client, bucket: "portable", directory: directory).run()
            #expect(second.written == 0 && second.unchanged == Self.objects.count)

            // Resumed from a journal holding half the entries, as a run stopped midway leaves it.
            try FileManager.default.removeItem(atPath: directory + "/" + ExportDirectory.manifestName)
            var journal = "{\"bucket\":\"portable\",\"format\":\"souverain-export-journal\"}\n"
            let encoder = JSONEncoder()
            for entry in manifest.objects.prefix(5) { journal += String(decoding: try encoder.encode(entry), as: UTF8.self) + "\n" }
            journal += "{\"key\":\"torn"  // a line cut by a crash
            try Data(journal.utf8).write(to: URL(fileURLWithPath: directory + "/" + ExportDirectory.journalName))
            let third = try await ExportWriter(client: client, bucket: "portable", directory: directory).run()
            #expect(third.unchanged == 5 && third.written == Self.objects.count - 5)
            #expect(try await ManifestVerifier(directory: directory).verify().isValid)

            // Into a new bucket, then again (all unchanged, multipart included).
            let imported = try await Importer(source: .export(directory: directory), destination: client, bucket: "restored").run()
            #expect(imported.isComplete && imported.createdBucket && imported.imported == Self.objects.count)
            try await expectSameObjects(client, bucket: "restored")
            let again = try await Importer(source: .export(directory: directory), destination: client, bucket: "restored").run()
            #expect(again.unchanged == Self.objects.count && again.imported == 0)

            // A changed and a deleted object: the export follows, and drops the stale file.
            _ = try await client.putObject(bucket: "portable", key: "dir", bytes: ByteBuffer(string: "changed"))
            try await client.deleteObject(bucket: "portable", key: "../escape")
            let stale = try #require(manifest.objects.first { $0.key == "../escape" })
            let fourth = try await ExportWriter(client: client, bucket: "portable", directory: directory).run()
            #expect(fourth.written == 1 && fourth.unchanged == Self.objects.count - 2)
            #expect(!FileManager.default.fileExists(atPath: directory + "/" + stale.path))
            #expect(try await ManifestVerifier(directory: directory).verify().isValid)
        }
    }

    @Test func aTamperedFileIsNeverImported() async throws {
        try await withClient { client in
            try await fill(client, bucket: "tamper-source")
            let directory = Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let manifest = try #require(try await ExportWriter(client: client, bucket: "tamper-source", directory: directory).run().manifest)
            for key in ["docs/report.pdf", "big/nine-mebibytes.bin"] {
                let entry = try #require(manifest.objects.first { $0.key == key })
                let handle = try FileHandle(forUpdating: URL(fileURLWithPath: directory + "/" + entry.path))
                try handle.seek(toOffset: 1000)
                try handle.write(contentsOf: Data([0xFF, 0x00, 0xFF]))
                try handle.close()
            }
            let report = try await ManifestVerifier(directory: directory).verify()
            #expect(report.problems.count == 2)

            let summary = try await Importer(source: .export(directory: directory), destination: client, bucket: "tamper-destination").run()
            #expect(Set(summary.failures.map(\.key)) == ["docs/report.pdf", "big/nine-mebibytes.bin"])
            #expect(summary.failures.allSatisfy { $0.message.contains("SHA-256") })
            try await expectSameObjects(client, bucket: "tamper-destination", except: ["docs/report.pdf", "big/nine-mebibytes.bin"])
        }
    }

    @Test func importFromABucketKeepsKeysAndMetadata() async throws {
        try await withClient { client in
            try await fill(client, bucket: "other-cloud")
            let summary = try await Importer(
                source: .bucket(client: client, bucket: "other-cloud", prefix: nil), destination: client, bucket: "migrated").run()
            #expect(summary.isComplete && summary.imported == Self.objects.count)
            try await expectSameObjects(client, bucket: "migrated")
            let again = try await Importer(
                source: .bucket(client: client, bucket: "other-cloud", prefix: nil), destination: client, bucket: "migrated").run()
            #expect(again.unchanged == Self.objects.count)

            let prefixed = try await Importer(
                source: .bucket(client: client, bucket: "other-cloud", prefix: "dir"), destination: client, bucket: "prefixed").run()
            #expect(prefixed.imported == 2)
            #expect(Set(try await client.listObjectsV2(bucket: "prefixed").contents.map(\.key)) == ["dir", "dir/"])
        }
    }

    @Test(.enabled(if: TestServer.isAvailable(.moto), "moto_server not on PATH"))
    func importFromMoto() async throws {
        let moto = try await TestServer.start(.moto)
        let source = try S3Client(configuration: S3ClientConfiguration(
            endpoint: moto.endpoint, credentials: S3Credentials(accessKeyID: "testing", secretAccessKey: "testing")))
        do {
            try await withClient { client in
                try await fill(source, bucket: "moto-bucket")
                let summary = try await Importer(
                    source: .bucket(client: source, bucket: "moto-bucket", prefix: nil), destination: client, bucket: "from-moto").run()
                #expect(summary.isComplete && summary.imported == Self.objects.count, "\(summary.failures)")
                try await expectSameObjects(client, bucket: "from-moto")
            }
        } catch {
            try? await source.shutdown()
            await moto.stop()
            throw error
        }
        try await source.shutdown()
        await moto.stop()
    }
}

/// A body of one buffer.
struct OneBuffer: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffer: ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?

        mutating func next() async throws -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
