public import Foundation
import Synchronization

/// Which locations answer, learnt from the requests themselves: a circuit breaker per location.
///
/// A location is *up* until `failureThreshold` operations fail in a row; it is then *down* for
/// `cooldown`, during which writes skip it and reads try it last. After the cooldown it is
/// *probing*: the next operation (or the prober, ``ObjectStore/probeLocations()``) tries it, and
/// a success brings it back up while a failure sends it down for another cooldown.
public final class LocationMonitor: Sendable {
    public enum State: String, Sendable {
        case up, down, probing
    }

    public struct Status: Sendable, Equatable {
        public var location: String
        public var state: State
        public var consecutiveFailures: Int
        public var lastFailure: Date?
        public var lastError: String?
    }

    private struct Entry {
        var consecutiveFailures = 0
        var downUntil: Date?
        var lastFailure: Date?
        var lastError: String?
    }

    public let failureThreshold: Int
    public let cooldown: TimeInterval
    private let entries = Mutex<[String: Entry]>([:])

    public init(failureThreshold: Int = 3, cooldown: TimeInterval = 5) {
        self.failureThreshold = failureThreshold
        self.cooldown = cooldown
    }

    /// Whether new work should go to `location` now: up, or due for a probe.
    public func isUsable(_ location: String, now: Date = Date()) -> Bool {
        state(of: location, now: now) != .down
    }

    public func state(of location: String, now: Date = Date()) -> State {
        entries.withLock { entries in
            guard let entry = entries[location], entry.consecutiveFailures >= failureThreshold else { return .up }
            if let until = entry.downUntil, now < until { return .down }
            return .probing
        }
    }

    public func recordSuccess(_ location: String) {
        entries.withLock { entries in
            guard entries[location] != nil else { return }
            entries[location]!.consecutiveFailures = 0
            entries[location]!.downUntil = nil
        }
    }

    /// Counts a failure of an operation at `location`. The error text is kept for `location
    /// list`; it never holds a secret (storage errors name locators and statuses only).
    public func recordFailure(_ location: String, error: any Error, now: Date = Date()) {
        entries.withLock { entries in
            var entry = entries[location] ?? Entry()
            entry.consecutiveFailures += 1
            entry.lastFailure = now
            entry.lastError = String(describing: error).prefix(300).description
            if entry.consecutiveFailures >= failureThreshold { entry.downUntil = now.addingTimeInterval(cooldown) }
            entries[location] = entry
        }
    }

    /// The state of each of `locations`, in that order.
    public func statuses(of locations: [String], now: Date = Date()) -> [Status] {
        locations.map { id in
            let entry = entries.withLock { $0[id] } ?? Entry()
            return Status(location: id, state: state(of: id, now: now), consecutiveFailures: entry.consecutiveFailures,
                          lastFailure: entry.lastFailure, lastError: entry.lastError)
        }
    }

    /// `items` reordered so that those whose location is usable come first, each group in the
    /// given order: where reads, copies and new writes try first.
    public func usableFirst<Item>(_ items: [Item], now: Date = Date(), location: (Item) -> String) -> [Item] {
        let usable = items.map { isUsable(location($0), now: now) }
        return items.indices.filter { usable[$0] }.map { items[$0] } + items.indices.filter { !usable[$0] }.map { items[$0] }
    }
}
