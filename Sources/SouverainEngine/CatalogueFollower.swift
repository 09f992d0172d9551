public import Logging
import Synchronization
public import SouverainCatalogue

/// Keeps this gateway's caches in step with changes that other gateways make to the catalogue
/// they share (docs/scale-out.md, "What each gateway shares and what it keeps"). Every `interval`
/// it reads the catalogue's change feed after the last change it applied and drops exactly what
/// each change names: a bucket's unwrapped key versions (rotated, retired, shredded), a named
/// key's, a bucket's access documents, everything of a deleted bucket. Then it confirms the
/// caches' `validity`, which lapses when no reading succeeds within its bound: a lost reading, a
/// PostgreSQL restart or a feed that went backwards (a database restored) end with every cache
/// dropped, never with one left stale.
public final class CatalogueFollower: Sendable {
    public let interval: Duration
    public let validity: CacheValidity
    private let catalogue: any Catalogue
    private let keys: BucketKeys?
    /// The sequence number of the last change applied; nil before the first reading.
    private let position = Mutex<Int64?>(nil)
    /// Other caches that follow the feed (the server's bucket access documents): each is told
    /// every change, or nil for "drop everything".
    private let observers = Mutex<[@Sendable (CatalogueChange?) -> Void]>([])

    /// The bound of `validity` is twice the interval: a change committed just after a reading
    /// started is applied by the next one, one interval later, within its round trip.
    public init(catalogue: any Catalogue, keys: BucketKeys?, validity: CacheValidity, interval: Duration) {
        self.catalogue = catalogue
        self.keys = keys
        self.validity = validity
        self.interval = interval
    }

    /// Adds a cache to keep in step.
    public func observe(_ observer: @escaping @Sendable (CatalogueChange?) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Reads the feed once and applies what it says. Returns the changes applied (none after
    /// dropping everything). Throws what the catalogue throws: validity is then not confirmed.
    @discardableResult
    public func poll() async throws -> [CatalogueChange] {
        let started = ContinuousClock.now
        let lapsed = !validity.isValid
        var applied: [CatalogueChange] = []
        var dropEverything = lapsed
        var newPosition: Int64
        if let last = position.withLock({ $0 }) {
            newPosition = last
            while true {
                let page = try await catalogue.changes(after: newPosition, limit: 1000)
                applied += page
                guard let lastChange = page.last else { break }
                newPosition = lastChange.sequence
                if page.count < 1000 { break }
            }
            if applied.isEmpty {
                // A feed behind what was applied is another database (restored, replaced).
                let latest = try await catalogue.latestChangeSequence()
                if latest < last {
                    dropEverything = true
                    newPosition = latest
                }
            }
        } else {
            newPosition = try await catalogue.latestChangeSequence()
            dropEverything = true
        }
        if dropEverything {
            await keys?.forgetEverything()
            for observer in observers.withLock({ $0 }) { observer(nil) }
            applied = []
        } else {
            for change in applied { await apply(change) }
        }
        position.withLock { $0 = newPosition }
        validity.confirm(readingStartedAt: started)
        return applied
    }

    private func apply(_ change: CatalogueChange) async {
        switch change.kind {
        case .bucketKeys, .bucketDeleted:
            await keys?.forget(bucket: change.name)
        case .namedKey:
            await keys?.named.forget(keyID: change.name)
        case .bucketAccess:
            break
        case .unknown:
            await keys?.forgetEverything()
        }
        let told: CatalogueChange?
        if case .unknown = change.kind { told = nil } else { told = change }
        for observer in observers.withLock({ $0 }) { observer(told) }
    }

    /// Reads the feed every `interval` until cancelled. A failed reading is logged (once per
    /// outage) and retried at the next tick; the caches are bypassed meanwhile (`validity`).
    public func run(logger: Logger) async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await poll()
                if failing { logger.notice("the catalogue's change feed is read again; caches resumed") }
                failing = false
            } catch {
                if !failing {
                    logger.warning("cannot read the catalogue's change feed: caches are bypassed until it is read again",
                                   metadata: ["error": "\(error)"])
                }
                failing = true
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }
}
