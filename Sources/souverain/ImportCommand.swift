import ArgumentParser
import Foundation
import SouverainPortability
import SouverainS3Client

/// `souverain import`: objects into a bucket of this Souverain, from an export directory or from a
/// bucket of any S3-compatible endpoint (another provider: the way in, as `export` is the way out).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import objects into a bucket, from an export directory or from any S3-compatible endpoint.",
        discussion: """
            --from DIR: an export directory (`souverain export`); each file's size and SHA-256 are checked against \
            the manifest as it is sent, and the bucket is created with the exported classification if it does not exist. \
            --from s3://BUCKET[/PREFIX] with --endpoint URL: the source bucket, read with --source-access-key and \
            --source-secret-key (or SOURCE_AWS_ACCESS_KEY_ID and SOURCE_AWS_SECRET_ACCESS_KEY); keys are kept whole. \
            The destination is the server running on --data (its admin credentials), or --destination-endpoint with \
            AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. Objects already there with the same size and ETag are skipped, \
            so running the same command again resumes an interrupted import. An export of a versioned bucket \
            (manifest version 2) is replayed key by key, oldest version first, with each version's retention and legal \
            hold, into a bucket with versioning (and Object Lock when the export has locks); version ids change and the \
            map from old to new is printed, or written to --version-map.
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "The source: an export directory, or s3://BUCKET[/PREFIX].") var from: String
    @Option(help: "The destination bucket (created if missing).") var bucket: String
    @Option(name: [.long, .customLong("source-endpoint")], help: "With --from s3://...: the source's S3 endpoint URL.")
    var endpoint: String?
    @Option(help: "The region the source signs for.") var sourceRegion: String?
    @Option(help: "The source's access key (default $SOURCE_AWS_ACCESS_KEY_ID).") var sourceAccessKey: String?
    @Option(help: "The source's secret key (default $SOURCE_AWS_SECRET_ACCESS_KEY).") var sourceSecretKey: String?
    @Option(help: "The destination's S3 endpoint, when not the server running on --data (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).")
    var destinationEndpoint: String?
    @Option(help: "The region the destination signs for (default: the configuration's).") var region: String?
    @Option(help: "Classification of the bucket if the import creates it (default: the export's).") var classification: String?
    @Option(help: "Objects imported at a time.") var concurrency = 8
    @Flag(help: "From a versioned bucket's export: import each key's current version only (no versions, markers or locks).")
    var currentVersionsOnly = false
    @Option(help: "From a versioned bucket's export: write the map of version ids (source to new) to this file, as JSON Lines, instead of printing it.")
    var versionMap: String?

    /// `s3://BUCKET[/PREFIX]` as (bucket, prefix); nil when `from` is not such a URL.
    static func s3Location(_ from: String) throws -> (bucket: String, prefix: String?)? {
        guard from.hasPrefix("s3://") else { return nil }
        let rest = from.dropFirst("s3://".count)
        let slash = rest.firstIndex(of: "/")
        let bucket = String(rest[..<(slash ?? rest.endIndex)])
        guard !bucket.isEmpty else { throw ValidationError("--from \(from): name a bucket, as in s3://BUCKET or s3://BUCKET/PREFIX") }
        let prefix = slash.map { String(rest[rest.index(after: $0)...]) }
        return (bucket, prefix.flatMap { $0.isEmpty ? nil : $0 })
    }

    func run() async throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        let location = try Self.s3Location(from)
        var sourceClient: S3Client?
        let source: Importer.Source
        if let location {
            guard let endpoint else { throw ValidationError("--from s3://... needs --endpoint, the source's S3 endpoint URL") }
            let environment = ProcessInfo.processInfo.environment
            guard let key = sourceAccessKey ?? environment["SOURCE_AWS_ACCESS_KEY_ID"],
                  let secret = sourceSecretKey ?? environment["SOURCE_AWS_SECRET_ACCESS_KEY"]
            else {
                throw ValidationError(
                    "give the source's credentials: --source-access-key and --source-secret-key, or SOURCE_AWS_ACCESS_KEY_ID and SOURCE_AWS_SECRET_ACCESS_KEY")
            }
            let client = try SouverainConnection.client(
                endpoint: endpoint, region: sourceRegion ?? environment["SOURCE_AWS_REGION"] ?? "us-east-1",
                credentials: S3Credentials(accessKeyID: key, secretAccessKey: secret), concurrency: concurrency)
            sourceClient = client
            source = .bucket(client: client, bucket: location.bucket, prefix: location.prefix)
        } else {
            guard endpoint == nil else {
                throw ValidationError("--endpoint names an S3 source (--from s3://...); for the destination, use --destination-endpoint")
            }
            guard FileManager.default.fileExists(atPath: from) else {
                throw ValidationError("--from \(from): no such directory (give an export directory, or s3://BUCKET[/PREFIX])")
            }
            source = .export(directory: from)
        }
        let destination: S3Client
        do {
            destination = try SouverainConnection.client(common, endpoint: destinationEndpoint, region: region, concurrency: concurrency)
        } catch {
            try? await sourceClient?.shutdown()
            throw error
        }
        var options = Importer.Options()
        options.concurrency = concurrency
        options.classification = classification
        options.currentVersionsOnly = currentVersionsOnly
        let progress = ProgressReporter(label: "import \(bucket)")
        let importer = Importer(source: source, destination: destination, bucket: bucket, options: options, progress: progress)
        let summary: ImportSummary
        let started = ContinuousClock.now
        do {
            summary = try await progress.run { try await importer.run() }
        } catch {
            try? await sourceClient?.shutdown()
            try? await destination.shutdown()
            throw PortabilityFailure("the import failed: \(error)")
        }
        var unrecorded: (any Error)?
        if destinationEndpoint == nil {
            // The server's trail records where the bucket came from (each object written is a request of its own there).
            let place = location != nil ? "\(from) at \(endpoint ?? "")" : "export directory " + PortabilityRecord.directory(from)
            do {
                let versioned = !summary.versions.isEmpty
                try await PortabilityRecord.send(
                    destination, operation: "import", bucket: bucket, objects: summary.imported + summary.deleteMarkers,
                    bytes: summary.bytesImported, complete: summary.isComplete, place: place,
                    seconds: ExportCommand.seconds(since: started),
                    versions: versioned ? summary.imported : nil, deleteMarkers: versioned ? summary.deleteMarkers : nil)
            } catch {
                unrecorded = error
            }
        }
        try? await sourceClient?.shutdown()
        try? await destination.shutdown()
        if let unrecorded { throw PortabilityFailure("the import ran, but the server did not record it in its audit trail: \(unrecorded)") }

        if summary.createdBucket {
            print("Created the bucket \(bucket)" + (summary.classification.map { " (classification \($0))" } ?? "") + ".")
        }
        for note in summary.notes { print(note) }
        if !summary.configurationsSet.isEmpty { print("Set the bucket's exported settings: " + summary.configurationsSet.joined(separator: ", ") + ".") }
        for key in summary.vanished { print("deleted from the source while importing, not imported: \(key)") }
        for failure in summary.failures { print("FAILED \(failure.key): \(failure.message)") }
        if !summary.versions.isEmpty {
            try Self.report(summary.versions, to: versionMap)
            print("Replayed \(summary.imported) versions and \(summary.deleteMarkers) delete markers oldest first; version ids are the destination's own (\(versionMap.map { "mapped in \($0)" } ?? "mapped above")).")
        }
        print("Imported \(summary.imported) objects (\(summary.bytesImported) bytes) into \(bucket) from \(from); \(summary.unchanged) already there.")
        guard summary.isComplete else {
            print("\(summary.failures.count) objects failed. Run the same command again to retry them.")
            throw ExitCode(1)
        }
    }
}

extension ImportCommand {
    /// The map of version ids: JSON Lines in `file`, or one `version KEY SOURCE-ID -> NEW-ID` line
    /// per version on standard output.
    static func report(_ mappings: [VersionMapping], to file: String?) throws {
        guard let file else {
            for item in mappings {
                print("version\t\(item.key)\t\(item.sourceVersionId) -> \(item.versionId ?? "?")\(item.isDeleteMarker ? "\t(delete marker)" : "")")
            }
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for item in mappings {
            data += try encoder.encode(item)
            data.append(UInt8(ascii: "\n"))
        }
        do {
            try data.write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw PortabilityFailure("the import ran, but its map of version ids could not be written to \(file): \(error)")
        }
    }
}
