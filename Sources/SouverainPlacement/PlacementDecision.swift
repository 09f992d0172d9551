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

/// Why no lawful placement exists. `message` is the S3 `PlacementViolation` message (HTTP 403).
public struct PlacementRefusal: Sendable, Hashable, Codable {
    public enum Cause: Sendable, Hashable, Codable {
        /// The rules do not define this classification.
        case unknownClassification
        case notEnoughLocations(required: Int, eligible: Int)
        case notEnoughDistinctOperators(required: Int, distinct: Int)
    }

    public var classification: String
    public var cause: Cause
    public var evaluations: [LocationEvaluation]
    public var message: String
    /// Enough locations are lawful but some are down or degraded: an outage, not a violation.
    public var isAvailabilityProblem: Bool

    public init(classification: String, cause: Cause, evaluations: [LocationEvaluation], message: String, isAvailabilityProblem: Bool) {
        self.classification = classification
        self.cause = cause
        self.evaluations = evaluations
        self.message = message
        self.isAvailabilityProblem = isAvailabilityProblem
    }
}
