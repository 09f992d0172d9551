import Crypto
import Foundation
import NIOCore
public import SouverainS3Client
import SouverainS3

/// Exports one bucket to a directory of plain files with a manifest (docs/export-format.md), as
/// an S3 client: list, then GET each object (decrypted by the server, as any client reads it).
///
/// Each object is streamed to a temporary file, hashed as it is written, synced, then renamed
/// into `objects/`; its manifest entry is then appended to `manifest.partial.jsonl`. At most
/// `concurrency` objects are fetched at a time. A run that stops, for any reason, is resumed by
/// running it again: an object whose entry is in the journal (or in the manifest of an earlier
/// complete export), with the same ETag and size as listed now, and whose file still has that
/// size and SHA-256, is not fetched again. `manifest.json` is written only once every object is
/// in place; then the journal and the temporary directory are removed.
public struct ExportWriter: Sendable {
    public struct Options: Sendable {
        /// Objects fetched at a time.
        public var concurrency = 8
        /// Whether to fetch the bucket's audit records (when the server has a trail and allows it).
        public var includeAudit = true
        /// Whether each file is synced to disk before it is renamed into place.
        public var sync = true
        /// Attempts per object when a download fails midway or the server is unavailable.
        public var attempts = 3

        public init() {}
    }

    public let client: S3Client
    public let bucket: String
    public let directory: ExportDirectory
    public let options: Options
    public let progress: ProgressReporter

    public init(client: S3Client, bucket: String, directory: String, options: Options = Options(), progress: ProgressReporter = .silent()) {
        self.client = client
        self.bucket = bucket
        self.directory = ExportDirectory(directory)
        self.options = options
        self.progress = progress
    }

    /// The export, resumed if the directory holds an unfinished one for the same bucket.
    public func run() async throws -> ExportSummary {
        let classification = try await bucketClassification()
        // A versioned bucket leaves with every version, delete marker and lock (ExportWriter+Versions.swift).
        if let versioning = try await versioningStatus() {
            return try await runVersioned(versioning: versioning, classification: classification)
        }
        var previous: [ExactKey: ExportManifest.Entry] = [:]
        for entry in try prepareDirectory() { previous[ExactKey(entry.key)] = entry }
        let listed = try await listAll()
        let allocator = ObjectPathAllocator(keys: listed.map(\.key))
        let plan = listed.map { object in
            (object: object, path: ExportDirectory.manifestPath(objectPath: allocator.path(for: object.key)!))
        }
        try removeStaleFiles(previous: previous, planned: plan.map(\.path))
        let journal = try ExportJournal(path: directory.journalPath, bucket: bucket)
        progress.expect(objects: listed.count, bytes: listed.reduce(0) { $0 + $1.size })

        var summary = ExportSummary()
        var entries: [ExportManifest.Entry] = []
        entries.reserveCapacity(plan.count)
        try await withThrowingTaskGroup(of: ObjectOutcome.self) { group in
            var inFlight = 0
            func collect(_ outcome: ObjectOutcome) {
                switch outcome {
                case .unchanged(let entry):
                    summary.unchanged += 1
                    entries.append(entry)
                case .written(let entry):
                    summary.written += 1
                    summary.bytesWritten += entry.size
                    entries.append(entry)
                case .vanished(let key):
                    summary.vanished.append(key)
                case .failed(let failure):
                    summary.failures.append(failure)
                }
            }
            for item in plan {
                if inFlight >= max(1, options.concurrency), let outcome = try await group.next() {
                    collect(outcome)
                    inFlight -= 1
                }
                let prior = previous[ExactKey(item.object.key)]
                group.addTask { try await self.export(item.object, to: item.path, previous: prior, journal: journal) }
                inFlight += 1
            }
            for try await outcome in group { collect(outcome) }
        }
        try journal.sync()

        try await exportAudit(into: &summary)
        guard summary.failures.isEmpty else { return summary }

        entries.sort { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        var manifest = ExportManifest(
            bucket: bucket, classification: classification, exportedAt: S3Date.iso8601(Date()),
            source: .init(endpoint: client.configuration.endpoint, region: client.configuration.region),
            audit: summary.audit, objects: entries)
        manifest.configurations = try await bucketConfigurations(into: &summary)
        try writeManifest(manifest)
        try POSIX.unlink(directory.journalPath)
        try? FileManager.default.removeItem(atPath: directory.temporaryPath)
        summary.manifest = manifest
        return summary
    }

    // MARK: - The directory

    /// Checks that the directory is new, empty or an export of this bucket, and returns what an
    /// earlier run left: the entries of its manifest and journal, in that order (a later entry of
    /// the same object wins). A complete manifest is folded into a new journal first, so that the
    /// export stays resumable from its first write.
    /// Writes `audit.jsonl` when asked and the source has a trail, noting in `summary` what was
    /// written or why nothing was; a complete export without it removes an earlier run's file,
    /// whose records would not be this manifest's.
    func exportAudit(into summary: inout ExportSummary) async throws {
        if options.includeAudit {
            switch try await AuditExport.write(client: client, bucket: bucket, directory: directory, sync: options.sync) {
            case .written(let audit): summary.audit = audit
            case .unavailable(let reason): summary.auditNote = reason
            }
        }
        if summary.failures.isEmpty && summary.audit == nil { try POSIX.unlink(directory.auditPath) }
    }

    /// The bucket's settings (policy, lifecycle, CORS, tags, website, default encryption, public
    /// access block, ownership controls), each as the source answers it; nil when it has none.
    /// One the source refuses to show (403) is left out and said in `summary.configurationNotes`.
    func bucketConfigurations(into summary: inout ExportSummary) async throws -> [String: String]? {
        var found: [String: String] = [:]
        for kind in BucketConfigurationKind.allCases {
            do {
                if let document = try await client.getBucketConfiguration(bucket, kind) { found[kind.rawValue] = document }
            } catch let error as S3ClientError where error.status == 403 {
                summary.configurationNotes.append("The bucket's \(kind.rawValue) was not exported: the source refused to show it (\(error.message)).")
            }
        }
        return found.isEmpty ? nil : found
    }

    func prepareDirectory() throws -> [ExportManifest.Entry] {
        let files = FileManager.default
        try POSIX.makeDirectories(directory.path)
        let known: Set<String> = [
            ExportDirectory.manifestName, ExportDirectory.objectsName, ExportDirectory.auditName, ExportDirectory.journalName,
            ExportDirectory.temporaryName,
        ]
        let present = (try? files.contentsOfDirectory(atPath: directory.path)) ?? []
        if let stranger = present.first(where: { !known.contains($0) }) {
            throw PortabilityError(
                .invalidDirectory,
                "\(directory.path) is not empty and is not an export (it holds \(stranger)); give a new or empty directory.")
        }
        var previous: [ExportManifest.Entry] = []
        if files.fileExists(atPath: directory.manifestPath) {
            let manifest = try directory.readManifest()
            guard manifest.bucket == bucket else {
                throw PortabilityError(
                    .invalidDirectory, "\(directory.path) holds an export of bucket \(manifest.bucket), not \(bucket); give another directory.")
            }
            previous += manifest.objects.filter { !$0.isMarker }
            let journal = try ExportJournal(path: directory.journalPath, bucket: bucket)
            for entry in manifest.objects where !entry.isMarker { try journal.append(entry) }
            try journal.sync()
            try POSIX.unlink(directory.manifestPath)
        }
        if let header = try ExportJournal.bucket(path: directory.journalPath), header != bucket {
            throw PortabilityError(
                .invalidDirectory, "\(directory.path) holds an unfinished export of bucket \(header), not \(bucket); give another directory.")
        }
        previous += try ExportJournal.entries(path: directory.journalPath)
        try? files.removeItem(atPath: directory.temporaryPath)
        try POSIX.makeDirectories(directory.temporaryPath)
        try POSIX.makeDirectories(directory.objectsPath)
        return previous
    }

    /// Removes files an earlier run wrote at paths no object of this run will have (the object was
    /// deleted from the bucket, or now sits at another path). Only paths a manifest or journal of
    /// this directory named are touched.
    func removeStaleFiles(previous: [ExactKey: ExportManifest.Entry], planned: [String]) throws {
        let keep = Set(planned.map { ExactKey($0) })
        for entry in previous.values where !keep.contains(ExactKey(entry.path)) {
            guard ExportDirectory.objectRelativePath(entry.path) != nil, directory.holdsPlainFile(entry.path) else { continue }
            try POSIX.unlink(directory.file(entry.path))
        }
    }

    func writeManifest(_ manifest: ExportManifest) throws {
        let temporary = directory.temporaryPath + "/manifest-\(UUID().uuidString)"
        var sink = try FileSink(creating: temporary)
        do {
            try sink.write(ByteBuffer(bytes: try manifest.encoded()))
        } catch {
            sink.discard()
            throw error
        }
        _ = try sink.finish(sync: options.sync)
        try POSIX.rename(temporary, directory.manifestPath)
    }

    // MARK: - The source

    /// The bucket's classification, from HeadBucket's `x-souverain-classification` (nil elsewhere).
    func bucketClassification() async throws -> String? {
        do {
            return try await client.headBucket(bucket).header("x-souverain-classification")
        } catch let error as S3ClientError where error.status == 404 {
            throw PortabilityError(.source, "The bucket \(bucket) does not exist at \(client.configuration.endpoint).", cause: error)
        }
    }

    func listAll() async throws -> [ListedObject] {
        var objects: [ListedObject] = []
        var token: String?
        repeat {
            let page = try await client.listObjectsV2(bucket: bucket, continuationToken: token)
            objects += page.contents
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil
        return objects
    }

    // MARK: - One object

    enum ObjectOutcome: Sendable {
        case unchanged(ExportManifest.Entry)
        case written(ExportManifest.Entry)
        case vanished(String)
        case failed(ObjectFailure)
    }

    func export(
        _ object: ListedObject, to path: String, previous: ExportManifest.Entry?, journal: ExportJournal
    ) async throws -> ObjectOutcome {
        if let previous, try isUnchanged(previous, object: object, path: path) {
            progress.objectSkipped(bytes: previous.size)
            return .unchanged(previous)
        }
        return try await fetch(key: object.key, journal: journal, describe: { $0 }) { try await self.download(object, to: path) }
    }

    /// Downloads one object or version with `download` (nil: it vanished since it was listed),
    /// journals its entry, and retries what a retry can cure (a retryable S3 error, a cut body, a
    /// digest mismatch) up to `options.attempts` times; `describe` words a failure's message.
    func fetch(
        key: String, journal: ExportJournal, describe: (String) -> String, download: () async throws -> ExportManifest.Entry?
    ) async throws -> ObjectOutcome {
        var attempt = 0
        while true {
            attempt += 1
            do {
                guard let entry = try await download() else {
                    progress.objectDone()
                    return .vanished(key)
                }
                try journal.append(entry)
                progress.objectDone()
                return .written(entry)
            } catch let error as S3ClientError {
                guard attempt < options.attempts, error.isRetryable || error.code == .bodyStream else {
                    progress.objectFailed()
                    return .failed(ObjectFailure(key: key, message: describe(error.description)))
                }
            } catch let error as PortabilityError where error.code == .integrity {
                guard attempt < options.attempts else {
                    progress.objectFailed()
                    return .failed(ObjectFailure(key: key, message: describe(error.description)))
                }
            }
            try await Task.sleep(for: .milliseconds(200 * attempt))
        }
    }

    /// Whether the earlier run's entry still stands: same path, ETag and size as listed now, and
    /// a regular file of that size and SHA-256 in place.
    func isUnchanged(_ previous: ExportManifest.Entry, object: ListedObject, path: String) throws -> Bool {
        guard previous.path.utf8.elementsEqual(path.utf8), previous.etag == object.etag, previous.size == object.size,
              directory.holdsPlainFile(path), let info = POSIX.status(directory.file(path)), POSIX.size(info) == previous.size
        else { return false }
        return try FileDigest.sha256(of: directory.file(path)) == previous.sha256
    }

    /// GETs the object into a temporary file, then renames it to `path`; nil when the object was
    /// deleted since it was listed.
    func download(_ object: ListedObject, to path: String) async throws -> ExportManifest.Entry? {
        let response: GetObjectResponse
        do {
            response = try await client.getObject(bucket: bucket, key: object.key)
        } catch let error as S3ClientError where error.status == 404 && error.s3Code == "NoSuchKey" {
            return nil
        }
        let (size, digest) = try await writeFile(response, key: object.key, to: path)
        let head = response.head
        let replaced = head.etag.map { $0 != object.etag } ?? false
        return ExportManifest.Entry(
            key: object.key, path: path, size: size, sha256: digest, etag: head.etag ?? object.etag,
            contentType: head.contentType, metadata: head.metadata, headers: Self.storedHeaders(head),
            lastModified: S3Date.iso8601(replaced ? (head.lastModified ?? object.lastModified) : object.lastModified))
    }

    /// Streams a GET's body into a temporary file, checks its length, syncs it and renames it to
    /// `path`; returns its size and SHA-256.
    func writeFile(_ response: GetObjectResponse, key: String, to path: String) async throws -> (size: Int64, sha256: String) {
        let head = response.head
        let temporary = directory.temporaryPath + "/" + UUID().uuidString
        var sink = try FileSink(creating: temporary)
        var counted: Int64 = 0
        do {
            for try await buffer in response.body {
                try sink.write(buffer)
                counted += Int64(buffer.readableBytes)
                progress.add(bytes: Int64(buffer.readableBytes))
            }
            guard sink.count == head.contentLength else {
                throw PortabilityError(
                    .integrity, "GET \(key) announced \(head.contentLength) bytes but sent \(sink.count).")
            }
        } catch {
            sink.discard()
            progress.add(bytes: -counted)
            throw error
        }
        let digest = try sink.finish(sync: options.sync)
        let target = directory.file(path)
        if let slash = target.utf8.lastIndex(of: UInt8(ascii: "/")) {
            try POSIX.makeDirectories(String(decoding: target.utf8[..<slash], as: UTF8.self))
        }
        // A directory an earlier layout left empty where this file goes.
        if let info = POSIX.status(target), POSIX.isDirectory(info) { POSIX.removeEmptyDirectory(target) }
        try POSIX.rename(temporary, target)
        return (sink.count, digest)
    }

    /// The standard headers S3 stores with an object and returns on GET, besides its type.
    static let storedHeaderNames = ["cache-control", "content-disposition", "content-encoding", "content-language", "expires"]

    static func storedHeaders(_ head: ObjectHead) -> [String: String]? {
        var out: [String: String] = [:]
        for (name, value) in head.headers {
            let lowered = name.lowercased()
            if storedHeaderNames.contains(lowered) { out[lowered] = value }
        }
        return out.isEmpty ? nil : out
    }
}

/// One object that could not be exported or imported, and why.
public struct ObjectFailure: Sendable, Equatable {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
}

/// What an export did.
public struct ExportSummary: Sendable {
    /// The manifest written; nil when some objects failed (run the export again to resume).
    public var manifest: ExportManifest?
    /// Objects fetched in this run, and their bytes.
    public var written = 0
    public var bytesWritten: Int64 = 0
    /// Objects an earlier run had already exported, unchanged since.
    public var unchanged = 0
    /// Keys that were listed but deleted before they could be fetched (not in the manifest).
    public var vanished: [String] = []
    /// A versioned bucket's export: the versions with bytes and the delete markers in the manifest.
    public var versions = 0
    public var deleteMarkers = 0
    public var failures: [ObjectFailure] = []
    /// The audit records exported, if any.
    public var audit: ExportManifest.Audit?
    /// Why there are no audit records, when the source would not give them.
    public var auditNote: String?
    /// The bucket settings that could not be exported, and why.
    public var configurationNotes: [String] = []

    public var isComplete: Bool { manifest != nil }
}
