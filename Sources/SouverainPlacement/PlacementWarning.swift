/// Something a reader should know that does not reject the location.
public struct PlacementWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, Codable, CustomStringConvertible {
        private enum Value: String, CaseIterable {
            case staleFact = "stale-fact"
            case extraterritorialExposure = "extraterritorial-exposure"
            case otherForeignReach = "other-foreign-reach"
            case regionNotInRegistry = "region-not-in-registry"
            case overridesIgnored = "overrides-ignored"
            case waivedOnPremise = "waived-on-premise"
            case claimAccepted = "claim-accepted"
            case unknownParent = "unknown-parent"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A stale fact still counts (the classification accepts stale facts, or no rule uses it).
        public static let staleFact = Code(.staleFact)
        /// Exposed to a law this classification does not forbid: a transfer risk to record.
        public static let extraterritorialExposure = Code(.extraterritorialExposure)
        /// Non-US reach noted by the dataset (for example through a non-EU subsidiary).
        public static let otherForeignReach = Code(.otherForeignReach)
        /// The region is not in the registry: the country is as declared, offer scopes unknown.
        public static let regionNotInRegistry = Code(.regionNotInRegistry)
        /// Profile overrides apply to on-premise locations only.
        public static let overridesIgnored = Code(.overridesIgnored)
        /// A certification requirement waived for the organisation's own machines.
        public static let waivedOnPremise = Code(.waivedOnPremise)
        /// A vendor's unchecked claim accepted because the rule allows it.
        public static let claimAccepted = Code(.claimAccepted)
        /// The ultimate parent is unknown: such operators are counted together.
        public static let unknownParent = Code(.unknownParent)

        public var description: String { value.rawValue }

        public init(from decoder: any Decoder) throws { self.init(try decodeVocabulary(decoder) as Value) }
        public func encode(to encoder: any Encoder) throws { try value.rawValue.encode(to: encoder) }
    }

    public var code: Code
    public var message: String
    public var facts: [FactUse]

    public init(_ code: Code, _ message: String, facts: [FactUse] = []) {
        self.code = code
        self.message = message
        self.facts = facts
    }

    public var description: String { message }
}
