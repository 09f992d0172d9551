public import Foundation

/// Decides where a classification's bytes may go. Pure: the same inputs give the same decision.
public enum PlacementEngine {
    /// Evaluates every location against the classification's rules and the registry at `now`.
    ///
    /// Placed when at least `minimumReplicas` locations are eligible and they span at least
    /// `minimumDistinctOperators` ultimate parents; eligible locations come by preference (lower
    /// first), healthy before degraded, then by id. Refused otherwise, with every reason.
    public static func decide(
        rules: PlacementRules, classification: String, locations: [LocationDescriptor],
        registry: ProviderRegistry, now: Date
    ) -> PlacementDecision {
        guard let classRules = rules.rules(for: classification) else {
            let evaluations = order(locations).map {
                LocationEvaluation(location: $0, providerName: nil, operatorID: nil, operatorName: "unknown", reasons: [], warnings: [], facts: [])
            }
            return .refused(PlacementRefusal(
                classification: classification, cause: .unknownClassification, evaluations: evaluations,
                message: "Placement refused for classification '\(classification)': the placement rules do not define it; define it before labelling a bucket with it.",
                isAvailabilityProblem: false
            ))
        }
        let maxAge = rules.maxFactAge(for: classRules)
        let evaluations = order(locations).map {
            LocationEvaluator(rules: classRules, maxAgeDays: maxAge, now: now).evaluate($0, registry: registry)
        }
        let eligible = evaluations.filter(\.eligible)
        let lawful = evaluations.filter(\.lawful)
        let isAvailabilityProblem = lawful.count >= classRules.minimumReplicas
            && operators(lawful).count >= classRules.minimumDistinctOperators

        if eligible.count < classRules.minimumReplicas {
            return .refused(PlacementRefusal(
                classification: classification,
                cause: .notEnoughLocations(required: classRules.minimumReplicas, eligible: eligible.count),
                evaluations: evaluations,
                message: refusalMessage(
                    classification,
                    "it needs \(count(classRules.minimumReplicas, "eligible location")) and \(eligible.count) qualif\(eligible.count == 1 ? "ies" : "y")",
                    evaluations),
                isAvailabilityProblem: isAvailabilityProblem
            ))
        }
        let distinct = operators(eligible)
        if distinct.count < classRules.minimumDistinctOperators {
            let listed = distinct.map { "\($0.name) (\($0.locations.joined(separator: ", ")))" }.joined(separator: "; ")
            return .refused(PlacementRefusal(
                classification: classification,
                cause: .notEnoughDistinctOperators(required: classRules.minimumDistinctOperators, distinct: distinct.count),
                evaluations: evaluations,
                message: refusalMessage(
                    classification,
                    "it needs \(count(classRules.minimumDistinctOperators, "distinct operator")) (by ultimate parent) and the eligible locations have \(distinct.count): \(listed)",
                    evaluations),
                isAvailabilityProblem: isAvailabilityProblem
            ))
        }
        return .placed(eligible: eligible.map(\.location), evaluations: evaluations)
    }

    /// Preference (lower first), then healthy before degraded before down, then id, then input order.
    static func order(_ locations: [LocationDescriptor]) -> [LocationDescriptor] {
        locations.enumerated().sorted { a, b in
            let (l, r) = (a.element, b.element)
            if l.preference != r.preference { return l.preference < r.preference }
            if l.health.rank != r.health.rank { return l.health.rank < r.health.rank }
            if l.id != r.id { return l.id < r.id }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Distinct operators, in order of first appearance. Unknown parents count as one operator:
    /// they cannot be shown to be independent of each other.
    static func operators(_ evaluations: [LocationEvaluation]) -> [(name: String, locations: [String])] {
        var keys: [String] = []
        var groups: [String: (name: String, locations: [String])] = [:]
        for evaluation in evaluations {
            let key = evaluation.operatorID ?? "?unknown"
            let name = evaluation.operatorID == nil ? "unknown ultimate parent" : evaluation.operatorName
            if groups[key] == nil {
                keys.append(key)
                groups[key] = (name, [])
            }
            groups[key]!.locations.append(evaluation.location.id)
        }
        return keys.map { groups[$0]! }
    }

    private static func refusalMessage(_ classification: String, _ shortfall: String, _ evaluations: [LocationEvaluation]) -> String {
        var text = "Placement refused for classification '\(classification)': \(shortfall)."
        if evaluations.isEmpty {
            text += " No storage location is configured."
        }
        for evaluation in evaluations {
            let verdict = evaluation.eligible ? "eligible" : evaluation.reasons.map(\.message).joined(separator: "; ")
            text += " Location '\(evaluation.location.id)': \(verdict)."
        }
        return text
    }

    private static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
}
