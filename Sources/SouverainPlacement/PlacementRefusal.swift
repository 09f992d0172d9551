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
