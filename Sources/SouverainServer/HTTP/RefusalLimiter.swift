/// How many refused requests the trail records one by one: a token bucket per source address
/// and one for all sources together. What the buckets turn away is counted by source, and
/// `takeSuppressed` hands the counts over for one summary record, so a flood costs the disk a
/// bounded number of records and still leaves a trace of its size.
struct RefusalLimiter {
    typealias Instant = ContinuousClock.Instant

    struct TokenBucket {
        let capacity: Double
        let perSecond: Double
        private(set) var tokens: Double
        private var last: Instant

        init(capacity: Int, perSecond: Double, now: Instant) {
            self.capacity = Double(capacity)
            self.perSecond = perSecond
            self.tokens = Double(capacity)
            self.last = now
        }

        mutating func refill(now: Instant) {
            guard now > last else { return }
            let elapsed = now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(capacity, tokens + seconds * perSecond)
            last = now
        }

        mutating func take(now: Instant) -> Bool {
            refill(now: now)
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }

        var isFull: Bool { tokens >= capacity }
    }

    struct Rate: Sendable, Equatable {
        var burst: Int
        var perSecond: Double
    }

    /// Per source: 20 at once, then 1 a second. In all: 200 at once, then 20 a second.
    static let defaultPerSource = Rate(burst: 20, perSecond: 1)
    static let defaultOverall = Rate(burst: 200, perSecond: 20)
    /// Sources remembered at most; full buckets are forgotten first (they hold no history).
    static let sourcesRemembered = 10_000

    let perSource: Rate
    private var overall: TokenBucket
    private var buckets: [String: TokenBucket] = [:]
    private(set) var suppressed: [String: Int] = [:]

    init(perSource: Rate = defaultPerSource, overall: Rate = defaultOverall, now: Instant) {
        self.perSource = perSource
        self.overall = TokenBucket(capacity: overall.burst, perSecond: overall.perSecond, now: now)
    }

    /// Whether this refusal from `source` gets its own record; if not, it is counted.
    mutating func admit(source: String, now: Instant) -> Bool {
        if buckets[source] == nil, buckets.count >= Self.sourcesRemembered { forgetFullBuckets(now: now) }
        var bucket = buckets[source] ?? TokenBucket(capacity: perSource.burst, perSecond: perSource.perSecond, now: now)
        // The source's bucket is checked first: one noisy source does not drain the shared one.
        let admitted = bucket.take(now: now) && overall.take(now: now)
        if buckets.count < Self.sourcesRemembered || buckets[source] != nil { buckets[source] = bucket }
        if !admitted { suppressed[source, default: 0] += 1 }
        return admitted
    }

    /// Counts a refusal that was dropped elsewhere (a full queue).
    mutating func countSuppressed(source: String) {
        suppressed[source, default: 0] += 1
    }

    /// The refusals turned away since the last call, by source; empty when there were none.
    mutating func takeSuppressed() -> [String: Int] {
        defer { suppressed = [:] }
        return suppressed
    }

    private mutating func forgetFullBuckets(now: Instant) {
        for (source, var bucket) in buckets {
            bucket.refill(now: now)
            if bucket.isFull { buckets[source] = nil }
        }
    }
}
