/// The verdict on one location: eligible or not, every reason, warnings, and the facts used.
public struct LocationEvaluation: Sendable, Hashable, Codable {
    public var location: LocationDescriptor
    public var providerName: String?
    /// The operator for distinct-operator counting: the ultimate parent's id; nil when unknown.
    public var operatorID: String?
    public var operatorName: String
    public var reasons: [RejectionReason]
    public var warnings: [PlacementWarning]
    /// Every fact consulted, in the order used.
    public var facts: [FactUse]

    public init(
        location: LocationDescriptor, providerName: String?, operatorID: String?, operatorName: String,
        reasons: [RejectionReason], warnings: [PlacementWarning], facts: [FactUse]
    ) {
        self.location = location
        self.providerName = providerName
        self.operatorID = operatorID
        self.operatorName = operatorName
        self.reasons = reasons
        self.warnings = warnings
        self.facts = facts
    }

    /// May hold a copy now.
    public var eligible: Bool { reasons.isEmpty }

    /// Satisfies the rules, whatever its health: false means data there is where it may not be.
    public var lawful: Bool { reasons.allSatisfy(\.isAvailability) }

    public func reasons(_ code: RejectionReason.Code) -> [RejectionReason] { reasons.filter { $0.code == code } }

    public func has(_ code: RejectionReason.Code) -> Bool { reasons.contains { $0.code == code } }

    public func has(warning code: PlacementWarning.Code) -> Bool { warnings.contains { $0.code == code } }

    /// The fact consulted for a field, if any.
    public func fact(_ field: String) -> FactUse? { facts.first { $0.field == field } }
}
