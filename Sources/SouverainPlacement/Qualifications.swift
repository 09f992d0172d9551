/// A provider's qualifications and certifications, each a fact.
public struct Qualifications: Sendable, Hashable, Codable {
    public var secNumCloud: Fact<SecNumCloudQualification>
    public var hds: Fact<Certificate>
    public var iso27001: Fact<Certificate>
    public var c5: Fact<Certificate>
    public var ens: Fact<Certificate>
    public var gaiaX: Fact<GaiaXLabel>
    public var eucs: Fact<Certificate>
    /// Other claims the dataset lists (for example "ISAE 3402 (claimed)").
    public var other: Fact<[String]>

    public init(
        secNumCloud: Fact<SecNumCloudQualification>, hds: Fact<Certificate>, iso27001: Fact<Certificate>,
        c5: Fact<Certificate>, ens: Fact<Certificate>, gaiaX: Fact<GaiaXLabel>, eucs: Fact<Certificate>,
        other: Fact<[String]>
    ) {
        self.secNumCloud = secNumCloud
        self.hds = hds
        self.iso27001 = iso27001
        self.c5 = c5
        self.ens = ens
        self.gaiaX = gaiaX
        self.eucs = eucs
        self.other = other
    }

    /// The certificate fact for a generic certification; nil for SecNumCloud and Gaia-X.
    public func certificate(_ certification: Certification) -> Fact<Certificate>? {
        switch certification {
        case .hds: hds
        case .iso27001: iso27001
        case .c5: c5
        case .ens: ens
        case .eucs: eucs
        case .secNumCloud, .gaiaX: nil
        }
    }
}

/// The certifications and labels a rule can require.
public enum Certification: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case secNumCloud = "secnumcloud"
    case hds
    case iso27001 = "iso-27001"
    case c5
    case ens
    case gaiaX = "gaia-x"
    case eucs

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }

    public var displayName: String {
        switch self {
        case .secNumCloud: "SecNumCloud"
        case .hds: "HDS"
        case .iso27001: "ISO 27001"
        case .c5: "C5"
        case .ens: "ENS"
        case .gaiaX: "Gaia-X"
        case .eucs: "EUCS"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// ANSSI SecNumCloud: qualification is per offer; J0–J2 are milestones, only J3 is qualified.
public struct SecNumCloudQualification: Sendable, Hashable, Codable {
    public var status: SecNumCloudStatus
    public var stage: SecNumCloudStage?
    public var version: String?
    /// The qualified offers, as the dataset names them.
    public var scope: [String]
    /// Qualification dates as the dataset states them (free text).
    public var dates: String?
    public var note: String?

    public init(
        status: SecNumCloudStatus, stage: SecNumCloudStage?, version: String? = nil, scope: [String] = [],
        dates: String? = nil, note: String? = nil
    ) {
        self.status = status
        self.stage = stage
        self.version = version
        self.scope = scope
        self.dates = dates
        self.note = note
    }

    /// Qualified means status qualified at stage J3.
    public var isQualified: Bool { status == .qualified && stage == .j3 }
}

public enum SecNumCloudStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case qualified
    case inProgress = "in-progress"
    case announced
    case noneKnown = "none-known"
    case notEligible = "not-eligible"
    case notApplicable = "not-applicable"
    case unknown

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
}

/// J0 application accepted, J1 architecture accepted, J2 audit phase, J3 qualified.
public enum SecNumCloudStage: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case j0 = "J0"
    case j1 = "J1"
    case j2 = "J2"
    case j3 = "J3"

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }

    /// Rules may write "qualified" for J3.
    init?(ruleValue: String) {
        if ruleValue == "qualified" {
            self = .j3
        } else {
            self.init(rawValue: ruleValue)
        }
    }

    var ruleValue: String { self == .j3 ? "qualified" : rawValue }

    public var displayName: String { self == .j3 ? "J3 (qualified)" : rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// HDS, ISO 27001, C5, ENS, EUCS: the dataset's generic status.
public struct Certificate: Sendable, Hashable, Codable {
    public var status: CertificateStatus
    public var scope: String?
    public var note: String?

    public init(status: CertificateStatus, scope: String? = nil, note: String? = nil) {
        self.status = status
        self.scope = scope
        self.note = note
    }
}

public enum CertificateStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case certified
    /// The vendor says so; not checked against an official list.
    case claimed
    case unknown
    case notApplicable = "not-applicable"
    /// EUCS: no scheme, so no certificate can exist.
    case schemeNotAdopted = "scheme-not-adopted"

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
}

/// A Gaia-X label and its level when known.
public struct GaiaXLabel: Sendable, Hashable, Codable {
    public var status: CertificateStatus
    public var level: GaiaXLevel?
    public var note: String?

    public init(status: CertificateStatus, level: GaiaXLevel? = nil, note: String? = nil) {
        self.status = status
        self.level = level
        self.note = note
    }
}

public enum GaiaXLevel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case standardCompliance = "standard-compliance"
    case l1 = "L1"
    case l2 = "L2"
    case l3 = "L3"

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
