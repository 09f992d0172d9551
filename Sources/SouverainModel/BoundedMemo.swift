import Synchronization

/// Values remembered by key, for work that gives the same answer for the same key (a document's
/// text, a decision): at most `capacity` of them, and when full the memory starts again empty
/// rather than tracking which to evict. Safe to share between threads.
public final class BoundedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let capacity: Int
    private let values = Mutex<[Key: Value]>([:])

    public init(capacity: Int) {
        self.capacity = capacity
    }

    public func value(for key: Key) -> Value? {
        values.withLock { $0[key] }
    }

    public func keep(_ value: Value, for key: Key) {
        values.withLock { values in
            if values.count >= capacity, values[key] == nil { values.removeAll(keepingCapacity: true) }
            values[key] = value
        }
    }
}
