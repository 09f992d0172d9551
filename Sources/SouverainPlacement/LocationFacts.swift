public import Foundation

/// A location's sovereignty facts, resolved the way the placement engine resolves them (the
/// registry's facts for the provider and region, or the organisation's declarations on-premise),
/// every one with its sources, date and staleness: what the compliance report prints for each
/// location, whatever the classification.
public struct LocationFacts: Sendable, Hashable {
    public var locationID: String
    public var kind: LocationKind
    public var providerID: String
    /// The provider's name in full ("Scaleway SAS"), or the organisation's on-premise.
    public var providerName: String
    public var isOnPremise: Bool
    /// The provider's region code, when the profile names one.
    public var region: String?
    public var country: FactUse
    public var legalSeatCountry: FactUse
    /// The ultimate parent's name and country, as the registry (or the declaration) gives them.
    public var ultimateParentName: String?
    public var ultimateParentCountry: String?
    public var ultimateParent: FactUse
    public var euOwnership: FactUse?
    /// The status per extraterritorial law (`us-cloud-act`: `exposed`), and the fact behind it.
    public var exposure: [ExtraterritorialLaw: ExposureStatus]
    public var exposureFact: FactUse
    /// Non-US reach the registry notes (for example a Canadian production order).
    public var exposureOther: [String]
    /// `qualifications.*` facts, then the region's scopes (`objectStorage.<region>.*`).
    public var qualifications: [FactUse]
    /// Whether the provider holds a qualification that counts: SecNumCloud qualified (J3), or a
    /// certified HDS, ISO 27001, C5, ENS or EUCS (claims do not count).
    public var isQualified: Bool
    /// Whether any fact above is older than the allowed age.
    public var hasStaleFacts: Bool {
        ([country, legalSeatCountry, ultimateParent, exposureFact] + qualifications + (euOwnership.map { [$0] } ?? [])).contains(where: \.isStale)
    }
}

extension ProviderRegistry {
    /// The resolved facts of a location; nil when its provider is not in the registry.
    public func locationFacts(_ location: LocationDescriptor, now: Date, maxFactAgeDays: Int) -> LocationFacts? {
        guard let provider = provider(id: location.profile.providerID) else { return nil }
        let resolved = EffectiveProfile.resolve(provider, location.profile, now: now)
        func use<V>(_ field: String, _ fact: Fact<V>, _ display: String) -> FactUse {
            FactUse(
                field: field, providerID: provider.id, value: display, sourceIDs: fact.sourceIDs, asOf: fact.asOf,
                verification: fact.verification, ageDays: fact.age(at: now),
                isStale: fact.verification != .declared && fact.isStale(at: now, maxAgeDays: maxFactAgeDays))
        }
        let q = resolved.qualifications
        var qualifications = [use("qualifications.secNumCloud", q.secNumCloud, q.secNumCloud.value.display)]
        for certification in [Certification.hds, .iso27001, .c5, .ens, .eucs] {
            let fact = q.certificate(certification)!
            qualifications.append(use("qualifications.\(certification.fieldName)", fact, fact.value.display))
        }
        qualifications.append(use("qualifications.gaiaX", q.gaiaX, q.gaiaX.value.display))
        qualifications.append(use(resolved.scopeFieldPrefix + ".secNumCloudScope", resolved.secNumCloudScope, resolved.secNumCloudScope.value.display))
        qualifications.append(use(resolved.scopeFieldPrefix + ".hdsScope", resolved.hdsScope, resolved.hdsScope.value.display))
        var exposure: [ExtraterritorialLaw: ExposureStatus] = [:]
        for law in ExtraterritorialLaw.allCases {
            if let status = resolved.exposure.value.status(law) { exposure[law] = status }
        }
        let parent = resolved.parent.value
        return LocationFacts(
            locationID: location.id, kind: location.kind, providerID: provider.id, providerName: resolved.fullName,
            isOnPremise: resolved.isOnPremise, region: resolved.regionCode,
            country: use(resolved.countryField, resolved.country, resolved.country.value),
            legalSeatCountry: use("legalSeatCountry", resolved.legalSeat, resolved.legalSeat.value ?? "unknown"),
            ultimateParentName: parent.name, ultimateParentCountry: parent.country,
            ultimateParent: use("ultimateParent", resolved.parent, parent.display),
            euOwnership: resolved.isOnPremise ? nil : use("euOwnership", provider.euOwnership, provider.euOwnership.value.display),
            exposure: exposure, exposureFact: use("extraterritorialExposure", resolved.exposure, resolved.exposure.value.display),
            exposureOther: resolved.exposure.value.other,
            qualifications: qualifications,
            isQualified: q.secNumCloud.value.isQualified
                || [Certification.hds, .iso27001, .c5, .ens, .eucs].contains { q.certificate($0)?.value.status == .certified })
    }
}
