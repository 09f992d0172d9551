public import Logging
import NIOConcurrencyHelpers
import SouverainAudit
import SouverainS3

/// Records requests the HTTP layer refused: one log line and one audit record each, under the
/// rate limit of `RefusalLimiter`; what the limit turns away is summed up in one
/// `RefusalsSuppressed` record (and a log line) per `summaryInterval`. Channel handlers call
/// `report` from their event loop; `run` (a service of the server) writes the records.
public final class RefusalRecorder: Sendable {
    let audit: AuditTrail?
    let logger: Logger
    let summaryInterval: Duration
    private let limiter: NIOLockedValueBox<RefusalLimiter>
    private let events: AsyncStream<AuditEvent>
    private let continuation: AsyncStream<AuditEvent>.Continuation

    public convenience init(audit: AuditTrail?, logger: Logger, summaryInterval: Duration = .seconds(10)) {
        self.init(audit: audit, logger: logger, summaryInterval: summaryInterval, limiter: RefusalLimiter(now: .now))
    }

    init(audit: AuditTrail?, logger: Logger, summaryInterval: Duration, limiter: RefusalLimiter) {
        self.audit = audit
        self.logger = logger
        self.summaryInterval = summaryInterval
        self.limiter = NIOLockedValueBox(limiter)
        (events, continuation) = AsyncStream.makeStream(of: AuditEvent.self, bufferingPolicy: .bufferingOldest(1000))
    }

    /// Logs and queues the record of a refusal, unless the rate limit counts it instead.
    func report(_ refusal: HTTPRefusal) {
        let source = refusal.source ?? "unknown"
        guard limiter.withLockedValue({ $0.admit(source: source, now: .now) }) else { return }
        logger.notice("refused a request before S3 parsing", metadata: [
            "request_id": "\(refusal.requestID)", "remote": "\(source)", "http.status": "\(refusal.code.status)",
            "error": "\(refusal.code.name)", "detail": "\(refusal.detail)",
        ])
        if case .dropped = continuation.yield(refusal.event) {
            limiter.withLockedValue { $0.countSuppressed(source: source) }
        }
    }

    /// Writes the queued records and, every `summaryInterval`, the summary of suppressed ones;
    /// returns when cancelled, after a last summary.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in self.events { await self.record(event) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.summaryInterval)
                    await self.recordSuppressed()
                }
            }
            await group.next()
            group.cancelAll()
        }
        continuation.finish()
        await recordSuppressed()
    }

    /// The summary of the refusals the limit turned away since the last one, if any.
    func recordSuppressed() async {
        let suppressed = limiter.withLockedValue { $0.takeSuppressed() }
        guard let event = Self.summary(suppressed) else { return }
        logger.warning("refused requests left out of the audit trail by its rate limit", metadata: [
            "detail": "\(event.detail ?? "")",
        ])
        await record(event)
    }

    /// `suppressed=N sources=A:n,B:m` (the 20 largest sources), the source address when only one.
    static func summary(_ suppressed: [String: Int]) -> AuditEvent? {
        guard !suppressed.isEmpty else { return nil }
        let total = suppressed.values.reduce(0, +)
        let largest = suppressed.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(20)
        var detail = "suppressed=\(total) sources=" + largest.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        if suppressed.count > largest.count { detail += ",…(\(suppressed.count - largest.count) more)" }
        return AuditEvent(
            sourceAddress: suppressed.count == 1 ? suppressed.first?.key : nil, operation: .refusalsSuppressed, detail: detail)
    }

    private func record(_ event: AuditEvent) async {
        guard let audit else { return }
        do {
            try await audit.record(event)
        } catch {
            logger.error("cannot write the audit record of a refused request", metadata: ["error": "\(error)"])
        }
    }
}
