import Foundation
public import Prometheus

/// The Prometheus metrics the server exports on `/metrics`. Dimensions are few and bounded:
/// operation and status, never a bucket or a key.
public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    private static var requests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "souverain", metricName: "requests", unitName: "total", helpText: "S3 requests by operation and HTTP status") }
    private static var received: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "souverain", metricName: "received_bytes", unitName: "total", helpText: "Object bytes received") }
    private static var sent: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "souverain", metricName: "sent_bytes", unitName: "total", helpText: "Object bytes sent") }
    private static var latency: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "souverain", metricName: "request_duration", unitName: "seconds",
        helpText: "Time to the response head, by operation") }

    func record(operation: String, status: Int, bytesIn: Int64, bytesOut: Int64, duration: Duration) {
        registry.makeCounter(descriptor: Self.requests, labels: [("operation", operation), ("status", String(status))]).increment()
        if bytesIn > 0 {
            registry.makeCounter(descriptor: Self.received, labels: [("operation", operation)]).increment(by: bytesIn)
        }
        if bytesOut > 0 {
            registry.makeCounter(descriptor: Self.sent, labels: [("operation", operation)]).increment(by: bytesOut)
        }
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("operation", operation)], buckets: Self.latencyBuckets)
            .record(duration)
    }

    private static var locationUp: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "souverain", metricName: "location_up", unitName: "", helpText: "1 while a storage location answers, 0 while its circuit is open") }
    private static var repairBacklog: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "souverain", metricName: "repair_backlog", unitName: "objects", helpText: "Objects with a copy missing or damaged") }

    func locationUp(_ location: String, _ up: Bool) {
        registry.makeGauge(descriptor: Self.locationUp, labels: [("location", location)]).set(to: up ? 1.0 : 0.0)
    }

    func repairBacklog(_ count: Int) {
        registry.makeGauge(descriptor: Self.repairBacklog).set(to: Double(count))
    }

    static let latencyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
