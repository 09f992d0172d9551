/// Checks an export directory against its manifest, offline: every object's (every version's) file is there, of
/// the manifest's size and SHA-256; no other file is under `objects/`; `audit.jsonl`, when the
/// manifest names it, has its size and SHA-256. Needs nothing but the directory.
public struct ManifestVerifier: Sendable {
    public let directory: ExportDirectory
    /// Files hashed at a time.
    public let concurrency: Int
    public let progress: ProgressReporter

    public init(directory: String, concurrency: Int = 4, progress: ProgressReporter = .silent()) {
        self.directory = ExportDirectory(directory)
        self.concurrency = max(1, concurrency)
        self.progress = progress
    }

    /// The report; throws when the manifest itself cannot be read or is not valid.
    public func verify() async throws -> VerificationReport {
        let manifest = try directory.readManifest()
        // Every version's file (a versioned export's delete markers have none).
        let files = manifest.objects.filter { !$0.isMarker }
        progress.expect(objects: files.count, bytes: manifest.totalBytes)
        var problems: [(index: Int, problem: VerificationReport.Problem)] = []
        try await withThrowingTaskGroup(of: (Int, VerificationReport.Problem?).self) { group in
            var inFlight = 0
            for (index, entry) in files.enumerated() {
                if inFlight >= concurrency, let (done, problem) = try await group.next() {
                    if let problem { problems.append((done, problem)) }
                    inFlight -= 1
                }
                group.addTask { (index, try self.check(entry)) }
                inFlight += 1
            }
            for try await (done, problem) in group {
                if let problem { problems.append((done, problem)) }
            }
        }
        var report = problems.sorted { $0.index < $1.index }.map(\.problem)

        let named = Set(files.map { ExactKey($0.path) })
        let extras = try FileTree.entries(under: directory.objectsPath)
            .map { ExportDirectory.manifestPath(objectPath: $0.path) }
            .filter { !named.contains(ExactKey($0)) }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        report += extras.map { .extra(path: $0) }

        if let audit = manifest.audit {
            let path = directory.file(audit.path)
            if let info = POSIX.status(path), POSIX.isRegularFile(info) {
                let actual = try FileDigest.digest(of: path)
                if actual.size != audit.size || actual.sha256 != audit.sha256 {
                    report.append(.auditMismatch(
                        path: audit.path,
                        detail: "\(actual.size) bytes with SHA-256 \(actual.sha256); the manifest says \(audit.size) bytes, \(audit.sha256)"))
                }
            } else {
                report.append(.auditMismatch(path: audit.path, detail: "missing"))
            }
        }
        return VerificationReport(bucket: manifest.bucket, objects: files.count, bytes: manifest.totalBytes, problems: report)
    }

    /// The problem with one object's file, if any.
    func check(_ entry: ExportManifest.Entry) throws -> VerificationReport.Problem? {
        let path = directory.file(entry.path)
        guard directory.holdsPlainFile(entry.path), let info = POSIX.status(path) else {
            progress.objectFailed()
            return .missing(key: entry.key, path: entry.path)
        }
        guard POSIX.size(info) == entry.size else {
            progress.objectFailed()
            return .sizeMismatch(key: entry.key, path: entry.path, expected: entry.size, actual: POSIX.size(info))
        }
        let actual = try FileDigest.digest(of: path)
        progress.add(bytes: actual.size)
        guard actual.size == entry.size else {
            progress.objectFailed()
            return .sizeMismatch(key: entry.key, path: entry.path, expected: entry.size, actual: actual.size)
        }
        guard actual.sha256 == entry.sha256 else {
            progress.objectFailed()
            return .digestMismatch(key: entry.key, path: entry.path, expected: entry.sha256, actual: actual.sha256)
        }
        progress.objectDone()
        return nil
    }
}
