public import Foundation

/// A registry fact the engine consulted for a location, as shown in reasons and explanations.
public struct FactUse: Sendable, Hashable {
    /// The fact's field (`qualifications.hds`, `objectStorage.gra.country`, `profile.country`).
    public var field: String
    public var providerID: String
    /// The value, rendered for people.
    public var value: String
    public var sourceIDs: [String]
    public var asOf: Date
    public var verification: Verification
    /// Whole days from `asOf` to the decision.
    public var ageDays: Int
    public var isStale: Bool

    public init(
        field: String, providerID: String, value: String, sourceIDs: [String], asOf: Date,
        verification: Verification, ageDays: Int, isStale: Bool
    ) {
        self.field = field
        self.providerID = providerID
        self.value = value
        self.sourceIDs = sourceIDs
        self.asOf = asOf
        self.verification = verification
        self.ageDays = ageDays
        self.isStale = isStale
    }

    /// "as of 2026-11-22", or "declared in the location profile".
    var evidence: String {
        verification == .declared ? "declared in the location profile" : "registry, as of \(CalendarDay.format(asOf))"
    }
}

extension FactUse: Codable {
    private enum CodingKeys: String, CodingKey {
        case field, providerID, value, sources, asOf, verification, ageDays, isStale
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let day = try c.decode(String.self, forKey: .asOf)
        guard let asOf = CalendarDay.parse(day) else {
            throw DecodingError.dataCorruptedError(forKey: .asOf, in: c, debugDescription: "'\(day)' is not a date (YYYY-MM-DD)")
        }
        self.init(
            field: try c.decode(String.self, forKey: .field), providerID: try c.decode(String.self, forKey: .providerID),
            value: try c.decode(String.self, forKey: .value), sourceIDs: try c.decode([String].self, forKey: .sources),
            asOf: asOf, verification: try c.decode(Verification.self, forKey: .verification),
            ageDays: try c.decode(Int.self, forKey: .ageDays), isStale: try c.decode(Bool.self, forKey: .isStale)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(field, forKey: .field)
        try c.encode(providerID, forKey: .providerID)
        try c.encode(value, forKey: .value)
        try c.encode(sourceIDs, forKey: .sources)
        try c.encode(CalendarDay.format(asOf), forKey: .asOf)
        try c.encode(verification, forKey: .verification)
        try c.encode(ageDays, forKey: .ageDays)
        try c.encode(isStale, forKey: .isStale)
    }
}
