/// Whether US extraterritorial law reaches a provider, with the dataset's reasoning.
public struct ExtraterritorialExposure: Sendable, Hashable, Codable {
    public var usCloudAct: ExposureStatus
    public var usFISA702: ExposureStatus
    public var reasoning: String?
    /// The dataset's confidence: low, medium or high.
    public var confidence: String?
    /// Non-US reach noted by the dataset (for example a Canadian production order).
    public var other: [String]

    public init(
        usCloudAct: ExposureStatus, usFISA702: ExposureStatus, reasoning: String? = nil,
        confidence: String? = nil, other: [String] = []
    ) {
        self.usCloudAct = usCloudAct
        self.usFISA702 = usFISA702
        self.reasoning = reasoning
        self.confidence = confidence
        self.other = other
    }

    public func status(_ law: ExtraterritorialLaw) -> ExposureStatus? {
        switch law {
        case .cloudAct: usCloudAct
        case .fisa702: usFISA702
        case .anyNonEULaw: nil
        }
    }
}

/// `notExposed` means "no US parent found", not "immune" (providers.md).
public enum ExposureStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case exposed
    case notExposed = "not-exposed"
    case unknown

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
}

/// A law, or class of laws, whose reach a classification may forbid.
public enum ExtraterritorialLaw: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// US CLOUD Act (2018), EXT-CLOUD.
    case cloudAct = "cloud-act"
    /// US FISA section 702, EXT-FISA702.
    case fisa702 = "fisa-702"
    /// Any non-EU law: the operator's seat and its ultimate parent must be in the EU.
    case anyNonEULaw = "any-non-eu-law"

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }

    public var displayName: String {
        switch self {
        case .cloudAct: "the US CLOUD Act"
        case .fisa702: "US FISA section 702"
        case .anyNonEULaw: "non-EU law"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
