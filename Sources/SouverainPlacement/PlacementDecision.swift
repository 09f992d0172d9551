public import Foundation

/// The engine's answer: the eligible locations in order, or a refusal with every reason.
public enum PlacementDecision: Sendable, Hashable {
    case placed(eligible: [LocationDescriptor], evaluations: [LocationEvaluation])
    case refused(PlacementRefusal)

    public var evaluations: [LocationEvaluation] {
        switch self {
        case .placed(_, let evaluations): evaluations
        case .refused(let refusal): refusal.evaluations
        }
    }

    /// Empty when refused.
    public var eligible: [LocationDescriptor] {
        switch self {
        case .placed(let eligible, _): eligible
        case .refused: []
        }
    }

    public var refusal: PlacementRefusal? {
        if case .refused(let refusal) = self { refusal } else { nil }
    }

    public var isPlaced: Bool { refusal == nil }
}

extension PlacementDecision {
    /// Whether deciding again at `now`, with the same rules, locations and registry, gives this
    /// decision, but for the date of the operator's declared facts (a new decision dates them
    /// `now`). The engine reads the time only to age the facts it consults, in whole days, and
    /// records every fact it consults with that age (`LocationEvaluator.use`); a declared fact is
    /// dated at the decision, so a day later it is aged again too.
    public func holds(at now: Date) -> Bool {
        evaluations.allSatisfy { evaluation in
            evaluation.facts.allSatisfy { CalendarDay.days(from: $0.asOf, to: now) == $0.ageDays }
        }
    }
}
