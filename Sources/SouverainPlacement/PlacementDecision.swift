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
