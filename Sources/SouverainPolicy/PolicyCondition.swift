import Foundation

/// One test of a statement's `Condition` block: an operator applied to one condition key with
/// the policy's values. A statement applies only when all its conditions hold; within one
/// condition, any of the values may match (for the negated operators, none may).
public struct PolicyCondition: Sendable, Equatable {
    public let `operator`: ConditionOperator
    public let key: String
    public let values: [String]

    /// Whether the condition holds for `request`. A key the request lacks fails a positive
    /// operator and satisfies a negated one, as IAM evaluates them; `…IfExists` makes an absent
    /// key satisfy any operator; `Null` tests presence itself.
    public func holds(for request: PolicyRequest) -> Bool {
        let present = request.values(key)
        if `operator`.kind == .null {
            let wantsAbsent = values.contains { $0.lowercased() == "true" }
            return wantsAbsent == (present == nil)
        }
        guard let present, !present.isEmpty else { return `operator`.ifExists || `operator`.kind.isNegated }
        let matched = present.contains { actual in values.contains { Self.matches(`operator`.kind, expected: $0, actual: actual) } }
        return `operator`.kind.isNegated ? !matched : matched
    }

    /// Whether one request value matches one policy value under the operator (before negation).
    static func matches(_ kind: ConditionOperator.Kind, expected: String, actual: String) -> Bool {
        switch kind {
        case .stringEquals, .stringNotEquals: return expected == actual
        case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase: return expected.lowercased() == actual.lowercased()
        case .stringLike, .stringNotLike, .arnLike, .arnNotLike: return WildcardPattern.matches(expected, actual)
        case .arnEquals, .arnNotEquals: return expected == actual
        case .ipAddress, .notIpAddress: return IPAddressBlock(expected)?.contains(actual) ?? false
        case .bool: return expected.lowercased() == actual.lowercased()
        case .numericEquals, .numericNotEquals, .numericLessThan, .numericLessThanEquals, .numericGreaterThan,
             .numericGreaterThanEquals:
            guard let expected = Double(expected), let actual = Double(actual) else { return false }
            return compare(kind, actual, expected)
        case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan, .dateGreaterThanEquals:
            guard let expected = PolicyDate.parse(expected), let actual = PolicyDate.parse(actual) else { return false }
            return compare(kind, actual.timeIntervalSince1970, expected.timeIntervalSince1970)
        case .null: return false
        }
    }

    static func compare(_ kind: ConditionOperator.Kind, _ actual: Double, _ expected: Double) -> Bool {
        switch kind {
        case .numericEquals, .numericNotEquals, .dateEquals, .dateNotEquals: actual == expected
        case .numericLessThan, .dateLessThan: actual < expected
        case .numericLessThanEquals, .dateLessThanEquals: actual <= expected
        case .numericGreaterThan, .dateGreaterThan: actual > expected
        case .numericGreaterThanEquals, .dateGreaterThanEquals: actual >= expected
        default: false
        }
    }

    /// Checks a policy value is well formed for the operator (a CIDR block, a date, a number, a boolean).
    static func validate(_ kind: ConditionOperator.Kind, _ value: String, key: String) throws(PolicyError) {
        switch kind {
        case .ipAddress, .notIpAddress:
            guard IPAddressBlock(value) != nil else { throw PolicyError("Invalid IP address or CIDR block in condition \(key): \(value)") }
        case .bool, .null:
            guard ["true", "false"].contains(value.lowercased()) else { throw PolicyError("Invalid boolean in condition \(key): \(value)") }
        case .numericEquals, .numericNotEquals, .numericLessThan, .numericLessThanEquals, .numericGreaterThan, .numericGreaterThanEquals:
            guard Double(value) != nil else { throw PolicyError("Invalid number in condition \(key): \(value)") }
        case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan, .dateGreaterThanEquals:
            guard PolicyDate.parse(value) != nil else { throw PolicyError("Invalid date in condition \(key): \(value) (ISO 8601, e.g. 2026-01-01T00:00:00Z)") }
        default:
            break
        }
    }
}

/// A condition operator: its kind, and whether `IfExists` was appended.
public struct ConditionOperator: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case stringEquals = "StringEquals", stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase", stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
        case stringLike = "StringLike", stringNotLike = "StringNotLike"
        case numericEquals = "NumericEquals", numericNotEquals = "NumericNotEquals"
        case numericLessThan = "NumericLessThan", numericLessThanEquals = "NumericLessThanEquals"
        case numericGreaterThan = "NumericGreaterThan", numericGreaterThanEquals = "NumericGreaterThanEquals"
        case dateEquals = "DateEquals", dateNotEquals = "DateNotEquals"
        case dateLessThan = "DateLessThan", dateLessThanEquals = "DateLessThanEquals"
        case dateGreaterThan = "DateGreaterThan", dateGreaterThanEquals = "DateGreaterThanEquals"
        case bool = "Bool"
        case ipAddress = "IpAddress", notIpAddress = "NotIpAddress"
        case arnEquals = "ArnEquals", arnNotEquals = "ArnNotEquals", arnLike = "ArnLike", arnNotLike = "ArnNotLike"
        case null = "Null"

        var isNegated: Bool {
            switch self {
            case .stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike, .numericNotEquals, .dateNotEquals,
                 .notIpAddress, .arnNotEquals, .arnNotLike:
                true
            default:
                false
            }
        }
    }

    public let kind: Kind
    public let ifExists: Bool

    public init(kind: Kind, ifExists: Bool = false) {
        self.kind = kind
        self.ifExists = ifExists
    }

    /// Reads an operator name; `ForAnyValue:` and `ForAllValues:` (multivalued keys, which no
    /// S3 condition key here is) are refused rather than misread.
    static func parse(_ name: String) throws(PolicyError) -> ConditionOperator {
        var base = name
        var ifExists = false
        if base.hasSuffix("IfExists"), base != "IfExists" {
            base = String(base.dropLast("IfExists".count))
            ifExists = true
        }
        guard let kind = Kind(rawValue: base), !(ifExists && kind == .null) else {
            throw PolicyError("Invalid Condition type : \(name)")
        }
        return ConditionOperator(kind: kind, ifExists: ifExists)
    }
}
