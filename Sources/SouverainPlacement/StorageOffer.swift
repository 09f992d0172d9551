/// An S3 or S3-like offer of a provider and its regions.
public struct StorageOffer: Sendable, Hashable, Codable {
    public var name: String
    public var s3Compatible: S3Compatibility
    public var endpointPattern: String?
    public var virtualHostPattern: String?
    public var regionsNote: String?
    public var sources: [String]
    public var regions: [StorageRegion]

    public init(
        name: String, s3Compatible: S3Compatibility = S3Compatibility(status: .yes), endpointPattern: String? = nil,
        virtualHostPattern: String? = nil, regionsNote: String? = nil, sources: [String] = [],
        regions: [StorageRegion]
    ) {
        self.name = name
        self.s3Compatible = s3Compatible
        self.endpointPattern = endpointPattern
        self.virtualHostPattern = virtualHostPattern
        self.regionsNote = regionsNote
        self.sources = sources
        self.regions = regions
    }
}

public struct S3Compatibility: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case yes, no, partial, unknown
        public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
    }

    public var status: Status
    public var note: String?

    public init(status: Status, note: String? = nil) {
        self.status = status
        self.note = note
    }
}

/// A region of an offer: its country, and whether the offer there is in the scope of a
/// provider's SecNumCloud qualification and HDS certificate.
public struct StorageRegion: Sendable, Hashable, Codable {
    public var code: String
    public var aliases: [String]
    public var location: String?
    public var country: Fact<String>
    /// As the dataset records them; the engine uses `CountryZone` instead.
    public var inEU: Bool
    public var inEEA: Bool
    public var notes: String?
    public var secNumCloudScope: Fact<OfferScope>
    public var hdsScope: Fact<OfferScope>

    public init(
        code: String, aliases: [String] = [], location: String? = nil, country: Fact<String>, inEU: Bool,
        inEEA: Bool, notes: String? = nil, secNumCloudScope: Fact<OfferScope>, hdsScope: Fact<OfferScope>
    ) {
        self.code = code
        self.aliases = aliases
        self.location = location
        self.country = country
        self.inEU = inEU
        self.inEEA = inEEA
        self.notes = notes
        self.secNumCloudScope = secNumCloudScope
        self.hdsScope = hdsScope
    }
}

/// Whether a qualification covers an offer in a region.
public struct OfferScope: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case inScope = "in-scope"
        case notInScope = "not-in-scope"
        case unknown
        public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
    }

    public var status: Status
    public var note: String?

    public init(status: Status, note: String? = nil) {
        self.status = status
        self.note = note
    }
}
