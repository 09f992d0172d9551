/// A map that holds at most `capacity` values: once full, each new key pushes out the oldest
/// one put in (first in, first out; a read does not make a key younger). For memos of what is
/// costly to compute again (derived and unwrapped keys), where any entry may go at any time.
/// Not synchronised: its owner's lock or actor protects it.
public struct BoundedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public let capacity: Int
    private var values: [Key: Value] = [:]
    /// Keys in the order they came in, overwritten in a ring once `capacity` is reached.
    private var order: [Key] = []
    private var next = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "a memo holds at least one value")
        self.capacity = capacity
    }

    public var count: Int { values.count }

    public subscript(key: Key) -> Value? { values[key] }

    /// Holds `value` for `key`, replacing what `key` held (its place in the order kept), else
    /// pushing out the oldest key when full.
    public mutating func set(_ value: Value, for key: Key) {
        if values.updateValue(value, forKey: key) != nil { return }
        if order.count < capacity {
            order.append(key)
        } else {
            values[order[next]] = nil
            order[next] = key
            next = (next + 1) % capacity
        }
    }

    public mutating func removeAll() {
        values = [:]
        order = []
        next = 0
    }
}
