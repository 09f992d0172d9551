public import Foundation

/// What a policy is evaluated against: who asks, for which action on which resource, and the
/// condition keys of the request (`aws:SourceIp`, `aws:SecureTransport`, `aws:CurrentTime`,
/// `aws:username`, `aws:userid`, `s3:prefix`, `s3:x-amz-server-side-encryption`, ...).
public struct PolicyRequest: Sendable {
    public var identity: PolicyIdentity
    /// The IAM action, e.g. `s3:GetObject`.
    public var action: String
    /// The resource ARN: `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`.
    public var resource: String
    /// Condition keys, lower-cased (IAM compares key names without case), to their values.
    public private(set) var keys: [String: [String]] = [:]

    public init(identity: PolicyIdentity, action: String, resource: String, sourceIP: String?, secureTransport: Bool, now: Date) {
        self.identity = identity
        self.action = action
        self.resource = resource
        if let sourceIP { set("aws:SourceIp", sourceIP) }
        set("aws:SecureTransport", secureTransport ? "true" : "false")
        set("aws:CurrentTime", PolicyDate.format(now))
        set("aws:EpochTime", String(Int(now.timeIntervalSince1970)))
        if case .user(let id, let name) = identity {
            set("aws:username", name)
            set("aws:userid", id)
        }
    }

    /// Sets a condition key (nil removes it).
    public mutating func set(_ key: String, _ value: String?) {
        keys[key.lowercased()] = value.map { [$0] }
    }

    /// Sets a condition key with several values (a token's `aud` list); an empty list removes it.
    public mutating func set(_ key: String, values: [String]) {
        keys[key.lowercased()] = values.isEmpty ? nil : values
    }

    public func values(_ key: String) -> [String]? { keys[key.lowercased()] }

    /// The ARN of a bucket, or of an object in it.
    public static func arn(bucket: String, key: String? = nil) -> String {
        key.map { "arn:aws:s3:::\(bucket)/\($0)" } ?? "arn:aws:s3:::\(bucket)"
    }
}

/// ISO 8601 dates as `aws:CurrentTime` carries them and `Date*` conditions compare them (also
/// accepted: epoch seconds, as IAM does).
enum PolicyDate {
    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func parse(_ text: String) -> Date? {
        if let seconds = Double(text), text.allSatisfy({ $0.isNumber || $0 == "." }) { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        // A date alone (2026-01-01) or with fractional seconds.
        if let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) { return date }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? fractional.parse(text)
    }
}
