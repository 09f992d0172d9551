/// Why a location may not hold a copy: a code, a plain-English message, and the facts used.
public struct RejectionReason: Sendable, Hashable, Codable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, Codable, CustomStringConvertible {
        private enum Value: String, CaseIterable {
            case unknownProvider = "unknown-provider"
            case invalidProfile = "invalid-profile"
            case countryMismatch = "country-mismatch"
            case countryNotAllowed = "country-not-allowed"
            case operatorSeatNotAllowed = "operator-seat-not-allowed"
            case factUnknown = "fact-unknown"
            case certificationMissing = "certification-missing"
            case certificationClaimedOnly = "certification-claimed-only"
            case certificationUnproven = "certification-unproven"
            case certificationStageNotQualified = "certification-stage-not-qualified"
            case certificationLevelTooLow = "certification-level-too-low"
            case certificationOutOfScope = "certification-out-of-scope"
            case certificationScopeUnproven = "certification-scope-unproven"
            case exposedToExtraterritorialLaw = "exposed-to-extraterritorial-law"
            case exposureUnproven = "exposure-unproven"
            case staleFact = "stale-fact"
            case locationDown = "location-down"
            case locationDegraded = "location-degraded"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The profile names a provider the registry does not know.
        public static let unknownProvider = Code(.unknownProvider)
        /// A profile value is malformed (for example a country that is not an ISO code).
        public static let invalidProfile = Code(.invalidProfile)
        /// The profile's country differs from the registry's country for the region.
        public static let countryMismatch = Code(.countryMismatch)
        public static let countryNotAllowed = Code(.countryNotAllowed)
        public static let operatorSeatNotAllowed = Code(.operatorSeatNotAllowed)
        /// A fact a rule needs is unknown in the registry: not proven, so refused.
        public static let factUnknown = Code(.factUnknown)
        /// The provider does not hold the certification (none known, not eligible, not applicable).
        public static let certificationMissing = Code(.certificationMissing)
        /// The vendor claims it, unchecked, and the rule does not accept claims.
        public static let certificationClaimedOnly = Code(.certificationClaimedOnly)
        /// The registry says unknown.
        public static let certificationUnproven = Code(.certificationUnproven)
        /// SecNumCloud announced or at J0–J2: not qualified.
        public static let certificationStageNotQualified = Code(.certificationStageNotQualified)
        public static let certificationLevelTooLow = Code(.certificationLevelTooLow)
        /// The provider holds it, but not for its object storage in this region.
        public static let certificationOutOfScope = Code(.certificationOutOfScope)
        public static let certificationScopeUnproven = Code(.certificationScopeUnproven)
        public static let exposedToExtraterritorialLaw = Code(.exposedToExtraterritorialLaw)
        public static let exposureUnproven = Code(.exposureUnproven)
        /// A fact is older than the maximum age and the classification rejects stale facts.
        public static let staleFact = Code(.staleFact)
        public static let locationDown = Code(.locationDown)
        /// Degraded, and the classification does not accept degraded locations.
        public static let locationDegraded = Code(.locationDegraded)

        public var description: String { value.rawValue }

        /// About availability, not law: the location would be lawful if it were healthy.
        public var isAvailability: Bool { value == .locationDown || value == .locationDegraded }

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

    public var isAvailability: Bool { code.isAvailability }
    public var description: String { message }
}
