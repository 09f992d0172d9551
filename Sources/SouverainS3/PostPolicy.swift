public import Foundation
import SouverainPolicy

/// The policy document of a browser-form upload (PostObject, AWS's "POST Policy"): the base64 of
/// a JSON object with an `expiration` time and the `conditions` the form must meet. Signed by the
/// uploader's key (SigV4 over the base64 text), it is what lets a web page upload without ever
/// holding the key: whatever the form says that the policy does not allow is refused.
///
/// ```
/// { "expiration": "2026-12-01T12:00:00.000Z",
///   "conditions": [ {"bucket": "photos"}, ["starts-with", "$key", "user/eric/"],
///                   ["content-length-range", 1, 10485760], {"x-amz-algorithm": "AWS4-HMAC-SHA256"} ] }
/// ```
public struct PostPolicy: Sendable, Equatable {
    public enum Condition: Sendable, Equatable {
        /// `{"field": "value"}` or `["eq", "$field", "value"]`.
        case equals(field: String, value: String)
        /// `["starts-with", "$field", "prefix"]`; an empty prefix accepts any value.
        case startsWith(field: String, prefix: String)
        /// `["content-length-range", min, max]`: the file's size in bytes.
        case contentLengthRange(minimum: Int64, maximum: Int64)

        /// The condition as the policy wrote it, for the message of a refusal.
        public var text: String {
            func quoted(_ text: String) -> String {
                "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
            switch self {
            case .equals(let field, let value): return "[\"eq\", \(quoted("$" + field)), \(quoted(value))]"
            case .startsWith(let field, let prefix): return "[\"starts-with\", \(quoted("$" + field)), \(quoted(prefix))]"
            case .contentLengthRange(let minimum, let maximum): return "[\"content-length-range\", \(minimum), \(maximum)]"
            }
        }
    }

    public let expiration: Date
    public let conditions: [Condition]

    /// Form fields that no condition needs to name (AWS: the signature, the file, the policy
    /// itself, and any `x-ignore-` field).
    public static func isExempt(_ field: String) -> Bool {
        ["x-amz-signature", "file", "policy"].contains(field) || field.hasPrefix("x-ignore-")
    }

    /// Decodes the `policy` form field. Throws `InvalidPolicyDocument` (400) with the reason.
    public init(base64 text: String) throws(S3Error) {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Self.invalid("Invalid Policy: Invalid Base64 Encoding.")
        }
        guard let document = try? JSONDecoder().decode(JSON.self, from: data), case .object(let object) = document else {
            throw Self.invalid("Invalid Policy: Invalid JSON.")
        }
        for key in object.keys.sorted() where key != "expiration" && key != "conditions" {
            throw Self.invalid("Invalid Policy: Unexpected field '\(key)'.")
        }
        guard case .string(let expiration)? = object["expiration"] else {
            throw Self.invalid("Invalid Policy: Policy missing expiration.")
        }
        guard let date = Self.date(expiration) else {
            throw Self.invalid("Invalid Policy: Invalid 'expiration' value: '\(expiration)'.")
        }
        guard case .array(let list)? = object["conditions"] else {
            throw Self.invalid("Invalid Policy: Policy missing conditions.")
        }
        var conditions: [Condition] = []
        for entry in list {
            switch entry {
            case .object(let pairs):
                guard pairs.count == 1, let (field, value) = pairs.first, let string = value.scalar else {
                    throw Self.invalid("Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
                }
                conditions.append(.equals(field: Self.fieldName(field), value: string))
            case .array(let array):
                guard case .string(let kind)? = array.first else {
                    throw Self.invalid("Invalid Policy: Invalid Condition: a list condition starts with its operator.")
                }
                conditions.append(try Self.condition(kind.lowercased(), array))
            default:
                throw Self.invalid("Invalid Policy: Invalid Condition: conditions are objects or arrays.")
            }
        }
        self.expiration = date
        self.conditions = conditions
    }

    static func condition(_ kind: String, _ array: [JSON]) throws(S3Error) -> Condition {
        switch kind {
        case "eq", "starts-with":
            guard array.count == 3, case .string(let field) = array[1], field.hasPrefix("$"), let value = array[2].scalar else {
                throw invalid("Invalid Policy: Invalid '\(kind)' Condition: it takes [\"\(kind)\", \"$field\", \"value\"].")
            }
            let name = fieldName(String(field.dropFirst()))
            return kind == "eq" ? .equals(field: name, value: value) : .startsWith(field: name, prefix: value)
        case "content-length-range":
            guard array.count == 3, let minimum = array[1].integer, let maximum = array[2].integer, minimum >= 0, maximum >= minimum else {
                throw invalid("Invalid Policy: Invalid 'content-length-range' Condition: it takes two sizes, the smaller first.")
            }
            return .contentLengthRange(minimum: minimum, maximum: maximum)
        default:
            throw invalid("Invalid Policy: Invalid Condition: unknown operator '\(kind)'.")
        }
    }

    /// Checks the form's fields (names lowercased; `bucket` included) at `now`: the expiry, every
    /// condition but the size's, and that no field goes unnamed by the conditions. Throws
    /// `AccessDenied` (403) naming the condition that failed, as AWS does.
    public func check(fields: [String: String], now: Date) throws(S3Error) {
        guard now < expiration else { throw Self.denied("Invalid according to Policy: Policy expired.") }
        var named: Set<String> = []
        for condition in conditions {
            switch condition {
            case .equals(let field, let value):
                named.insert(field)
                guard fields[field] == value else {
                    throw Self.denied("Invalid according to Policy: Policy Condition failed: \(condition.text)")
                }
            case .startsWith(let field, let prefix):
                named.insert(field)
                // Content-Type may list several values, each of which must match.
                let values = field == "content-type" ? (fields[field] ?? "").split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                } : [fields[field] ?? ""]
                guard fields[field] != nil, values.allSatisfy({ $0.hasPrefix(prefix) }) else {
                    throw Self.denied("Invalid according to Policy: Policy Condition failed: \(condition.text)")
                }
            case .contentLengthRange:
                break
            }
        }
        let extra = fields.keys.filter { !named.contains($0) && !Self.isExempt($0) && $0 != "bucket" }.sorted()
        if !extra.isEmpty {
            throw Self.denied("Invalid according to Policy: Extra input fields: \(extra.joined(separator: ", "))")
        }
    }

    /// The size bounds of the file, from `content-length-range` (the tightest, if several).
    public var sizeRange: ClosedRange<Int64>? {
        var range: ClosedRange<Int64>?
        for case .contentLengthRange(let minimum, let maximum) in conditions {
            let lower = max(minimum, range?.lowerBound ?? minimum)
            let upper = min(maximum, range?.upperBound ?? maximum)
            range = lower...max(lower, upper)
        }
        return range
    }

    // MARK: helpers

    static func fieldName(_ name: String) -> String { name.lowercased() }

    /// ISO 8601 in UTC, with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func invalid(_ message: String) -> S3Error { S3Error(.invalidPolicyDocument, message) }
    static func denied(_ message: String) -> S3Error { S3Error(.accessDenied, message) }
}

extension PostPolicy {
    /// A JSON value, typed exactly (a boolean is never a number): the policy parser's.
    typealias JSON = JSONValue
}

extension JSONValue {
    /// A string, or a whole number written without a fraction.
    var scalar: String? {
        switch self {
        case .string(let value): value
        case .number: integer.map(String.init)
        default: nil
        }
    }

    /// A whole number, given as a number or as a string of digits.
    var integer: Int64? {
        switch self {
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? Int64(value) : nil
        case .string(let value): Int64(value)
        default: nil
        }
    }
}
