/// A certification a classification requires, and how strictly.
public struct CertificationRequirement: Sendable, Hashable {
    public var certification: Certification
    /// SecNumCloud only: the lowest stage accepted. J3 (written "qualified") by default.
    public var minimumStage: SecNumCloudStage?
    /// Gaia-X only: the lowest label level accepted.
    public var minimumLevel: GaiaXLevel?
    /// Accept a vendor's claim not checked against an official list. False by default.
    public var acceptClaimed: Bool
    /// The organisation's own machines satisfy the requirement (they are not a third-party host).
    public var waivedOnPremise: Bool

    public init(
        _ certification: Certification, minimumStage: SecNumCloudStage? = nil, minimumLevel: GaiaXLevel? = nil,
        acceptClaimed: Bool = false, waivedOnPremise: Bool = false
    ) {
        self.certification = certification
        self.minimumStage = certification == .secNumCloud ? (minimumStage ?? .j3) : nil
        self.minimumLevel = certification == .gaiaX ? minimumLevel : nil
        self.acceptClaimed = acceptClaimed
        self.waivedOnPremise = waivedOnPremise
    }

    public static func secNumCloud(minimumStage: SecNumCloudStage = .j3, waivedOnPremise: Bool = false) -> Self {
        Self(.secNumCloud, minimumStage: minimumStage, waivedOnPremise: waivedOnPremise)
    }

    public static let hds = Self(.hds)
    public static let iso27001 = Self(.iso27001)
    public static let c5 = Self(.c5)
    public static let ens = Self(.ens)
}

extension CertificationRequirement: Codable {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case certification, minimumStage, minimumLevel, acceptClaimed, waivedOnPremise
    }

    /// Either a name ("hds") or an object with options.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            guard let certification = Certification(rawValue: name) else {
                throw ruleError(decoder, [], "'\(name)' is not one of \(vocabularyList(Certification.self))")
            }
            self.init(certification)
            return
        }
        try rejectUnknownKeys(decoder, known: Set(CodingKeys.allCases.map(\.stringValue)))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let certification = try container.decode(Certification.self, forKey: .certification)
        var stage: SecNumCloudStage?
        if let raw = try container.decodeIfPresent(String.self, forKey: .minimumStage) {
            guard certification == .secNumCloud else {
                throw ruleError(decoder, [CodingKeys.minimumStage], "minimumStage applies only to secnumcloud")
            }
            guard let parsed = SecNumCloudStage(ruleValue: raw) else {
                throw ruleError(decoder, [CodingKeys.minimumStage], "'\(raw)' is not one of J0, J1, J2, J3, qualified")
            }
            stage = parsed
        }
        let level = try container.decodeIfPresent(GaiaXLevel.self, forKey: .minimumLevel)
        if level != nil, certification != .gaiaX {
            throw ruleError(decoder, [CodingKeys.minimumLevel], "minimumLevel applies only to gaia-x")
        }
        self.init(
            certification, minimumStage: stage, minimumLevel: level,
            acceptClaimed: try container.decodeIfPresent(Bool.self, forKey: .acceptClaimed) ?? false,
            waivedOnPremise: try container.decodeIfPresent(Bool.self, forKey: .waivedOnPremise) ?? false
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(certification, forKey: .certification)
        try container.encodeIfPresent(minimumStage?.ruleValue, forKey: .minimumStage)
        try container.encodeIfPresent(minimumLevel, forKey: .minimumLevel)
        try container.encode(acceptClaimed, forKey: .acceptClaimed)
        try container.encode(waivedOnPremise, forKey: .waivedOnPremise)
    }
}
