import Histogram
import SouverainS3Client

/// What one worker measured; merged into a workload's figures at the end, so that workers never
/// share state on the hot path.
struct WorkerStats: Sendable {
    var histograms: [BenchOperation: Histogram<UInt64>] = [:]
    var bytes: Int64 = 0
    var errors: [String: Int] = [:]
    var errorSamples: [String] = []
    /// Indices of the objects this worker wrote successfully (for the workloads after).
    var written: [Int] = []

    /// Latencies from 1 µs to 1 hour, 3 significant digits.
    static func histogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    var operations: Int { histograms.values.reduce(0) { $0 + Int($1.totalCount) } }
    var errorCount: Int { errors.values.reduce(0, +) }

    mutating func record(_ operation: BenchOperation, since start: ContinuousClock.Instant, bytes: Int64 = 0) {
        let elapsed = ContinuousClock.now - start
        let microseconds = max(1, min(3_600_000_000, elapsed.components.seconds * 1_000_000
            + elapsed.components.attoseconds / 1_000_000_000_000))
        // In place: a copy taken out of the dictionary and stored back copied the whole histogram
        // (its counts, about 200 KiB) on every operation, 14% of the generator's CPU on small HEADs.
        _ = histograms[operation, default: Self.histogram()].record(UInt64(microseconds))
        self.bytes += bytes
    }

    mutating func recordError(_ operation: BenchOperation, _ error: any Error) {
        let code: String
        let message: String
        if let error = error as? S3ClientError {
            code = error.summary
            message = error.description
        } else if let error = error as? LengthMismatch {
            code = "LengthMismatch"
            message = "\(operation.rawValue): \(error)"
        } else {
            code = "other"
            message = "\(operation.rawValue): \(error)"
        }
        errors[code, default: 0] += 1
        if errorSamples.count < 5 { errorSamples.append(message) }
    }

    mutating func merge(_ other: WorkerStats) {
        for (operation, histogram) in other.histograms {
            var mine = histograms[operation] ?? Self.histogram()
            mine.add(histogram)
            histograms[operation] = mine
        }
        bytes += other.bytes
        errors.merge(other.errors, uniquingKeysWith: +)
        errorSamples += other.errorSamples.prefix(max(0, 5 - errorSamples.count))
        written += other.written
    }

    /// The latency entries of the report, in `BenchOperation` order.
    func latencies() -> [OperationLatency] {
        histograms.keys.sorted().compactMap { operation in
            guard let histogram = histograms[operation], histogram.totalCount > 0 else { return nil }
            func ms(_ microseconds: UInt64) -> Double { Double(microseconds) / 1000 }
            return OperationLatency(
                operation: operation, count: Int(histogram.totalCount),
                p50Milliseconds: ms(histogram.valueAtPercentile(50)), p99Milliseconds: ms(histogram.valueAtPercentile(99)),
                p999Milliseconds: ms(histogram.valueAtPercentile(99.9)), meanMilliseconds: histogram.mean / 1000,
                maxMilliseconds: ms(histogram.max))
        }
    }
}

/// A GET body whose length was not the object's.
struct LengthMismatch: Error, CustomStringConvertible {
    let key: String
    let expected: Int64
    let received: Int64
    var description: String { "\(key): received \(received) bytes, expected \(expected)" }
}
