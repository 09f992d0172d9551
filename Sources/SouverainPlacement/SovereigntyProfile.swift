/// What a location is, legally: the provider (a registry id), the datacentre's country and
/// region, and, for on-premise locations, facts about the organisation itself.
public struct SovereigntyProfile: Sendable, Hashable, Codable {
    /// An id in the provider registry; `on-premise` for the organisation's own machines.
    public var providerID: String
    /// ISO 3166-1 alpha-2 code of the datacentre.
    public var country: String
    /// The provider's region code (`gra`, `eu-west-3`); nil for a local directory.
    public var region: String?
    public var overrides: ProfileOverrides

    public init(providerID: String, country: String, region: String? = nil, overrides: ProfileOverrides = ProfileOverrides()) {
        self.providerID = providerID
        self.country = country
        self.region = region
        self.overrides = overrides
    }
}

/// Facts the organisation declares about an on-premise location. Ignored for other providers:
/// their facts come from the registry only.
public struct ProfileOverrides: Sendable, Hashable, Codable {
    /// The organisation running the machines (the operator).
    public var organisationName: String?
    /// Where the organisation has its legal seat; defaults to the datacentre's country.
    public var operatorCountry: String?
    /// The organisation's ultimate parent, if it belongs to a group.
    public var ultimateParentName: String?
    /// Defaults to `operatorCountry`.
    public var ultimateParentCountry: String?

    public init(
        organisationName: String? = nil, operatorCountry: String? = nil, ultimateParentName: String? = nil,
        ultimateParentCountry: String? = nil
    ) {
        self.organisationName = organisationName
        self.operatorCountry = operatorCountry
        self.ultimateParentName = ultimateParentName
        self.ultimateParentCountry = ultimateParentCountry
    }

    public var isEmpty: Bool {
        organisationName == nil && operatorCountry == nil && ultimateParentName == nil && ultimateParentCountry == nil
    }
}
