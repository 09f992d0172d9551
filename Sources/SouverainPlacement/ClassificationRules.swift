/// What one classification requires of every location that stores a copy.
public struct ClassificationRules: Sendable, Hashable {
    /// Datacentre countries allowed; nil allows any country.
    public var allowedCountries: CountrySet?
    /// Operator legal seats allowed (the strict reading for public archives); nil allows any.
    public var operatorSeatCountries: CountrySet?
    public var requiredCertifications: [CertificationRequirement]
    public var forbidExtraterritorialExposure: Set<ExtraterritorialLaw>
    public var minimumReplicas: Int
    /// Distinct operators among eligible locations, an operator being an ultimate parent.
    public var minimumDistinctOperators: Int
    /// Carried to the data path; the engine does not check it (every object is encrypted).
    public var encryptionRequired: Bool
    /// Degraded locations are eligible (after healthy ones). Down locations never are.
    public var acceptDegraded: Bool
    /// When fewer than `minimumReplicas` chosen locations answer at write time: false refuses
    /// the write (`PlacementViolation`); true stores the copies it can, at least one, and marks
    /// the object for the repair to complete once the locations return.
    public var acceptUnderReplicatedWrites: Bool
    public var staleFacts: StaleFactPolicy
    /// Overrides `PlacementRules.maxFactAgeDays` for this classification.
    public var maxFactAgeDays: Int?
    /// Buckets of this classification are created with versioning and Object Lock on
    /// (docs/placement.md, docs/object-lock.md).
    public var requireObjectLock: Bool = false
    /// Every new version must be retained at least this many days (by its own retention or the
    /// bucket's default); a write that would be retained less is refused. Nil: no minimum.
    public var minimumRetentionDays: Int?

    public init(
        allowedCountries: CountrySet? = nil, operatorSeatCountries: CountrySet? = nil,
        requiredCertifications: [CertificationRequirement] = [],
        forbidExtraterritorialExposure: Set<ExtraterritorialLaw> = [], minimumReplicas: Int = 1,
        minimumDistinctOperators: Int = 1, encryptionRequired: Bool = false, acceptDegraded: Bool = true,
        acceptUnderReplicatedWrites: Bool = false, staleFacts: StaleFactPolicy = .accept, maxFactAgeDays: Int? = nil
    ) {
        self.allowedCountries = allowedCountries
        self.operatorSeatCountries = operatorSeatCountries
        self.requiredCertifications = requiredCertifications
        self.forbidExtraterritorialExposure = forbidExtraterritorialExposure
        self.minimumReplicas = minimumReplicas
        self.minimumDistinctOperators = minimumDistinctOperators
        self.encryptionRequired = encryptionRequired
        self.acceptDegraded = acceptDegraded
        self.acceptUnderReplicatedWrites = acceptUnderReplicatedWrites
        self.staleFacts = staleFacts
        self.maxFactAgeDays = maxFactAgeDays
    }
}

/// Whether a fact older than the maximum age still counts.
public enum StaleFactPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Shown as stale, still used.
    case accept
    /// The location is rejected until the registry is updated.
    case reject

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
}

extension ClassificationRules: Codable {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case allowedCountries, operatorSeatCountries, requiredCertifications, forbidExtraterritorialExposure
        case minimumReplicas, minimumDistinctOperators, encryptionRequired, acceptDegraded, acceptUnderReplicatedWrites
        case staleFacts, maxFactAgeDays
        case requireObjectLock, minimumRetentionDays
    }

    /// Every key is optional; unknown keys and out-of-range values are errors.
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, known: Set(CodingKeys.allCases.map(\.stringValue)))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let certifications = try c.decodeIfPresent([CertificationRequirement].self, forKey: .requiredCertifications) ?? []
        var seenCertifications: Set<Certification> = []
        for (index, requirement) in certifications.enumerated() where !seenCertifications.insert(requirement.certification).inserted {
            throw ruleError(decoder, [CodingKeys.requiredCertifications, AnyCodingKey(intValue: index)],
                            "\(requirement.certification.rawValue) is listed twice")
        }
        let laws = try c.decodeIfPresent([ExtraterritorialLaw].self, forKey: .forbidExtraterritorialExposure) ?? []
        var seenLaws: Set<ExtraterritorialLaw> = []
        for (index, law) in laws.enumerated() where !seenLaws.insert(law).inserted {
            throw ruleError(decoder, [CodingKeys.forbidExtraterritorialExposure, AnyCodingKey(intValue: index)],
                            "\(law.rawValue) is listed twice")
        }
        let replicas = try c.decodeIfPresent(Int.self, forKey: .minimumReplicas) ?? 1
        guard (1...16).contains(replicas) else {
            throw ruleError(decoder, [CodingKeys.minimumReplicas], "\(replicas) is out of range; use 1 to 16")
        }
        let operators = try c.decodeIfPresent(Int.self, forKey: .minimumDistinctOperators) ?? 1
        guard operators >= 1 else {
            throw ruleError(decoder, [CodingKeys.minimumDistinctOperators], "\(operators) is out of range; use at least 1")
        }
        guard operators <= replicas else {
            throw ruleError(decoder, [CodingKeys.minimumDistinctOperators],
                            "\(operators) distinct operators need at least as many replicas, but minimumReplicas is \(replicas)")
        }
        let maxAge = try c.decodeIfPresent(Int.self, forKey: .maxFactAgeDays)
        if let maxAge, maxAge < 1 {
            throw ruleError(decoder, [CodingKeys.maxFactAgeDays], "\(maxAge) is out of range; use at least 1 day")
        }
        let minimumRetention = try c.decodeIfPresent(Int.self, forKey: .minimumRetentionDays)
        if let minimumRetention, minimumRetention < 1 {
            throw ruleError(decoder, [CodingKeys.minimumRetentionDays], "\(minimumRetention) is out of range; use at least 1 day")
        }
        let requireObjectLock = try c.decodeIfPresent(Bool.self, forKey: .requireObjectLock) ?? false
        if minimumRetention != nil, !requireObjectLock {
            throw ruleError(decoder, [CodingKeys.minimumRetentionDays], "a minimum retention needs requireObjectLock: true")
        }
        self.init(
            allowedCountries: try c.decodeIfPresent(CountrySet.self, forKey: .allowedCountries),
            operatorSeatCountries: try c.decodeIfPresent(CountrySet.self, forKey: .operatorSeatCountries),
            requiredCertifications: certifications,
            forbidExtraterritorialExposure: seenLaws,
            minimumReplicas: replicas,
            minimumDistinctOperators: operators,
            encryptionRequired: try c.decodeIfPresent(Bool.self, forKey: .encryptionRequired) ?? false,
            acceptDegraded: try c.decodeIfPresent(Bool.self, forKey: .acceptDegraded) ?? true,
            acceptUnderReplicatedWrites: try c.decodeIfPresent(Bool.self, forKey: .acceptUnderReplicatedWrites) ?? false,
            staleFacts: try c.decodeIfPresent(StaleFactPolicy.self, forKey: .staleFacts) ?? .accept,
            maxFactAgeDays: maxAge
        )
        self.requireObjectLock = requireObjectLock
        self.minimumRetentionDays = minimumRetention
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(allowedCountries, forKey: .allowedCountries)
        try c.encodeIfPresent(operatorSeatCountries, forKey: .operatorSeatCountries)
        try c.encode(requiredCertifications, forKey: .requiredCertifications)
        try c.encode(forbidExtraterritorialExposure.sorted(), forKey: .forbidExtraterritorialExposure)
        try c.encode(minimumReplicas, forKey: .minimumReplicas)
        try c.encode(minimumDistinctOperators, forKey: .minimumDistinctOperators)
        try c.encode(encryptionRequired, forKey: .encryptionRequired)
        try c.encode(acceptDegraded, forKey: .acceptDegraded)
        try c.encode(acceptUnderReplicatedWrites, forKey: .acceptUnderReplicatedWrites)
        try c.encode(staleFacts, forKey: .staleFacts)
        try c.encodeIfPresent(maxFactAgeDays, forKey: .maxFactAgeDays)
        if requireObjectLock { try c.encode(requireObjectLock, forKey: .requireObjectLock) }
        try c.encodeIfPresent(minimumRetentionDays, forKey: .minimumRetentionDays)
    }
}
