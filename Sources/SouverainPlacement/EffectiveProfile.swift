import Foundation

/// A location's sovereignty facts, resolved: the registry's facts for the provider and region,
/// or, on-premise, the facts the organisation declares in the profile.
struct EffectiveProfile {
    var providerID: String
    /// Short, for messages.
    var providerName: String
    /// In full, for explanations.
    var fullName: String
    var isOnPremise: Bool
    var regionCode: String?
    var countryField: String
    var country: Fact<String>
    var legalSeat: Fact<String?>
    var parent: Fact<UltimateParent>
    var exposure: Fact<ExtraterritorialExposure>
    var qualifications: Qualifications
    var secNumCloudScope: Fact<OfferScope>
    var hdsScope: Fact<OfferScope>
    /// Problems found while resolving (invalid declared countries, country mismatch).
    var rejections: [(RejectionReason.Code, String, [(field: String, fact: Fact<String>)])] = []
    var warnings: [(PlacementWarning.Code, String)] = []

    var scopeFieldPrefix: String { "objectStorage.\(regionCode ?? "-")" }

    /// The operator for distinct-operator counting; nil when the ultimate parent is unknown.
    var operatorID: String? { parent.value.id }

    var operatorName: String { parent.value.name ?? "unknown parent of \(providerName)" }

    static func resolve(_ provider: Provider, _ profile: SovereigntyProfile, now: Date) -> EffectiveProfile {
        provider.kind == .onPremise ? onPremise(provider, profile, now: now) : cloud(provider, profile, now: now)
    }

    private static func cloud(_ provider: Provider, _ profile: SovereigntyProfile, now: Date) -> EffectiveProfile {
        let unknownScope = Fact(
            OfferScope(status: .unknown, note: "region not in the registry"), asOf: provider.legalSeatCountry.asOf,
            verification: .notStated
        )
        var resolved = EffectiveProfile(
            providerID: provider.id, providerName: provider.shortName, fullName: provider.name, isOnPremise: false, regionCode: profile.region,
            countryField: "profile.country",
            country: Fact(profile.country, asOf: now, verification: .declared),
            legalSeat: provider.legalSeatCountry, parent: provider.ultimateParent,
            exposure: provider.extraterritorialExposure, qualifications: provider.qualifications,
            secNumCloudScope: unknownScope, hdsScope: unknownScope
        )
        if let code = profile.region, let (_, region) = provider.region(code) {
            resolved.regionCode = region.code
            resolved.countryField = "objectStorage.\(region.code).country"
            resolved.country = region.country
            resolved.secNumCloudScope = region.secNumCloudScope
            resolved.hdsScope = region.hdsScope
            if profile.country != region.country.value {
                resolved.rejections.append((
                    .countryMismatch,
                    "the profile says the datacentre is in \(profile.country), but \(provider.shortName)'s region \(region.code) is in \(region.country.value) (registry, as of \(CalendarDay.format(region.country.asOf))); fix the profile",
                    [(resolved.countryField, region.country)]
                ))
            }
        } else {
            let named = profile.region.map { "region '\($0)' is not in the registry for \(provider.shortName)" }
                ?? "the profile names no region of \(provider.shortName)"
            resolved.warnings.append((
                .regionNotInRegistry,
                "\(named): the datacentre country is taken from the profile (\(profile.country)) and whether the provider's qualifications cover this offer is unknown"
            ))
        }
        if !profile.overrides.isEmpty {
            resolved.warnings.append((
                .overridesIgnored,
                "profile overrides are ignored for \(provider.shortName): only on-premise locations declare their own operator facts"
            ))
        }
        return resolved
    }

    private static func onPremise(_ provider: Provider, _ profile: SovereigntyProfile, now: Date) -> EffectiveProfile {
        let overrides = profile.overrides
        let sources = provider.legalSeatCountry.sourceIDs
        func declared<V>(_ value: V) -> Fact<V> { Fact(value, sourceIDs: sources, asOf: now, verification: .declared) }
        func refresh<V>(_ fact: Fact<V>) -> Fact<V> { declared(fact.value) }

        var rejections: [(RejectionReason.Code, String, [(field: String, fact: Fact<String>)])] = []
        func checked(_ code: String?, _ field: String) -> String? {
            guard let code else { return nil }
            if ISOCountry.isValid(code) { return code }
            rejections.append((.invalidProfile, "the profile's \(field) '\(code)' is not an ISO 3166 country code", []))
            return nil
        }
        let seat = checked(overrides.operatorCountry, "overrides.operatorCountry") ?? profile.country
        let parentCountry = checked(overrides.ultimateParentCountry, "overrides.ultimateParentCountry") ?? seat
        let organisation = overrides.organisationName ?? "the organisation"
        let parentName = overrides.ultimateParentName ?? overrides.organisationName ?? "the organisation"
        let usReach: ExposureStatus = seat == "US" || parentCountry == "US" ? .exposed : .notExposed
        let q = provider.qualifications
        var resolved = EffectiveProfile(
            providerID: provider.id, providerName: overrides.organisationName.map { "\($0) (on-premise)" } ?? provider.shortName,
            fullName: overrides.organisationName.map { "\($0) (on-premise)" } ?? provider.name,
            isOnPremise: true, regionCode: profile.region, countryField: "profile.country",
            country: declared(profile.country), legalSeat: declared(seat),
            parent: declared(UltimateParent(id: "on-premise:\(parentName.lowercased())", name: parentName, country: parentCountry)),
            exposure: declared(ExtraterritorialExposure(
                usCloudAct: usReach, usFISA702: usReach,
                reasoning: "Declared on-premise: \(organisation) operates the machines; US law reaches them only through a US seat or parent."
            )),
            qualifications: Qualifications(
                secNumCloud: refresh(q.secNumCloud), hds: refresh(q.hds), iso27001: refresh(q.iso27001), c5: refresh(q.c5),
                ens: refresh(q.ens), gaiaX: refresh(q.gaiaX), eucs: refresh(q.eucs), other: refresh(q.other)
            ),
            secNumCloudScope: declared(OfferScope(status: .notInScope, note: "the organisation's own machines")),
            hdsScope: declared(OfferScope(status: .notInScope, note: "the organisation's own machines"))
        )
        resolved.rejections = rejections
        return resolved
    }
}
