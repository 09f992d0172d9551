import Foundation
public import Prometheus
import Synchronization

/// The Prometheus metrics the server exports on `/metrics`. Dimensions are few and bounded:
/// operation and status, never a bucket or a key.
public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Each series, found once: the registry builds a metric's name and looks up its labels at
    /// each `make…` call, about 1.5% of a small HEAD's CPU. Bounded by the operations and statuses
    /// the server has; a series is made on first use, so an operation that moves no object bytes
    /// has no byte counters.
    private let known = KnownSeries()

    private final class KnownSeries: Sendable {
        let counters = Mutex<[CounterKey: Counter]>([:])
        let latencies = Mutex<[String: DurationHistogram]>([:])
    }

    private enum CounterKey: Hashable {
        case requests(operation: String, status: Int)
        case received(operation: String)
        case sent(operation: String)
    }

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
        counter(.requests(operation: operation, status: status)).increment()
        if bytesIn > 0 { counter(.received(operation: operation)).increment(by: bytesIn) }
        if bytesOut > 0 { counter(.sent(operation: operation)).increment(by: bytesOut) }
        let latency = known.latencies.withLock { $0[operation] } ?? {
            let made = registry.makeDurationHistogram(descriptor: Self.latency, labels: [("operation", operation)], buckets: Self.latencyBuckets)
            known.latencies.withLock { $0[operation] = made }
            return made
        }()
        latency.record(duration)
    }

    /// The counter of `key`, made the first time (the registry answers the same counter for the
    /// same name and labels, so two first requests at once share it).
    private func counter(_ key: CounterKey) -> Counter {
        if let found = known.counters.withLock({ $0[key] }) { return found }
        let made = switch key {
        case .requests(let operation, let status):
            registry.makeCounter(descriptor: Self.requests, labels: [("operation", operation), ("status", String(status))])
        case .received(let operation): registry.makeCounter(descriptor: Self.received, labels: [("operation", operation)])
        case .sent(let operation): registry.makeCounter(descriptor: Self.sent, labels: [("operation", operation)])
        }
        known.counters.withLock { $0[key] = made }
        return made
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
