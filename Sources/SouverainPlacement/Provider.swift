import Foundation

/// A provider in the registry: who operates storage, who controls it, what law reaches it,
/// which qualifications it holds, and where its object-storage regions are.
public struct Provider: Sendable, Hashable, Codable {
    /// Stable slug, used by location profiles (`ovhcloud`, `aws`, `on-premise`).
    public var id: String
    public var name: String
    public var kind: ProviderKind
    public var legalEntities: [String]
    public var hqCity: String?
    public var notes: String?
    /// ISO 3166-1 code of the registered seat; nil when unknown.
    public var legalSeatCountry: Fact<String?>
    public var ultimateParent: Fact<UltimateParent>
    public var euOwnership: Fact<EUOwnership>
    public var extraterritorialExposure: Fact<ExtraterritorialExposure>
    public var qualifications: Qualifications
    public var objectStorage: [StorageOffer]
    public var objectStorageNote: String?

    public init(
        id: String, name: String, kind: ProviderKind = .cloud, legalEntities: [String] = [],
        hqCity: String? = nil, notes: String? = nil, legalSeatCountry: Fact<String?>,
        ultimateParent: Fact<UltimateParent>, euOwnership: Fact<EUOwnership>,
        extraterritorialExposure: Fact<ExtraterritorialExposure>, qualifications: Qualifications,
        objectStorage: [StorageOffer], objectStorageNote: String? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.legalEntities = legalEntities
        self.hqCity = hqCity
        self.notes = notes
        self.legalSeatCountry = legalSeatCountry
        self.ultimateParent = ultimateParent
        self.euOwnership = euOwnership
        self.extraterritorialExposure = extraterritorialExposure
        self.qualifications = qualifications
        self.objectStorage = objectStorage
        self.objectStorageNote = objectStorageNote
    }

    /// The name without its bracketed or dashed detail ("S3NS", "Amazon Web Services"), for messages.
    public var shortName: String {
        var short = name
        for separator in [" (", " — ", " – "] {
            if let range = short.range(of: separator) { short = String(short[..<range.lowerBound]) }
        }
        return short
    }

    /// The region with this code or alias (case-insensitive), and its offer.
    public func region(_ code: String) -> (offer: StorageOffer, region: StorageRegion)? {
        let wanted = code.lowercased()
        for offer in objectStorage {
            for region in offer.regions
            where region.code.lowercased() == wanted || region.aliases.contains(where: { $0.lowercased() == wanted }) {
                return (offer, region)
            }
        }
        return nil
    }
}

/// A cloud provider from the dataset, or the organisation's own machines.
public enum ProviderKind: String, Sendable, Hashable, Codable, CaseIterable {
    case cloud
    /// Synthetic: facts come from the location's profile.
    case onPremise = "on-premise"

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
}

/// The top of the control chain, as far as the dataset found it.
public struct UltimateParent: Sendable, Hashable, Codable {
    /// Stable id for counting distinct operators; nil when the parent is not established.
    public var id: String?
    public var name: String?
    /// ISO 3166-1 code; nil when unknown.
    public var country: String?

    public init(id: String?, name: String?, country: String?) {
        self.id = id
        self.name = name
        self.country = country
    }
}

/// The EU share of capital and votes, when a source states it.
public struct EUOwnership: Sendable, Hashable, Codable {
    public var summary: String?
    public var percent: Double?

    public init(summary: String?, percent: Double?) {
        self.summary = summary
        self.percent = percent
    }
}
