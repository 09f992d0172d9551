import Foundation
@testable import SouverainPlacement

/// Test registries and locations. Fixture providers are fictitious (ids start with `fx-`) and
/// exist to isolate one rule at a time; facts about real providers come from the shipped registry.
enum Fixture {
    static let asOf = day("2026-11-22")
    static let now = day("2026-12-01")
    static let shipped: ProviderRegistry = try! ProviderRegistry.shipped()

    static func day(_ text: String) -> Date { CalendarDay.parse(text)! }

    static func fact<V>(_ value: V, asOf: Date = Fixture.asOf) -> Fact<V> {
        Fact(value, sourceIDs: ["FIXTURE"], asOf: asOf, verification: .secondary)
    }

    struct Region {
        var code: String
        var country: String
        var snc: OfferScope.Status = .unknown
        var hds: OfferScope.Status = .unknown
    }

    static func region(_ code: String, _ country: String, snc: OfferScope.Status = .unknown, hds: OfferScope.Status = .unknown) -> Region {
        Region(code: code, country: country, snc: snc, hds: hds)
    }

    /// A fictitious provider. The parent defaults to the provider itself, in the seat's country.
    static func provider(
        _ id: String, seat: String? = "FR", parentID: String? = "", parentName: String? = nil, parentCountry: String? = "",
        cloudAct: ExposureStatus = .notExposed, fisa: ExposureStatus? = nil, other: [String] = [],
        snc: SecNumCloudStatus = .noneKnown, stage: SecNumCloudStage? = nil, hds: CertificateStatus = .unknown,
        iso: CertificateStatus = .unknown, c5: CertificateStatus = .unknown, ens: CertificateStatus = .unknown,
        gaiaX: CertificateStatus = .unknown, gaiaXLevel: GaiaXLevel? = nil, eucs: CertificateStatus = .schemeNotAdopted,
        regions: [Region], asOf: Date = Fixture.asOf
    ) -> Provider {
        func f<V>(_ value: V) -> Fact<V> { fact(value, asOf: asOf) }
        let parent = UltimateParent(
            id: parentID == "" ? "\(id)-group" : parentID,
            name: parentName ?? "\(id) group",
            country: parentCountry == "" ? seat : parentCountry
        )
        return Provider(
            id: id, name: "Provider \(id)", legalSeatCountry: f(seat), ultimateParent: f(parent),
            euOwnership: f(EUOwnership(summary: nil, percent: nil)),
            extraterritorialExposure: f(ExtraterritorialExposure(usCloudAct: cloudAct, usFISA702: fisa ?? cloudAct, other: other)),
            qualifications: Qualifications(
                secNumCloud: f(SecNumCloudQualification(status: snc, stage: stage)), hds: f(Certificate(status: hds)),
                iso27001: f(Certificate(status: iso)), c5: f(Certificate(status: c5)), ens: f(Certificate(status: ens)),
                gaiaX: f(GaiaXLabel(status: gaiaX, level: gaiaXLevel)), eucs: f(Certificate(status: eucs)), other: f([])
            ),
            objectStorage: [StorageOffer(name: "\(id) object storage", regions: regions.map { r in
                StorageRegion(
                    code: r.code, country: f(r.country), inEU: CountryZone.isEU(r.country),
                    inEEA: CountryZone.eea.countries.contains(r.country),
                    secNumCloudScope: f(OfferScope(status: r.snc)), hdsScope: f(OfferScope(status: r.hds))
                )
            })]
        )
    }

    /// A registry of fixtures plus the shipped `on-premise` provider.
    static func registry(_ providers: [Provider]) -> ProviderRegistry {
        var sources = ["FIXTURE": Source(title: "Test fixture (fictitious provider)", kind: .secondary)]
        sources["SOUVERAIN-ON-PREMISE"] = shipped.sources["SOUVERAIN-ON-PREMISE"]
        return ProviderRegistry(asOf: asOf, sources: sources, providers: providers + [shipped.provider(id: "on-premise")!])
    }

    static func location(
        _ id: String, _ providerID: String, _ region: String?, _ country: String, health: LocationHealth = .healthy,
        preference: Int = 0, kind: LocationKind = .s3, overrides: ProfileOverrides = ProfileOverrides()
    ) -> LocationDescriptor {
        LocationDescriptor(
            id: id, kind: kind,
            profile: SovereigntyProfile(providerID: providerID, country: country, region: region, overrides: overrides),
            health: health, preference: preference
        )
    }

    static func onPremise(
        _ id: String, country: String, organisation: String? = "Ville de Nantes", operatorCountry: String? = nil,
        parentName: String? = nil, parentCountry: String? = nil, health: LocationHealth = .healthy, preference: Int = 0
    ) -> LocationDescriptor {
        location(
            id, "on-premise", nil, country, health: health, preference: preference, kind: .local,
            overrides: ProfileOverrides(
                organisationName: organisation, operatorCountry: operatorCountry, ultimateParentName: parentName,
                ultimateParentCountry: parentCountry)
        )
    }

    /// Rules with one classification, "test".
    static func rules(_ rules: ClassificationRules, maxFactAgeDays: Int = 365) -> PlacementRules {
        PlacementRules(maxFactAgeDays: maxFactAgeDays, classifications: ["test": rules])
    }

    static func decide(
        _ classification: String, _ locations: [LocationDescriptor], registry: ProviderRegistry = shipped,
        rules: PlacementRules = .defaults, now: Date = now
    ) -> PlacementDecision {
        PlacementEngine.decide(rules: rules, classification: classification, locations: locations, registry: registry, now: now)
    }

    /// The evaluation of a single location.
    static func evaluate(
        _ classification: String, _ location: LocationDescriptor, registry: ProviderRegistry = shipped,
        rules: PlacementRules = .defaults, now: Date = now
    ) -> LocationEvaluation {
        decide(classification, [location], registry: registry, rules: rules, now: now).evaluations[0]
    }
}

extension LocationEvaluation {
    var codes: [String] { reasons.map(\.code.description) }
}
