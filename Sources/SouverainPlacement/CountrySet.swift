/// A list of ISO 3166-1 codes and zone names ("EU", "EEA", "EEA+adequacy"), as written in the
/// rules, and the countries it stands for.
public struct CountrySet: Sendable, Hashable, CustomStringConvertible {
    /// As written, in order.
    public let entries: [String]
    /// The expanded set of ISO codes.
    public let countries: Set<String>

    /// Nil, with the reason, when an entry is neither an ISO code nor a zone name.
    public static func parse(_ entries: [String]) -> Result<CountrySet, EntryError> {
        var countries: Set<String> = []
        for (index, entry) in entries.enumerated() {
            if let zone = CountryZone(rawValue: entry) {
                countries.formUnion(zone.countries)
            } else if ISOCountry.isValid(entry) {
                countries.insert(entry)
            } else {
                return .failure(EntryError(index: index, reason: Self.problem(with: entry)))
            }
        }
        return .success(CountrySet(entries: entries, countries: countries))
    }

    /// For code and tests; an invalid entry is a programming error.
    public init(_ entries: [String]) {
        switch Self.parse(entries) {
        case .success(let set): self = set
        case .failure(let error): preconditionFailure("invalid country set entry \(entries[error.index]): \(error.reason)")
        }
    }

    private init(entries: [String], countries: Set<String>) {
        self.entries = entries
        self.countries = countries
    }

    public func contains(_ country: String) -> Bool { countries.contains(country) }

    public var description: String { entries.joined(separator: ", ") }

    public struct EntryError: Error, Sendable, Hashable {
        public var index: Int
        public var reason: String
    }

    static func problem(with entry: String) -> String {
        let zones = CountryZone.allCases.map(\.rawValue).joined(separator: ", ")
        if ISOCountry.isValid(entry.uppercased()) {
            return "'\(entry)' is not an ISO 3166 country code; codes are upper case ('\(entry.uppercased())')"
        }
        return "'\(entry)' is not an ISO 3166 country code or a zone (\(zones))"
    }
}

extension CountrySet: Codable {
    public init(from decoder: any Decoder) throws {
        let entries = try [String](from: decoder)
        if entries.isEmpty {
            throw ruleError(decoder, [], "an empty list allows no country; omit the key to allow any country")
        }
        switch Self.parse(entries) {
        case .success(let set): self = set
        case .failure(let error): throw ruleError(decoder, [AnyCodingKey(intValue: error.index)], error.reason)
        }
    }

    public func encode(to encoder: any Encoder) throws { try entries.encode(to: encoder) }
}
