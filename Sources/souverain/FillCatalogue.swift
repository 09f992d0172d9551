import ArgumentParser
import Foundation
import SouverainCatalogue
import SouverainCatalogueSQLite

/// `souverain fill-catalogue`: puts N object rows under a prefix of an existing bucket straight
/// into the catalogue, for measuring listings of very large buckets (a million objects would take
/// the S3 path a quarter of an hour on the benchmark machine). The rows are what a PUT of an empty
/// object records, but no blob is written: listing and HEAD see them, GET does not. For benchmark
/// data directories only.
struct FillCatalogue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-catalogue",
        abstract: "For listing benchmarks: catalogue rows of empty objects, without blobs, in an existing bucket.",
        shouldDisplay: false)

    @OptionGroup var common: CommonOptions
    @Option(help: "The bucket (it must exist).") var bucket: String
    @Option(help: "Key prefix; keys are PREFIX followed by a zero-padded number.") var prefix = "bench/list/"
    @Option(help: "Rows to put.") var count = 1_000_000
    @Option(help: "Rows written concurrently (the catalogue commits them in shared transactions).") var concurrency = 256
    @Option(help: "Versions per key (more than 1 turns versioning on): all but the newest are noncurrent.") var versions = 1

    func run() async throws {
        let directory = try DataDirectory(try common.settings())
        let catalogue = try await directory.openCatalogue()
        guard let bucketRecord = try await catalogue.bucket(named: bucket) else { throw ValidationError("no bucket named \(bucket)") }
        guard versions >= 1 else { throw ValidationError("--versions must be at least 1") }
        if versions > 1 { try await catalogue.setVersioning(bucket: bucket, .enabled) }
        let versions = self.versions
        let width = String(max(count - 1, 0)).count
        let started = ContinuousClock.now
        let now = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let index = next
                next += 1
                let key = prefix + String(repeating: "0", count: width - String(index).count) + String(index)
                group.addTask {
                    var record = ObjectRecord(
                        bucket: bucketRecord.name, key: key, size: 0, etag: "d41d8cd98f00b204e9800998ecf8427e", lastModified: now,
                        metadata: ObjectMetadata(), checksums: [:], location: "local",
                        segments: [BlobSegment(locator: "fill-catalogue/no-blob", size: 0)], partCount: nil)
                    for version in 0..<versions {
                        if versions > 1 { record.versionID = "fill-\(index)-\(version)" }
                        _ = try await catalogue.putObject(record)
                    }
                }
            }
            while next < min(concurrency, count) { add() }
            while try await group.next() != nil {
                guard next < count else { continue }
                add()
                if next % 100_000 == 0 { FileHandle.standardError.write(Data("\(next) rows\n".utf8)) }
            }
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        print("Put \(count) keys (\(versions) version(s) each) under \(bucket)/\(prefix) in \(String(format: "%.1f", seconds)) s.")
    }
}
