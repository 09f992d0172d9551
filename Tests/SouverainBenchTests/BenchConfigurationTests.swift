import Foundation
import NIOCore
@testable import SouverainBench
import SouverainS3Client
import Testing

@Suite struct BenchConfigurationTests {
    static let base = BenchConfiguration(
        client: S3ClientConfiguration(endpoint: "http://127.0.0.1:9000", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b")))

    @Test func defaultsAreTheIssuesWorkloads() throws {
        let configuration = Self.base
        try configuration.validate()
        #expect(configuration.large.objectSize == 64 << 20)
        #expect(configuration.large.concurrency == 4)
        #expect(configuration.small.objectSize == 4096)
        #expect(configuration.small.concurrency == 32)
        #expect(configuration.list.pageSize == 1000)
        #expect(configuration.workloads == BenchWorkload.allCases)
    }

    @Test(arguments: [
        "bucket", "workloads", "concurrency", "partSize", "pageSize", "ratios", "operations", "duration", "smallSize",
    ])
    func invalidKnobsAreRefused(knob: String) {
        var configuration = Self.base
        switch knob {
        case "bucket": configuration.bucket = ""
        case "workloads": configuration.workloads = []
        case "concurrency": configuration.small.concurrency = 0
        case "partSize": configuration.large.partSize = 1 << 20
        case "pageSize": configuration.list.pageSize = 1001
        case "ratios": configuration.mixed = .init(put: 0, get: 0, head: 0, list: 0, delete: 0)
        case "operations": configuration.large.limits.operations = 0
        case "duration": configuration.mixed.limits.duration = .zero
        default: configuration.small.objectSize = 65 << 20
        }
        #expect(throws: BenchError.self) { try configuration.validate() }
    }

    @Test func generatedDataIsSeededAndStreamed() async throws {
        let one = PayloadSource(seed: 7, blockSize: 64 << 10)
        let same = PayloadSource(seed: 7, blockSize: 64 << 10)
        let other = PayloadSource(seed: 8, blockSize: 64 << 10)
        #expect(one.bytes(index: 3, size: 4096) == same.bytes(index: 3, size: 4096))
        #expect(one.bytes(index: 3, size: 4096) != other.bytes(index: 3, size: 4096))
        #expect(one.bytes(index: 3, size: 4096) != one.bytes(index: 4, size: 4096))
        #expect(one.bytes(index: 1, size: 200_000).readableBytes == 200_000)
        var total = 0
        var largest = 0
        for await buffer in one.stream(index: 1, size: 1_000_003) {
            total += buffer.readableBytes
            largest = max(largest, buffer.readableBytes)
        }
        #expect(total == 1_000_003)
        #expect(largest == 64 << 10)
    }

    @Test func reportFieldNamesAreStable() throws {
        let report = BenchReport(
            tool: "souverain-bench", formatVersion: 1, endpoint: "e", calibration: false, bucket: "b", seed: 1,
            startedAt: "2026-01-01T00:00:00.000Z", seconds: 1,
            workloads: [WorkloadReport(
                workload: .smallPut, objectSize: 4096, concurrency: 32, operationLimit: 10, durationLimitSeconds: 30,
                warmUpOperations: 2, operations: 10, errors: 1, errorsByCode: ["SlowDown": 1], errorSamples: ["x"],
                stoppedBy: "operations", seconds: 0.5, bytes: 40960, mebibytesPerSecond: 0.078, operationsPerSecond: 20,
                latency: [OperationLatency(operation: .put, count: 10, p50Milliseconds: 1, p99Milliseconds: 2,
                                           p999Milliseconds: 3, meanMilliseconds: 1.1, maxMilliseconds: 3)])],
            errors: 1, cleanup: CleanupReport(deletedObjects: 10, errors: 0, bucketDeleted: true))
        let object = try JSONSerialization.jsonObject(with: Data(report.json(compact: true).utf8)) as? [String: Any]
        #expect(Set(object?.keys.map { $0 } ?? []) == [
            "tool", "format_version", "endpoint", "calibration", "bucket", "seed", "started_at", "seconds", "workloads",
            "errors", "cleanup",
        ])
        let workload = (object?["workloads"] as? [[String: Any]])?.first
        #expect(Set(workload?.keys.map { $0 } ?? []) == [
            "workload", "object_size", "concurrency", "operation_limit", "duration_limit_s", "warm_up_operations",
            "operations", "errors", "errors_by_code", "error_samples", "stopped_by", "seconds", "bytes", "mib_per_s",
            "ops_per_s", "latency",
        ])
        #expect(workload?["workload"] as? String == "small-put")
        let latency = (workload?["latency"] as? [[String: Any]])?.first
        #expect(Set(latency?.keys.map { $0 } ?? []) == ["operation", "count", "p50_ms", "p99_ms", "p999_ms", "mean_ms", "max_ms"])
        #expect(latency?["operation"] as? String == "PUT")
        let table = report.table()
        #expect(table.contains("small-put"))
        #expect(table.contains("errors in small-put: SlowDown × 1"))
        #expect(table.contains("4 KiB"))
    }

    @Test func workerStatsMergeHistogramsAndErrors() {
        var one = WorkerStats()
        var two = WorkerStats()
        let start = ContinuousClock.now
        one.record(.get, since: start, bytes: 10)
        two.record(.get, since: start, bytes: 5)
        two.record(.put, since: start)
        two.recordError(.get, S3ClientError(code: .timeout, message: "slow", operation: "GetObject"))
        two.recordError(.get, LengthMismatch(key: "k", expected: 2, received: 1))
        one.merge(two)
        #expect(one.operations == 3)
        #expect(one.bytes == 15)
        #expect(one.errors == ["timeout": 1, "LengthMismatch": 1])
        #expect(one.latencies().map(\.operation) == [.put, .get])
        #expect(one.latencies().map(\.count) == [1, 2])
    }
}
