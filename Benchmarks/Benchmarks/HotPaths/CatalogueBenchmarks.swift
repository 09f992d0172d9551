import Benchmark
import Foundation
import SouverainCatalogue
import SouverainCatalogueSQLite
import SouverainModel
import Synchronization

/// A real SQLite catalogue in a temporary directory, holding one bucket of 10,000 objects.
final class CatalogueFixture: Sendable {
    static let bucket = "photos"
    static let objectCount = 10_000

    let catalogue: SQLiteCatalogue
    /// The keys of the seeded objects, in byte order.
    let keys: [String]
    private let counter = Mutex(0)

    /// Creates the catalogue under `directory` and fills the bucket, many writes at once so that
    /// group commit batches them (one by one, each would wait for its own sync).
    /// The directory is removed if this throws (the benchmark's teardown does not run then).
    init(directory: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            let catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
            let created = Date(timeIntervalSince1970: 1_764_000_000)
            try await catalogue.createBucket(BucketRecord(name: Self.bucket, owner: "admin", createdAt: created, region: "eu-west-3"))
            // The objects' data keys are wrapped by version 1 of the bucket key, which must exist.
            _ = try await catalogue.addBucketKey(
                BucketKeyRecord(bucket: Self.bucket, version: 1, wrappedKey: "AQAAAAEAAAAB", state: .active, created: created))
            let keys = (0..<Self.objectCount).map(Self.key(_:))
            try await withThrowingTaskGroup(of: Void.self) { group in
                let inFlight = 64
                for (index, key) in keys.enumerated() {
                    if index >= inFlight { try await group.next() }
                    group.addTask { _ = try await catalogue.putObject(Self.object(key: key, index: index)) }
                }
                try await group.waitForAll()
            }
            self.catalogue = catalogue
            self.keys = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// A fresh number on each call, for keys that do not exist yet and for rotating through pages.
    func next() -> Int {
        counter.withLock { value in
            defer { value += 1 }
            return value
        }
    }

    /// Where the next 1000-key page starts: one of the first nine pages, in turn.
    func nextPage() -> ListPosition? {
        let page = next() % 9
        return page == 0 ? nil : .key(keys[page * 1_000 - 1])
    }

    static func key(_ index: Int) -> String {
        let digits = String(index)
        return "photos/2026/\(index % 12 + 1)/IMG_\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).jpg"
    }

    /// An object record as a PUT of an encrypted 1 MiB object with a CRC32 checksum stores it.
    static func object(key: String, index: Int) -> ObjectRecord {
        let encryption = BlobEncryption(
            bucketKeyVersion: 1, wrappedDataKey: "q1r2s3t4u5v6w7x8y9z0A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Qg==",
            identity: String(repeating: String(index % 16, radix: 16), count: 32), chunkSize: 65_536, storedSize: 1_048_832)
        return ObjectRecord(
            bucket: bucket, key: key, size: 1_048_576, etag: String(repeating: "5d41402abc4b2a76", count: 2),
            lastModified: Date(timeIntervalSince1970: 1_764_000_000 + Double(index)),
            metadata: ObjectMetadata(contentType: "image/jpeg", user: ["camera": "x-t5"]),
            checksums: [.crc32: "kXe1Tg=="], location: "local",
            segments: [BlobSegment(locator: UUID().uuidString, size: 1_048_576, encryption: encryption)], partCount: nil)
    }
}

/// Registers a benchmark on a catalogue of its own, built in a temporary directory before the
/// iterations and removed after them; one iteration is one call of `body`.
private func catalogueBenchmark(_ name: String, body: @escaping (CatalogueFixture) async throws -> Void) {
    let directory = NSTemporaryDirectory() + "souverain-benchmark-catalogue-" + UUID().uuidString
    Benchmark(name) { _, fixture in
        do {
            try await body(fixture)
        } catch {
            fatalError("\(name) failed: \(error)")
        }
    } setup: {
        try await CatalogueFixture(directory: directory)
    } teardown: {
        try FileManager.default.removeItem(atPath: directory)
    }
}

/// The catalogue calls of a PUT, a GET/HEAD and a ListObjects page, on a bucket of 10,000 objects.
func catalogueBenchmarks() {
    catalogueBenchmark("Catalogue putObject, new key, bucket of 10,000 (durable commit)") { fixture in
        let index = CatalogueFixture.objectCount + fixture.next()
        blackHole(try await fixture.catalogue.putObject(CatalogueFixture.object(key: "uploads/new-\(index).bin", index: index)))
    }

    catalogueBenchmark("Catalogue object lookup by key, bucket of 10,000") { fixture in
        // Keys spread over the whole bucket, a different one each time.
        let key = fixture.keys[fixture.next() &* 7_919 % CatalogueFixture.objectCount]
        guard let object = try await fixture.catalogue.object(bucket: CatalogueFixture.bucket, key: key) else {
            fatalError("no object under \(key)")
        }
        blackHole(object)
    }

    // One of the first nine pages, in turn, each a full 1000 keys: summaries as ListObjects uses
    // them, then whole records for comparison (what decoding metadata and segments adds).
    catalogueBenchmark("Catalogue listSummaries, 1000 keys, bucket of 10,000") { fixture in
        let summaries = try await fixture.catalogue.listSummaries(
            bucket: CatalogueFixture.bucket, prefix: "photos/", after: fixture.nextPage(), limit: 1_000)
        precondition(summaries.count == 1_000, "listed \(summaries.count) keys")
        blackHole(summaries)
    }

    catalogueBenchmark("Catalogue listObjects (whole records), 1000 keys, bucket of 10,000") { fixture in
        let objects = try await fixture.catalogue.listObjects(
            bucket: CatalogueFixture.bucket, prefix: "photos/", after: fixture.nextPage(), limit: 1_000)
        precondition(objects.count == 1_000, "listed \(objects.count) keys")
        blackHole(objects)
    }
}
