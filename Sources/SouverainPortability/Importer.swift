import Foundation
import NIOCore
public import SouverainS3Client
import SouverainS3

/// Imports objects into a bucket, as an S3 client, from an export directory or from a bucket of
/// any S3-compatible endpoint: each object is PUT with its content type, user metadata and stored
/// headers; one larger than `partSize` goes as a multipart upload (`uploadLarge`), streamed.
///
/// The destination bucket is created if it does not exist, with the export's classification (or
/// `Options.classification`). Objects already in the destination with the same size and ETag
/// (the source's, or, from a directory, the one this upload would give) are left alone, so a
/// run that stopped is resumed by running it again. From a directory, every file's size and
/// SHA-256 are checked against the manifest as it is sent: a multipart upload of a file that
/// differs is aborted, never completed.
public struct Importer: Sendable {
    /// Where the objects come from.
    public enum Source: Sendable {
        /// An export directory (docs/export-format.md).
        case export(directory: String)
        /// A bucket, and optionally a key prefix, at any S3 endpoint. Keys are kept whole.
        case bucket(client: S3Client, bucket: String, prefix: String?)
    }

    public struct Options: Sendable {
        /// Objects imported at a time.
        public var concurrency = 8
        /// Objects larger than this go as multipart uploads of parts this size (at least 5 MiB).
        /// 8 MiB, as aws-cli and boto3 cut theirs, so that their multipart ETags come out the same.
        public var partSize = 8 * 1024 * 1024
        /// Parts of one object uploaded at a time.
        public var partConcurrency = 2
        /// The classification of a destination bucket the import creates; the export's when nil.
        public var classification: String?
        /// Attempts per object when the source or the destination fails midway.
        public var attempts = 3
        /// From a versioned bucket's export: import only each key's current version, as from an
        /// unversioned one (without versions, delete markers or locks), into any bucket.
        public var currentVersionsOnly = false

        public init() {}
    }

    public let source: Source
    public let destination: S3Client
    public let bucket: String
    public let options: Options
    public let progress: ProgressReporter

    public init(source: Source, destination: S3Client, bucket: String, options: Options = Options(), progress: ProgressReporter = .silent()) {
        self.source = source
        self.destination = destination
        self.bucket = bucket
        self.options = options
        self.progress = progress
    }

    /// One object to import, as the source describes it.
    struct Item: Sendable {
        var key: String
        var size: Int64
        var etag: String
        /// From an export: the directory, the file's manifest path, the file and its SHA-256.
        var export: ExportDirectory?
        var path: String?
        var file: String?
        var sha256: String?
        var contentType: String?
        var metadata: [String: String] = [:]
        var headers: [String: String]?
    }

    enum ObjectOutcome: Sendable {
        case unchanged
        case imported(Int64)
        case vanished(String)
        case failed(ObjectFailure)
    }

    public func run() async throws -> ImportSummary {
        var summary = ImportSummary()
        let items: [Item]
        var manifest: ExportManifest?
        switch source {
        case .export(let path):
            let directory = ExportDirectory(path)
            let exported = try directory.readManifest()
            manifest = exported
            if exported.isVersioned, !options.currentVersionsOnly {
                return try await runVersioned(exported, directory: directory)
            }
            summary.classification = options.classification ?? exported.classification
            // Of a versioned export (with --current-versions-only): each key's current version.
            let current = exported.objects.filter { !exported.isVersioned || ($0.isLatest == true && !$0.isMarker) }
            items = current.map { entry in
                Item(
                    key: entry.key, size: entry.size, etag: entry.etag, export: directory, path: entry.path,
                    file: directory.file(entry.path), sha256: entry.sha256,
                    contentType: entry.contentType, metadata: entry.metadata, headers: entry.headers)
            }
        case .bucket(let client, let name, let prefix):
            summary.classification = options.classification
            items = try await Self.list(client, bucket: name, prefix: prefix).map {
                Item(key: $0.key, size: $0.size, etag: $0.etag)
            }
        }
        summary.createdBucket = try await ensureBucket(classification: summary.classification, notes: &summary.notes)
        let existing = summary.createdBucket ? [:] : try await existingObjects()
        progress.expect(objects: items.count, bytes: items.reduce(0) { $0 + $1.size })

        try await withThrowingTaskGroup(of: ObjectOutcome.self) { group in
            var inFlight = 0
            func collect(_ outcome: ObjectOutcome) {
                switch outcome {
                case .unchanged: summary.unchanged += 1
                case .imported(let bytes):
                    summary.imported += 1
                    summary.bytesImported += bytes
                case .vanished(let key): summary.vanished.append(key)
                case .failed(let failure): summary.failures.append(failure)
                }
            }
            for item in items {
                if inFlight >= max(1, options.concurrency), let outcome = try await group.next() {
                    collect(outcome)
                    inFlight -= 1
                }
                let present = existing[ExactKey(item.key)]
                group.addTask { try await self.importObject(item, existing: present) }
                inFlight += 1
            }
            for try await outcome in group { collect(outcome) }
        }
        if let manifest { await applyConfigurations(manifest, summary: &summary) }
        return summary
    }

    // MARK: - Buckets

    /// Sets the exported bucket settings (ExportManifest.configurations) once every object is in,
    /// so that no lifecycle rule or policy acts on the import itself; the policy last. On a bucket
    /// that existed before, only the settings it lacks are set. A setting the destination refuses
    /// (a classification that forbids a public policy, a principal unknown there, a key that does
    /// not exist there) is said in `notes`: the objects are in, and the note says what to redo.
    func applyConfigurations(_ manifest: ExportManifest, summary: inout ImportSummary) async {
        guard summary.isComplete, let configurations = manifest.configurations else { return }
        let order = BucketConfigurationKind.allCases.filter { $0 != .policy } + [.policy]
        for kind in order {
            guard var document = configurations[kind.rawValue] else { continue }
            if !summary.createdBucket, (try? await destination.getBucketConfiguration(bucket, kind)) != nil {
                summary.notes.append("The bucket \(bucket) already had its own \(kind.rawValue); the exported one was not set.")
                continue
            }
            if kind == .policy, manifest.bucket != bucket {
                // The policy names its bucket in its resources: it now names the destination.
                document = document.replacingOccurrences(of: "arn:aws:s3:::\(manifest.bucket)/", with: "arn:aws:s3:::\(bucket)/")
                    .replacingOccurrences(of: "arn:aws:s3:::\(manifest.bucket)\"", with: "arn:aws:s3:::\(bucket)\"")
            }
            do {
                try await destination.putBucketConfiguration(bucket, kind, document: document)
                summary.configurationsSet.append(kind.rawValue)
            } catch {
                summary.notes.append("The bucket's \(kind.rawValue) was not set: the destination refused it (\(error)).")
            }
        }
    }

    static func list(_ client: S3Client, bucket: String, prefix: String?) async throws -> [ListedObject] {
        var objects: [ListedObject] = []
        var token: String?
        repeat {
            let page = try await client.listObjectsV2(bucket: bucket, prefix: prefix, continuationToken: token)
            objects += page.contents
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil
        return objects
    }

    /// Creates the destination bucket when it does not exist; returns whether it did.
    func ensureBucket(classification: String?, notes: inout [String]) async throws -> Bool {
        do {
            let head = try await destination.headBucket(bucket)
            if let classification, let current = head.header("x-souverain-classification"), current != classification {
                notes.append("The bucket \(bucket) already exists with the classification \(current), not \(classification); it was left as it is.")
            }
            return false
        } catch let error as S3ClientError where error.status == 404 {
            let headers = classification.map { ["x-souverain-classification": $0] } ?? [:]
            do {
                try await destination.createBucket(bucket, headers: headers)
            } catch {
                throw PortabilityError(.destination, "Cannot create the bucket \(bucket).", cause: error)
            }
            return true
        }
    }

    /// Size and ETag of every object already in the destination bucket.
    func existingObjects() async throws -> [ExactKey: (size: Int64, etag: String)] {
        var out: [ExactKey: (size: Int64, etag: String)] = [:]
        for object in try await Self.list(destination, bucket: bucket, prefix: nil) {
            out[ExactKey(object.key)] = (object.size, object.etag)
        }
        return out
    }

    // MARK: - One object

    func importObject(_ item: Item, existing: (size: Int64, etag: String)?) async throws -> ObjectOutcome {
        if let existing, existing.size == item.size {
            var same = existing.etag == item.etag
            if !same, let file = item.file {
                same = (try? UploadETag.of(path: file, size: item.size, partSize: options.partSize)) == existing.etag
            }
            if same {
                progress.objectSkipped(bytes: item.size)
                return .unchanged
            }
        }
        var attempt = 0
        while true {
            attempt += 1
            let tally = ByteTally()
            do {
                guard let bytes = try await upload(item, tally: tally) else {
                    progress.objectDone()
                    return .vanished(item.key)
                }
                progress.objectDone()
                return .imported(bytes)
            } catch {
                progress.add(bytes: -tally.value)
                let integrity = Self.integrityFailure(error)
                // A file that differs from its manifest will not get better; a short source body may.
                let retry = attempt < options.attempts && (integrity == nil ? Self.isRetryable(error) : item.file == nil)
                guard retry else {
                    progress.objectFailed()
                    let message = integrity.map(\.message) ?? String(describing: error)
                    return .failed(ObjectFailure(key: item.key, message: message))
                }
            }
            try await Task.sleep(for: .milliseconds(200 * attempt))
        }
    }

    /// Sends one object; returns its size, or nil when it vanished from the source bucket.
    func upload(_ item: Item, tally: ByteTally) async throws -> Int64? {
        if let file = item.file, let export = item.export, let path = item.path {
            guard export.holdsPlainFile(path) else {
                throw PortabilityError(.integrity, "\(item.key): its file \(path) is missing from the export (or is not a plain file).")
            }
            let body = MeteredBody(
                base: FileChunks(path: file), key: item.key, expectedSize: item.size, expectedSHA256: item.sha256,
                progress: progress, tally: tally)
            try await put(item.key, body: body, size: item.size, headers: Self.headers(item))
            return item.size
        }
        guard case .bucket(let client, let name, _) = source else { return nil }
        let response: GetObjectResponse
        do {
            response = try await client.getObject(bucket: name, key: item.key)
        } catch let error as S3ClientError where error.status == 404 && error.s3Code == "NoSuchKey" {
            return nil
        }
        var described = item
        described.contentType = response.head.contentType
        described.metadata = response.head.metadata
        described.headers = ExportWriter.storedHeaders(response.head)
        let size = response.head.contentLength
        let body = MeteredBody(
            base: response.body, key: item.key, expectedSize: size, expectedSHA256: nil, progress: progress, tally: tally)
        try await put(item.key, body: body, size: size, headers: Self.headers(described))
        return size
    }

    /// One PutObject of the bytes in memory for a body of at most one part (which the client may
    /// retry), a multipart upload otherwise.
    /// Returns the version id the destination gave, on a versioned bucket.
    @discardableResult
    func put<Body: AsyncSequence & Sendable>(_ key: String, body: Body, size: Int64, headers: [String: String]) async throws -> String?
    where Body.Element == ByteBuffer {
        if size <= Int64(options.partSize) {
            var bytes = ByteBuffer()
            bytes.reserveCapacity(Int(size))
            for try await var buffer in body { bytes.writeBuffer(&buffer) }
            return try await destination.putObject(bucket: bucket, key: key, bytes: bytes, headers: headers).versionID
        } else {
            return try await destination.uploadLarge(
                bucket: bucket, key: key, body: body, partSize: options.partSize, concurrency: max(1, options.partConcurrency),
                headers: headers).versionID
        }
    }

    /// The request headers that give an object its content type, user metadata and stored headers.
    static func headers(_ item: Item) -> [String: String] {
        var out: [String: String] = [:]
        if let contentType = item.contentType { out["content-type"] = contentType }
        for (name, value) in item.metadata { out["x-amz-meta-" + name] = value }
        for (name, value) in item.headers ?? [:] where ExportWriter.storedHeaderNames.contains(name) { out[name] = value }
        return out
    }

    /// The integrity failure behind `error`, also when the client wrapped it as a body failure.
    static func integrityFailure(_ error: any Error) -> PortabilityError? {
        if let error = error as? PortabilityError, error.code == .integrity { return error }
        if let error = error as? S3ClientError, let cause = error.cause { return integrityFailure(cause) }
        return nil
    }

    static func isRetryable(_ error: any Error) -> Bool {
        guard let error = error as? S3ClientError else { return false }
        return error.isRetryable || error.code == .bodyStream
    }
}

/// What an import did.
public struct ImportSummary: Sendable {
    /// Objects sent in this run, and their bytes.
    public var imported = 0
    public var bytesImported: Int64 = 0
    /// Objects already in the destination, identical.
    public var unchanged = 0
    /// Keys that were listed in the source bucket but deleted before they could be read.
    public var vanished: [String] = []
    public var failures: [ObjectFailure] = []
    /// Whether the destination bucket was created, and the classification asked for it.
    public var createdBucket = false
    /// The exported bucket settings set on the destination (`policy`, `lifecycle`, ...).
    public var configurationsSet: [String] = []
    public var classification: String?
    /// Things worth saying that are not failures.
    public var notes: [String] = []
    /// A versioned export's import: every version and delete marker written (or found written by
    /// an earlier run), with its id at the source and the one the destination gave.
    public var versions: [VersionMapping] = []
    /// Delete markers made in this run.
    public var deleteMarkers = 0

    public var isComplete: Bool { failures.isEmpty }
}
