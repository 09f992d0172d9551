import Synchronization

/// Whether what a gateway keeps in memory of a shared catalogue (bucket keys, named keys, bucket
/// access documents) may be used now (docs/scale-out.md, "The bound"). It may while the last
/// successful reading of the change feed (`CatalogueFollower`) started less than `bound` ago:
/// every change committed before that reading started has been applied, so nothing older than
/// `bound` can be served. When readings fail (PostgreSQL down or restarted, the process starved),
/// the caches are bypassed, every use reads the catalogue, and nothing is stored in them; the
/// next successful reading drops everything they held.
public final class CacheValidity: Sendable {
    public let bound: Duration
    private let confirmed = Mutex<ContinuousClock.Instant?>(nil)

    public init(bound: Duration) {
        self.bound = bound
    }

    /// True while a reading of the feed that started less than `bound` ago was applied.
    public var isValid: Bool {
        guard let confirmed = confirmed.withLock({ $0 }) else { return false }
        return ContinuousClock.now - confirmed < bound
    }

    /// When the last applied reading started; nil before the first.
    public var confirmedAt: ContinuousClock.Instant? { confirmed.withLock { $0 } }

    /// Records that every change committed before `start` has been applied.
    func confirm(readingStartedAt start: ContinuousClock.Instant) {
        confirmed.withLock { current in
            if current.map({ $0 < start }) ?? true { current = start }
        }
    }
}
