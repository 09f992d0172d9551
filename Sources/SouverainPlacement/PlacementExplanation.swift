public import Foundation

/// A placement decision laid out for people (`text()`) and machines (`json()`), with every
/// registry fact used, its date and its sources: the output of `souverain placement explain`.
public struct PlacementExplanation: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable { case placed, refused }

    public struct Location: Sendable, Hashable, Codable {
        public var id: String
        public var kind: LocationKind
        public var providerID: String
        public var providerName: String?
        public var region: String?
        public var country: String
        public var health: LocationHealth
        public var preference: Int
        /// 1-based position among the eligible locations; nil when not eligible.
        public var order: Int?
        public var eligible: Bool
        public var lawful: Bool
        public var operatorID: String?
        public var operatorName: String
        public var reasons: [RejectionReason]
        public var warnings: [PlacementWarning]
        public var facts: [FactUse]
    }

    public var classification: String
    public var decidedAt: Date
    public var outcome: Outcome
    /// The refusal message (the S3 error message); nil when placed.
    public var message: String?
    /// The classification's rules; nil when the rules do not define it.
    public var rules: ClassificationRules?
    public var maxFactAgeDays: Int
    public var eligibleOrder: [String]
    public var locations: [Location]
    /// The sources the facts cite, from the registry.
    public var sources: [String: Source]

    public init(decision: PlacementDecision, classification: String, rules: PlacementRules, registry: ProviderRegistry, now: Date) {
        self.classification = classification
        decidedAt = now
        outcome = decision.isPlaced ? .placed : .refused
        message = decision.refusal?.message
        let classRules = rules.rules(for: classification)
        self.rules = classRules
        maxFactAgeDays = classRules.map { rules.maxFactAge(for: $0) } ?? rules.maxFactAgeDays
        eligibleOrder = decision.eligible.map(\.id)
        let order = Dictionary(eligibleOrder.enumerated().map { ($1, $0 + 1) }, uniquingKeysWith: { first, _ in first })
        locations = decision.evaluations.map { evaluation in
            let location = evaluation.location
            return Location(
                id: location.id, kind: location.kind, providerID: location.profile.providerID,
                providerName: evaluation.providerName, region: location.profile.region, country: location.profile.country,
                health: location.health, preference: location.preference,
                order: decision.isPlaced && evaluation.eligible ? order[location.id] : nil,
                eligible: evaluation.eligible, lawful: evaluation.lawful,
                operatorID: evaluation.operatorID, operatorName: evaluation.operatorName,
                reasons: evaluation.reasons, warnings: evaluation.warnings, facts: evaluation.facts
            )
        }
        let cited = Set(locations.flatMap { $0.facts.flatMap(\.sourceIDs) })
        sources = registry.sources.filter { cited.contains($0.key) }
    }

    /// Pretty JSON with sorted keys; dates as YYYY-MM-DD, the decision time in UTC.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// A summary table of the locations, then each location's reasons, warnings and facts.
    public func text() -> String {
        var lines: [String] = []
        switch outcome {
        case .placed:
            lines.append("Placement for classification '\(classification)' at \(CalendarDay.timestamp(decidedAt)): PLACED on \(eligibleOrder.count) location(s): \(eligibleOrder.joined(separator: ", ")).")
        case .refused:
            lines.append("Placement for classification '\(classification)' at \(CalendarDay.timestamp(decidedAt)): REFUSED.")
            if let message { lines.append(message) }
        }
        if let rules { lines.append("Rules: " + Self.summary(rules, maxFactAgeDays: maxFactAgeDays)) }
        lines.append("")
        let rows = locations.map { l in
            [l.order.map(String.init) ?? "-", l.id, l.providerID, l.region ?? "-", l.country, l.health.rawValue,
             String(l.preference), l.eligible ? "eligible" : (l.lawful ? "lawful, unavailable" : "rejected")]
        }
        lines += Self.table(["#", "LOCATION", "PROVIDER", "REGION", "COUNTRY", "HEALTH", "PREF", "VERDICT"], rows)
        for l in locations {
            lines.append("")
            let region = l.region.map { ", region \($0)" } ?? ""
            lines.append("\(l.id) (\(l.providerName ?? l.providerID)\(region); operator: \(l.operatorName)): \(l.eligible ? "eligible" : "rejected")")
            for reason in l.reasons { lines.append("  reject  \(reason.code): \(reason.message)") }
            for warning in l.warnings { lines.append("  warning \(warning.code): \(warning.message)") }
            guard !l.facts.isEmpty else { continue }
            lines.append("  facts:")
            let factRows = l.facts.map { f in
                [f.field, Self.clip(f.value), CalendarDay.format(f.asOf), "\(f.ageDays)d", f.verification.rawValue,
                 f.sourceIDs.isEmpty ? "-" : f.sourceIDs.joined(separator: ","), f.isStale ? "STALE" : ""]
            }
            lines += Self.table(["FIELD", "VALUE", "AS OF", "AGE", "VERIFICATION", "SOURCES", ""], factRows).map { "    " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func summary(_ rules: ClassificationRules, maxFactAgeDays: Int) -> String {
        var parts: [String] = []
        parts.append("countries " + (rules.allowedCountries?.description ?? "any"))
        if let seats = rules.operatorSeatCountries { parts.append("operator seat in " + seats.description) }
        let certifications = rules.requiredCertifications.map { r -> String in
            var text = r.certification.displayName
            if let stage = r.minimumStage { text += " \(stage.displayName)+" }
            if let level = r.minimumLevel { text += " \(level.rawValue)+" }
            if r.acceptClaimed { text += " (claims accepted)" }
            if r.waivedOnPremise { text += " (waived on-premise)" }
            return text
        }
        parts.append("certifications " + (certifications.isEmpty ? "none" : certifications.joined(separator: ", ")))
        let laws = rules.forbidExtraterritorialExposure.sorted().map(\.rawValue)
        parts.append("forbidden exposure " + (laws.isEmpty ? "none" : laws.joined(separator: ", ")))
        parts.append("replicas \(rules.minimumReplicas)")
        parts.append("distinct operators \(rules.minimumDistinctOperators)")
        parts.append(rules.encryptionRequired ? "encryption required" : "encryption optional")
        parts.append(rules.acceptDegraded ? "degraded accepted" : "degraded refused")
        parts.append("stale facts (> \(maxFactAgeDays) days) \(rules.staleFacts == .accept ? "accepted" : "rejected")")
        return parts.joined(separator: "; ")
    }

    static func table(_ headers: [String], _ rows: [[String]]) -> [String] {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
    }

    private static func clip(_ text: String, limit: Int = 70) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

extension PlacementExplanation {
    private enum CodingKeys: String, CodingKey {
        case classification, decidedAt, outcome, message, rules, maxFactAgeDays, eligibleOrder, locations, sources
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let stamp = try c.decode(String.self, forKey: .decidedAt)
        guard let decidedAt = CalendarDay.parseTimestamp(stamp) else {
            throw DecodingError.dataCorruptedError(forKey: .decidedAt, in: c, debugDescription: "'\(stamp)' is not a UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)")
        }
        self.decidedAt = decidedAt
        classification = try c.decode(String.self, forKey: .classification)
        outcome = try c.decode(Outcome.self, forKey: .outcome)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        rules = try c.decodeIfPresent(ClassificationRules.self, forKey: .rules)
        maxFactAgeDays = try c.decode(Int.self, forKey: .maxFactAgeDays)
        eligibleOrder = try c.decode([String].self, forKey: .eligibleOrder)
        locations = try c.decode([Location].self, forKey: .locations)
        sources = try c.decode([String: Source].self, forKey: .sources)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(classification, forKey: .classification)
        try c.encode(CalendarDay.timestamp(decidedAt), forKey: .decidedAt)
        try c.encode(outcome, forKey: .outcome)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(rules, forKey: .rules)
        try c.encode(maxFactAgeDays, forKey: .maxFactAgeDays)
        try c.encode(eligibleOrder, forKey: .eligibleOrder)
        try c.encode(locations, forKey: .locations)
        try c.encode(sources, forKey: .sources)
    }
}
