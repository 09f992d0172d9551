import Prometheus
import Testing
@testable import SouverainServer

/// The request metrics, as `/metrics` shows them: each operation's series found once and then
/// counted on (ServerMetrics keeps them), never a series per request.
struct ServerMetricsTests {
    private func exposition(_ metrics: ServerMetrics) -> [String] {
        String(decoding: metrics.exposition(), as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    @Test func requestsAndBytesAccumulateInOneSeriesPerOperationAndStatus() {
        let metrics = ServerMetrics(registry: PrometheusCollectorRegistry())
        for _ in 0..<3 { metrics.record(operation: "PutObject", status: 200, bytesIn: 100, bytesOut: 0, duration: .milliseconds(3)) }
        metrics.record(operation: "PutObject", status: 403, bytesIn: 0, bytesOut: 0, duration: .microseconds(100))
        for _ in 0..<2 { metrics.record(operation: "HeadObject", status: 200, bytesIn: 0, bytesOut: 0, duration: .microseconds(300)) }
        metrics.record(operation: "GetObject", status: 200, bytesIn: 0, bytesOut: 4096, duration: .seconds(2))

        let lines = exposition(metrics)
        for expected in [
            #"souverain_requests_total{operation="PutObject",status="200"} 3"#,
            #"souverain_requests_total{operation="PutObject",status="403"} 1"#,
            #"souverain_requests_total{operation="HeadObject",status="200"} 2"#,
            #"souverain_requests_total{operation="GetObject",status="200"} 1"#,
            #"souverain_received_bytes_total{operation="PutObject"} 300"#,
            #"souverain_sent_bytes_total{operation="GetObject"} 4096"#,
            #"souverain_request_duration_seconds_count{operation="PutObject"} 4"#,
            #"souverain_request_duration_seconds_count{operation="HeadObject"} 2"#,
            #"souverain_request_duration_seconds_bucket{operation="HeadObject",le="0.0005"} 2"#,
            #"souverain_request_duration_seconds_bucket{operation="GetObject",le="1.0"} 0"#,
        ] {
            #expect(lines.contains(expected), "\(expected) not in \(lines)")
        }
        // An operation that moves no object bytes has no byte counters.
        #expect(!lines.contains { $0.contains("bytes_total") && $0.contains("HeadObject") })
        #expect(lines.filter { $0.hasPrefix("souverain_requests_total") }.count == 4)
    }
}
