import Foundation

/// The outcome of a run, as JSON (`json()`) with stable snake_case field names, or as a text table
/// (`table()`).
public struct BenchReport: Sendable, Codable, Equatable {
    /// Always "souverain-bench".
    public var tool: String
    /// The JSON layout's version (1); bumped only when a field changes meaning or goes away.
    public var formatVersion: Int
    /// The endpoint measured ("null" endpoint's address for a calibration run).
    public var endpoint: String
    /// Whether this was a calibration run against the in-process null endpoint.
    public var calibration: Bool
    public var bucket: String
    public var seed: UInt64
    /// ISO 8601, UTC.
    public var startedAt: String
    /// Wall time of the whole run, preparation and cleanup included.
    public var seconds: Double
    public var workloads: [WorkloadReport]
    /// The errors of every workload, added up.
    public var errors: Int
    /// What cleanup did; nil when it was turned off.
    public var cleanup: CleanupReport?

    enum CodingKeys: String, CodingKey {
        case tool, formatVersion = "format_version", endpoint, calibration, bucket, seed, startedAt = "started_at"
        case seconds, workloads, errors, cleanup
    }

    /// The report as JSON: sorted keys, pretty-printed unless `compact`.
    public func json(compact: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = compact ? [.sortedKeys] : [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// The figures of one workload. Warm-up operations are in none of them.
public struct WorkloadReport: Sendable, Codable, Equatable {
    public var workload: BenchWorkload
    /// Bytes per object (0 for list).
    public var objectSize: Int
    public var concurrency: Int
    /// The bounds the run had.
    public var operationLimit: Int
    public var durationLimitSeconds: Double
    /// Warm-up operations done before measuring.
    public var warmUpOperations: Int
    /// Operations that succeeded.
    public var operations: Int
    /// Operations that failed; by `S3ClientError.summary` (S3 code, `HTTP nnn`, `transport`,
    /// `timeout`...) or `LengthMismatch`.
    public var errors: Int
    public var errorsByCode: [String: Int]
    /// The first few error messages, for a look at what went wrong.
    public var errorSamples: [String]
    /// "operations" when the operation limit was reached, "duration" when time ran out first.
    public var stoppedBy: String
    /// Measured wall time, from the first operation's start to the last one's end.
    public var seconds: Double
    /// Body bytes sent (PUT) or received (GET) by successful operations.
    public var bytes: Int64
    public var mebibytesPerSecond: Double
    public var operationsPerSecond: Double
    /// Latency of successful operations, one entry per kind of request.
    public var latency: [OperationLatency]

    enum CodingKeys: String, CodingKey {
        case workload, objectSize = "object_size", concurrency, operationLimit = "operation_limit"
        case durationLimitSeconds = "duration_limit_s", warmUpOperations = "warm_up_operations", operations, errors
        case errorsByCode = "errors_by_code", errorSamples = "error_samples", stoppedBy = "stopped_by"
        case seconds = "seconds", bytes, mebibytesPerSecond = "mib_per_s", operationsPerSecond = "ops_per_s", latency
    }
}

/// Latency percentiles of one kind of request, from an HdrHistogram (microsecond resolution,
/// 3 significant digits).
public struct OperationLatency: Sendable, Codable, Equatable {
    public var operation: BenchOperation
    public var count: Int
    public var p50Milliseconds: Double
    public var p99Milliseconds: Double
    public var p999Milliseconds: Double
    public var meanMilliseconds: Double
    public var maxMilliseconds: Double

    enum CodingKeys: String, CodingKey {
        case operation, count, p50Milliseconds = "p50_ms", p99Milliseconds = "p99_ms", p999Milliseconds = "p999_ms"
        case meanMilliseconds = "mean_ms", maxMilliseconds = "max_ms"
    }
}

/// What the end-of-run cleanup did.
public struct CleanupReport: Sendable, Codable, Equatable {
    public var deletedObjects: Int
    public var errors: Int
    public var bucketDeleted: Bool

    enum CodingKeys: String, CodingKey {
        case deletedObjects = "deleted_objects", errors, bucketDeleted = "bucket_deleted"
    }
}
