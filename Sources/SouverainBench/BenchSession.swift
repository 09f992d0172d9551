import Foundation
import NIOCore
import SouverainS3
import SouverainS3Client

/// One run: bucket, workloads in order, cleanup. Objects written by one workload are read, headed
/// or deleted by the next ones; what is missing is prepared first, outside every figure.
struct BenchSession: Sendable {
    let configuration: BenchConfiguration
    let client: S3Client
    let progress: (@Sendable (String) -> Void)?

    /// The objects written so far, by index in their family of keys.
    struct Written {
        var large: [Int] = []
        var nextLarge = 0
        var small: [Int] = []
        var nextSmall = 0
        var listPrepared = false
        var mixedBase: [Int] = []
    }

    var bucket: String { configuration.bucket }

    func key(_ family: String, _ index: Int) -> String { "\(configuration.keyPrefix)\(family)/\(index)" }

    func run() async throws -> BenchReport {
        let started = ContinuousClock.now
        let startedAt = S3Date.iso8601(Date())
        let created = try await prepareBucket()
        if configuration.versioning, !configuration.calibrate {
            do {
                try await client.putBucketVersioning(bucket, status: "Enabled")
            } catch {
                throw BenchError(code: .setupFailed, message: "Versioning could not be turned on for \(bucket).", cause: error)
            }
        }
        var written = Written()
        var reports: [WorkloadReport] = []
        let selected = Set(configuration.workloads)
        for workload in BenchWorkload.allCases where selected.contains(workload) {
            let report = try await run(workload, written: &written)
            progress?(Self.summary(report))
            reports.append(report)
        }
        var cleanup: CleanupReport?
        if configuration.cleanUp, !configuration.calibrate {
            cleanup = await cleanUp(deleteBucket: created)
            progress?("cleanup: \(cleanup?.deletedObjects ?? 0) objects deleted")
        }
        return BenchReport(
            tool: "souverain-bench", formatVersion: 1,
            endpoint: configuration.client.endpoint, calibration: configuration.calibrate, bucket: bucket,
            seed: configuration.seed, startedAt: startedAt, seconds: Self.seconds(ContinuousClock.now - started),
            workloads: reports, errors: reports.reduce(0) { $0 + $1.errors }, cleanup: cleanup)
    }

    private func run(_ workload: BenchWorkload, written: inout Written) async throws -> WorkloadReport {
        switch workload {
        case .largePut: return await largePut(&written)
        case .largeGet: return try await largeGet(&written)
        case .smallPut: return await smallPut(&written)
        case .smallGet, .smallHead: return try await smallRead(workload, &written)
        case .list: return try await list(&written)
        case .smallDelete: return try await smallDelete(&written)
        case .mixed: return try await mixed(&written)
        }
    }

    // MARK: - Measuring

    /// Runs the warm-up, then the measured phase, of `operation` on indices from `base` on.
    func measure<State>(
        _ workload: BenchWorkload, objectSize: Int, concurrency: Int, limits: BenchConfiguration.Limits, base: Int = 0,
        state: @escaping @Sendable (Int) -> State,
        _ operation: @escaping @Sendable (Int, inout State, inout WorkerStats) async -> Void
    ) async -> (report: WorkloadReport, written: [Int], next: Int) {
        var written: [Int] = []
        var warmedUp = 0
        if limits.warmUpOperations > 0 {
            let warm = await PhaseRunner(
                concurrency: concurrency, operations: limits.warmUpOperations, duration: limits.warmUpDuration,
                firstIndex: base
            ).run(state: state, operation)
            warmedUp = warm.started
            written += warm.stats.written
        }
        let outcome = await PhaseRunner(
            concurrency: concurrency, operations: limits.operations, duration: limits.duration, firstIndex: base + warmedUp
        ).run(state: state, operation)
        written += outcome.stats.written
        let stats = outcome.stats
        let seconds = Self.seconds(outcome.elapsed)
        let report = WorkloadReport(
            workload: workload, objectSize: objectSize, concurrency: concurrency, operationLimit: limits.operations,
            durationLimitSeconds: Self.seconds(limits.duration), warmUpOperations: warmedUp, operations: stats.operations,
            errors: stats.errorCount, errorsByCode: stats.errors, errorSamples: stats.errorSamples,
            stoppedBy: outcome.reachedOperationLimit ? "operations" : "duration", seconds: seconds, bytes: stats.bytes,
            mebibytesPerSecond: seconds > 0 ? Double(stats.bytes) / 1_048_576 / seconds : 0,
            operationsPerSecond: seconds > 0 ? Double(stats.operations) / seconds : 0, latency: stats.latencies())
        return (report, written, base + warmedUp + outcome.started)
    }

    func measure(
        _ workload: BenchWorkload, objectSize: Int, concurrency: Int, limits: BenchConfiguration.Limits, base: Int = 0,
        _ operation: @escaping @Sendable (Int, inout WorkerStats) async -> Void
    ) async -> (report: WorkloadReport, written: [Int], next: Int) {
        await measure(workload, objectSize: objectSize, concurrency: concurrency, limits: limits, base: base,
                      state: { _ in () }) { index, _, stats in await operation(index, &stats) }
    }

    /// PUTs `count` small objects of `family` from index `base` on, outside any figure; returns the
    /// indices written. Throws when none could be.
    func prepare(_ family: String, base: Int, count: Int, size: Int, concurrency: Int) async throws -> [Int] {
        guard count > 0 else { return [] }
        let source = PayloadSource(seed: configuration.seed, blockSize: max(size, 1))
        let client = client
        let bucket = bucket
        let keys = (0..<count).map { key(family, base + $0) }
        let outcome = await PhaseRunner(concurrency: concurrency, operations: count, duration: .seconds(3600), firstIndex: 0)
            .run { index, _, stats in
                do {
                    _ = try await client.putObject(bucket: bucket, key: keys[index], bytes: source.bytes(index: base + index, size: size))
                    stats.written.append(base + index)
                } catch {
                    stats.recordError(.put, error)
                }
            }
        guard !outcome.stats.written.isEmpty else {
            throw BenchError(
                code: .setupFailed,
                message: "No object could be prepared under \(configuration.keyPrefix)\(family)/: \(outcome.stats.errorSamples.first ?? "no answer")")
        }
        return outcome.stats.written.sorted()
    }

    // MARK: - Bucket and cleanup

    /// Creates the bucket, or checks that an existing one of ours is usable. Returns whether it was created.
    func prepareBucket() async throws -> Bool {
        do {
            try await client.createBucket(bucket)
            return true
        } catch let error as S3ClientError where error.s3Code == "BucketAlreadyOwnedByYou" || error.s3Code == "BucketAlreadyExists" {
            do {
                try await client.headBucket(bucket)
                return false
            } catch {
                throw BenchError(code: .setupFailed, message: "The bucket \(bucket) exists but cannot be used.", cause: error)
            }
        } catch {
            throw BenchError(
                code: .setupFailed, message: "The bucket \(bucket) could not be created at \(configuration.client.endpoint).",
                cause: error)
        }
    }

    /// Deletes every object under the key prefix (listing from the start again until none is left or
    /// a round deletes nothing), then the bucket if the run created it.
    func cleanUp(deleteBucket: Bool) async -> CleanupReport {
        var deleted = 0
        var errors = 0
        let client = client
        let bucket = bucket
        while true {
            // On a versioned bucket every version and delete marker goes, each by its id.
            let keys: [(key: String, versionID: String?)]
            do {
                keys = configuration.versioning
                    ? try await client.listObjectVersions(bucket: bucket, prefix: configuration.keyPrefix, maxKeys: 1000)
                        .entries.map { ($0.key, $0.versionID) }
                    : try await client.listObjectsV2(bucket: bucket, prefix: configuration.keyPrefix, maxKeys: 1000)
                        .contents.map { ($0.key, nil) }
            } catch {
                errors += 1
                break
            }
            guard !keys.isEmpty else { break }
            let outcome = await PhaseRunner(
                concurrency: configuration.small.concurrency, operations: keys.count, duration: .seconds(3600), firstIndex: 0
            ).run { index, _, stats in
                let start = ContinuousClock.now
                do {
                    try await client.deleteObject(bucket: bucket, key: keys[index].key, versionID: keys[index].versionID)
                    stats.record(.delete, since: start)
                } catch {
                    stats.recordError(.delete, error)
                }
            }
            deleted += outcome.stats.operations
            errors += outcome.stats.errorCount
            if outcome.stats.operations == 0 { break }
        }
        var bucketDeleted = false
        if deleteBucket {
            do {
                try await client.deleteBucket(bucket)
                bucketDeleted = true
            } catch {
                errors += 1
            }
        }
        return CleanupReport(deletedObjects: deleted, errors: errors, bucketDeleted: bucketDeleted)
    }

    // MARK: - Helpers

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func summary(_ report: WorkloadReport) -> String {
        var line = "\(report.workload): \(report.operations) ops, \(report.errors) errors in "
            + BenchReport.fixed(report.seconds, 2) + " s, " + BenchReport.fixed(report.operationsPerSecond, 1) + " ops/s"
        if report.bytes > 0 { line += ", " + BenchReport.fixed(report.mebibytesPerSecond, 1) + " MiB/s" }
        if let latency = report.latency.first, report.latency.count == 1 {
            line += ", p50 " + BenchReport.fixed(latency.p50Milliseconds, 2) + " ms, p99 "
                + BenchReport.fixed(latency.p99Milliseconds, 2) + " ms"
        }
        return line
    }
}
