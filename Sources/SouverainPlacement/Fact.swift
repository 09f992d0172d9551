public import Foundation

/// A registry fact: a value, the sources it comes from, the day it was last checked, and how well.
public struct Fact<Value: Sendable & Hashable & Codable>: Sendable, Hashable {
    public var value: Value
    /// Keys into `ProviderRegistry.sources`; empty when the dataset cites none.
    public var sourceIDs: [String]
    /// The day the fact was compiled or last confirmed (UTC midnight).
    public var asOf: Date
    public var verification: Verification

    public init(_ value: Value, sourceIDs: [String] = [], asOf: Date, verification: Verification) {
        self.value = value
        self.sourceIDs = sourceIDs
        self.asOf = asOf
        self.verification = verification
    }

    /// The same evidence for another value.
    func map<Other>(_ transform: (Value) -> Other) -> Fact<Other> {
        Fact<Other>(transform(value), sourceIDs: sourceIDs, asOf: asOf, verification: verification)
    }

    /// Whole days between `asOf` and `now`.
    public func age(at now: Date) -> Int { CalendarDay.days(from: asOf, to: now) }

    /// True when the fact is older than `maxAgeDays` at `now`.
    public func isStale(at now: Date, maxAgeDays: Int) -> Bool { age(at: now) > maxAgeDays }
}

extension Fact: Codable {
    private enum CodingKeys: String, CodingKey { case value, sources, asOf, verification }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = try container.decode(Value.self, forKey: .value)
        sourceIDs = try container.decode([String].self, forKey: .sources)
        let day = try container.decode(String.self, forKey: .asOf)
        guard let date = CalendarDay.parse(day) else {
            throw DecodingError.dataCorruptedError(
                forKey: .asOf, in: container, debugDescription: "'\(day)' is not a date (YYYY-MM-DD)")
        }
        asOf = date
        verification = try container.decode(Verification.self, forKey: .verification)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encode(sourceIDs, forKey: .sources)
        try container.encode(CalendarDay.format(asOf), forKey: .asOf)
        try container.encode(verification, forKey: .verification)
    }
}

/// How a fact was established: the dataset's levels, plus `notStated` and `declared`.
public enum Verification: String, Sendable, Hashable, Codable, CaseIterable {
    /// Checked against the instrument or official list.
    case primary
    /// The provider's own documentation.
    case vendorDoc = "vendor-doc"
    /// Press, law firms, third-party compilations.
    case secondary
    case pressArticle = "press-article"
    /// Derived from another fact (for example from a SecNumCloud qualification).
    case inferred
    case conflicting
    case unverified
    /// The dataset gives no verification level for this fact.
    case notStated = "not-stated"
    /// Declared by the organisation in a location's profile (on-premise).
    case declared

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
}
