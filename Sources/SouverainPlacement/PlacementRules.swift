public import Foundation

/// The rules of every classification: data, decoded from JSON and validated.
///
/// ```json
/// { "format": 1, "maxFactAgeDays": 365,
///   "classifications": { "health": { "allowedCountries": ["EEA"], "requiredCertifications": ["hds"] } } }
/// ```
public struct PlacementRules: Sendable, Hashable {
    public static let format = 1

    /// A registry fact older than this many days at decision time is stale.
    public var maxFactAgeDays: Int
    public var classifications: [Classification: ClassificationRules]

    public init(maxFactAgeDays: Int = 365, classifications: [Classification: ClassificationRules]) {
        self.maxFactAgeDays = maxFactAgeDays
        self.classifications = classifications
    }

    /// The rules of a classification, or nil if the name is invalid or not defined.
    public func rules(for classification: String) -> ClassificationRules? {
        Classification(classification).flatMap { classifications[$0] }
    }

    /// The maximum fact age that applies to a classification.
    public func maxFactAge(for rules: ClassificationRules) -> Int { rules.maxFactAgeDays ?? maxFactAgeDays }

    /// Decodes and validates a rules file; errors name the path and the reason.
    public static func decode(from data: Data) throws(PlacementRulesError) -> PlacementRules {
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw PlacementRulesError(.invalidJSON, path: "", reason: "the rules are not a JSON object")
        }
        do {
            return try JSONDecoder().decode(PlacementRules.self, from: data)
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            let rendered = renderPath(path)
            let code: PlacementRulesError.Code = rendered == "format" ? .unsupportedFormat : .invalidRule
            throw PlacementRulesError(code, path: rendered, reason: reason, cause: error)
        } catch {
            throw PlacementRulesError(.invalidRule, path: "", reason: "\(error)", cause: error)
        }
    }

    /// The rules as JSON, keys sorted.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension PlacementRules: Codable {
    private enum CodingKeys: String, CodingKey, CaseIterable { case format, maxFactAgeDays, classifications }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, known: Set(CodingKeys.allCases.map(\.stringValue)))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let format = try container.decode(Int.self, forKey: .format)
        guard format == Self.format else {
            throw ruleError(decoder, [CodingKeys.format], "format \(format) is not supported; this version reads format \(Self.format)")
        }
        let maxAge = try container.decodeIfPresent(Int.self, forKey: .maxFactAgeDays) ?? 365
        guard maxAge >= 1 else {
            throw ruleError(decoder, [CodingKeys.maxFactAgeDays], "\(maxAge) is out of range; use at least 1 day")
        }
        let nested = try container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .classifications)
        var classifications: [Classification: ClassificationRules] = [:]
        for key in nested.allKeys {
            guard let classification = Classification(key.stringValue) else {
                throw ruleError(decoder, [CodingKeys.classifications, key],
                                "'\(key.stringValue)' is not a valid classification name (lowercase letters, digits, hyphens; starts with a letter)")
            }
            classifications[classification] = try nested.decode(ClassificationRules.self, forKey: key)
        }
        self.init(maxFactAgeDays: maxAge, classifications: classifications)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.format, forKey: .format)
        try container.encode(maxFactAgeDays, forKey: .maxFactAgeDays)
        var nested = container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .classifications)
        for (classification, rules) in classifications.sorted(by: { $0.key < $1.key }) {
            try nested.encode(rules, forKey: AnyCodingKey(classification.name))
        }
    }
}
