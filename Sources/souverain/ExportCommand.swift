import ArgumentParser
import Foundation
import SouverainPortability
import SouverainS3Client

/// `souverain export`: a bucket to plain files with a verifiable manifest (docs/export-format.md),
/// read through the S3 API like any client; `souverain export verify` checks such a directory
/// offline.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a bucket to plain files with a manifest of their SHA-256 (an exit, reversible by `souverain import`).",
        discussion: """
            Reads the bucket through the S3 API of the server running on --data (its admin credentials), or of \
            --endpoint with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. Writes DIR/manifest.json, DIR/objects/ (one file \
            per object, decrypted) and DIR/audit.jsonl (the bucket's audit records, when the server has a trail). \
            Run it again on the same directory to resume an interrupted export, or to bring it up to date. A versioned \
            bucket is exported with every version and delete marker, and their Object Lock retention and legal hold \
            (manifest format version 2).
            """,
        subcommands: [Verify.self])

    @OptionGroup var common: CommonOptions
    @Option(help: "The bucket to export.") var bucket: String?
    @Option(help: "The directory to write (new, empty, or an earlier export of the same bucket).") var to: String?
    @Option(help: "The S3 endpoint, when not the server running on --data (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).")
    var endpoint: String?
    @Option(help: "The region to sign for (default: the configuration's).") var region: String?
    @Option(help: "Objects fetched at a time.") var concurrency = 8
    @Flag(help: "Leave the audit records out.") var noAudit = false

    func run() async throws {
        guard let bucket, let to else { throw ValidationError("give --bucket B and --to DIR (or `souverain export verify DIR`)") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        let client = try SouverainConnection.client(common, endpoint: endpoint, region: region, concurrency: concurrency)
        var options = ExportWriter.Options()
        options.concurrency = concurrency
        options.includeAudit = !noAudit
        let progress = ProgressReporter(label: "export \(bucket)")
        let writer = ExportWriter(client: client, bucket: bucket, directory: to, options: options, progress: progress)
        let summary: ExportSummary
        let started = ContinuousClock.now
        do {
            summary = try await progress.run { try await writer.run() }
        } catch {
            try? await client.shutdown()
            throw PortabilityFailure("the export failed: \(error)")
        }
        var unrecorded: (any Error)?
        if endpoint == nil {
            // The server's trail records where the bucket went (each object read is a request of its own there).
            let objects = summary.manifest?.objectCount ?? summary.written + summary.unchanged
            let bytes = summary.manifest?.totalBytes ?? 0
            do {
                let versioned = summary.manifest?.isVersioned == true
                try await PortabilityRecord.send(
                    client, operation: "export", bucket: bucket, objects: objects, bytes: bytes, complete: summary.manifest != nil,
                    place: PortabilityRecord.directory(to),
                    // A resumed export skipped the files it had: its time says nothing of the bucket's bytes.
                    seconds: summary.unchanged == 0 ? Self.seconds(since: started) : nil, versions: versioned ? summary.versions : nil,
                    deleteMarkers: versioned ? summary.deleteMarkers : nil)
            } catch {
                unrecorded = error
            }
        }
        try? await client.shutdown()
        if let unrecorded { throw PortabilityFailure("the export ran, but the server did not record it in its audit trail: \(unrecorded)") }

        for key in summary.vanished { print("deleted while exporting, not exported: \(key)") }
        if let note = summary.auditNote { print("audit records not exported: \(note)") }
        for note in summary.configurationNotes { print(note) }
        guard let manifest = summary.manifest else {
            for failure in summary.failures { print("FAILED \(failure.key): \(failure.message)") }
            print("The export of \(bucket) to \(to) is incomplete: \(summary.failures.count) objects failed. Run the same command again to resume.")
            throw ExitCode(1)
        }
        var line = "Exported \(manifest.objectCount) objects (\(manifest.totalBytes) bytes) of bucket \(bucket) to \(to)"
        if manifest.isVersioned {
            line = "Exported \(summary.versions) versions and \(summary.deleteMarkers) delete markers (\(manifest.totalBytes) bytes) of bucket \(bucket) (versioning \(manifest.versioning ?? "?")\(manifest.objectLock != nil ? ", Object Lock" : "")) to \(to)"
        }
        line += ": \(summary.written) fetched, \(summary.unchanged) unchanged"
        if let audit = summary.audit { line += "; \(audit.records) audit records" }
        if let configurations = manifest.configurations { line += "; settings: " + configurations.keys.sorted().joined(separator: ", ") }
        print(line + ".")
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an export directory against its manifest: every file present, of the right size and SHA-256, nothing else.",
            discussion: "Needs nothing but the directory. Exits with status 1 and lists every difference when there is one.")

        @Argument(help: "The export directory.") var directory: String
        @Option(help: "Files hashed at a time.") var concurrency = 4

        func run() async throws {
            let progress = ProgressReporter(label: "verify")
            let verifier = ManifestVerifier(directory: directory, concurrency: concurrency, progress: progress)
            let report: VerificationReport
            do {
                report = try await progress.run { try await verifier.verify() }
            } catch {
                throw PortabilityFailure("\(error)")
            }
            print(report.description)
            if !report.isValid { throw ExitCode(1) }
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
