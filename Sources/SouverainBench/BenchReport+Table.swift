import Foundation

extension BenchReport {
    /// The report as a text table: one row per workload, plus one per request kind for the mixed
    /// workload, then the errors by code.
    public func table() -> String {
        var rows: [[String]] = [["workload", "size", "conc", "ops", "errors", "secs", "MiB/s", "ops/s",
                                 "p50 ms", "p99 ms", "p999 ms", "stopped by"]]
        for workload in workloads {
            let single = workload.latency.count == 1 ? workload.latency.first : nil
            rows.append([
                workload.workload.rawValue, Self.size(workload.objectSize), String(workload.concurrency),
                String(workload.operations), String(workload.errors), Self.fixed(workload.seconds, 2),
                Self.fixed(workload.mebibytesPerSecond, 1), Self.fixed(workload.operationsPerSecond, 1),
                single.map { Self.fixed($0.p50Milliseconds, 2) } ?? "", single.map { Self.fixed($0.p99Milliseconds, 2) } ?? "",
                single.map { Self.fixed($0.p999Milliseconds, 2) } ?? "", workload.stoppedBy,
            ])
            if single == nil {
                for latency in workload.latency {
                    rows.append([
                        "  " + latency.operation.rawValue, "", "", String(latency.count), "", "", "", "",
                        Self.fixed(latency.p50Milliseconds, 2), Self.fixed(latency.p99Milliseconds, 2),
                        Self.fixed(latency.p999Milliseconds, 2), "",
                    ])
                }
            }
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = [
            "souverain bench: \(endpoint)\(calibration ? " (calibration: null endpoint)" : ""), bucket \(bucket), seed \(seed), started \(startedAt)",
        ]
        for (index, row) in rows.enumerated() {
            let cells = row.enumerated().map { column, cell in
                column == 0 || column == row.count - 1
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            lines.append(line)
            if index == 0 { lines.append(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))) }
        }
        for workload in workloads where workload.errors > 0 {
            let codes = workload.errorsByCode.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }
            lines.append("errors in \(workload.workload): " + codes.joined(separator: ", "))
            for sample in workload.errorSamples.prefix(3) { lines.append("  e.g. \(sample)") }
        }
        if let cleanup {
            lines.append("cleanup: \(cleanup.deletedObjects) objects deleted, \(cleanup.errors) errors"
                         + (cleanup.bucketDeleted ? ", bucket deleted" : ""))
        }
        lines.append(String(format: "total: %.1f s, %d errors", seconds, errors))
        return lines.joined(separator: "\n") + "\n"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) B"
    }
}
