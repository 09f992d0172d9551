/// When a failed request is tried again, and after how long: exponential backoff with full jitter,
/// a bounded number of attempts.
///
/// Retried: 5xx answers, 429 and `SlowDown`, `RequestTimeout`, connection failures and timeouts.
/// Never retried: a request whose body is a stream that was already started, since it cannot be
/// replayed (bodies given as bytes, and streams that never began, can).
public struct RetryPolicy: Sendable, Equatable {
    /// How many times a request is sent at most, the first included (1 disables retries).
    public var maximumAttempts: Int
    /// The backoff ceiling before the first retry; it doubles for each retry after.
    public var baseDelay: Duration
    /// The largest backoff ceiling.
    public var maximumDelay: Duration
    /// Whether the wait is drawn uniformly between zero and the ceiling (full jitter, the default),
    /// rather than being the ceiling itself.
    public var jitter: Bool

    /// A policy; `maximumAttempts` below 1 counts as 1.
    public init(maximumAttempts: Int, baseDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5),
                jitter: Bool = true) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.jitter = jitter
    }

    /// Up to 4 attempts, 100 ms base, 5 s ceiling, full jitter.
    public static let standard = RetryPolicy(maximumAttempts: 4)
    /// One attempt: failures are reported at once.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// The wait before retry number `retry` (1 for the first retry): a uniform draw from
    /// `0...min(maximumDelay, baseDelay × 2^(retry-1))` with jitter, that ceiling without.
    public func delay(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(maximumDelay, baseDelay * (1 << exponent))
        guard jitter else { return ceiling }
        let nanoseconds = ceiling.nanoseconds
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &generator))
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled &+ attoseconds / 1_000_000_000
    }
}
