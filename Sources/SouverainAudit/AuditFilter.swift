/// Which records a query returns. Every condition set must hold; unset conditions match everything.
public struct AuditFilter: Hashable, Sendable {
    public var sequences: ClosedRange<UInt64>?
    /// Records with `time` in this range (inclusive).
    public var time: ClosedRange<AuditTime>?
    public var bucket: String?
    /// An exact key.
    public var key: String?
    /// Keys starting with this prefix.
    public var keyPrefix: String?
    /// The access key id.
    public var user: String?
    /// Any of these operations (empty: any operation).
    public var operations: Set<AuditOperation>
    /// Events that touched a location in this country (ISO 3166-1 alpha-2, compared case-insensitively).
    public var country: String?
    /// Whether checkpoints are returned; only when no event condition (bucket, key, user,
    /// operations, country) is set.
    public var includeCheckpoints: Bool

    public init(
        sequences: ClosedRange<UInt64>? = nil,
        time: ClosedRange<AuditTime>? = nil,
        bucket: String? = nil,
        key: String? = nil,
        keyPrefix: String? = nil,
        user: String? = nil,
        operations: Set<AuditOperation> = [],
        country: String? = nil,
        includeCheckpoints: Bool = false
    ) {
        self.sequences = sequences
        self.time = time
        self.bucket = bucket
        self.key = key
        self.keyPrefix = keyPrefix
        self.user = user
        self.operations = operations
        self.country = country
        self.includeCheckpoints = includeCheckpoints
    }

    public func matches(_ record: AuditRecord) -> Bool {
        if let sequences, !sequences.contains(record.sequence) { return false }
        if let time, !time.contains(record.time) { return false }
        guard let event = record.event else {
            return includeCheckpoints && bucket == nil && key == nil && keyPrefix == nil && user == nil && operations.isEmpty
                && country == nil
        }
        if let bucket, event.bucket != bucket { return false }
        if let key, event.key != key { return false }
        if let keyPrefix, !(event.key?.hasPrefix(keyPrefix) ?? false) { return false }
        if let user, event.user != user { return false }
        if !operations.isEmpty, !operations.contains(event.operation) { return false }
        if let country {
            let wanted = country.uppercased()
            guard event.locations.contains(where: { $0.country.uppercased() == wanted }) else { return false }
        }
        return true
    }
}
