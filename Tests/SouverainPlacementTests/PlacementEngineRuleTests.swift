import Foundation
import Testing
@testable import SouverainPlacement

/// Every rule type alone, on fictitious providers that differ in one fact.
@Suite struct PlacementEngineRuleTests {
    typealias F = Fixture

    static let clean = F.provider(
        "fx-clean", snc: .qualified, stage: .j3, hds: .certified, iso: .certified, c5: .certified, ens: .certified,
        gaiaX: .certified, gaiaXLevel: .l2,
        regions: [F.region("par", "FR", snc: .inScope, hds: .inScope), F.region("lon", "GB", snc: .inScope, hds: .inScope),
                  F.region("nyc", "US", snc: .inScope, hds: .inScope), F.region("fra", "DE", snc: .notInScope, hds: .notInScope)]
    )

    let registry = F.registry([clean])

    private func verdict(_ rules: ClassificationRules, _ location: LocationDescriptor, registry: ProviderRegistry? = nil) -> LocationEvaluation {
        F.evaluate("test", location, registry: registry ?? self.registry, rules: F.rules(rules))
    }

    @Test func noRulesAcceptEverything() {
        for region in [("par", "FR"), ("nyc", "US")] {
            let evaluation = verdict(ClassificationRules(), F.location("l", "fx-clean", region.0, region.1))
            #expect(evaluation.eligible, "\(evaluation.codes)")
        }
    }

    @Test(arguments: [("par", "FR", true), ("fra", "DE", true), ("lon", "GB", false), ("nyc", "US", false)])
    func allowedCountriesAlone(_ region: String, _ country: String, _ allowed: Bool) throws {
        let evaluation = verdict(ClassificationRules(allowedCountries: CountrySet(["EU"])), F.location("l", "fx-clean", region, country))
        #expect(evaluation.eligible == allowed)
        if !allowed {
            let reason = try #require(evaluation.reasons.first)
            #expect(evaluation.reasons.count == 1)
            #expect(reason.code == .countryNotAllowed)
            #expect(reason.message.contains("datacentre country \(country) is not allowed"))
            #expect(reason.message.contains("(allowed: EU)"))
            #expect(reason.message.contains("as of 2026-11-22"))
            #expect(reason.facts.first?.field == "objectStorage.\(region).country")
        }
    }

    @Test func operatorSeatAlone() {
        let swiss = F.provider("fx-swiss", seat: "CH", regions: [F.region("zrh", "CH"), F.region("par", "FR")])
        let unknownSeat = F.provider("fx-noseat", seat: nil, parentCountry: "FR", regions: [F.region("par", "FR")])
        let registry = F.registry([Self.clean, swiss, unknownSeat])
        let rules = ClassificationRules(operatorSeatCountries: CountrySet(["FR"]))
        #expect(verdict(rules, F.location("a", "fx-clean", "par", "FR"), registry: registry).eligible)
        let seatCH = verdict(rules, F.location("b", "fx-swiss", "par", "FR"), registry: registry)
        #expect(seatCH.codes == ["operator-seat-not-allowed"])
        #expect(seatCH.reasons[0].message.contains("legal seat is in CH, not in FR"))
        #expect(verdict(rules, F.location("c", "fx-noseat", "par", "FR"), registry: registry).codes == ["fact-unknown"])
    }

    @Test(arguments: Certification.allCases.filter { $0 != .eucs })
    func eachCertificationAloneIsSatisfiedByACertifiedProvider(_ certification: Certification) {
        let evaluation = verdict(
            ClassificationRules(requiredCertifications: [CertificationRequirement(certification)]),
            F.location("l", "fx-clean", "par", "FR"))
        #expect(evaluation.eligible, "\(evaluation.codes)")
    }

    @Test(arguments: [
        (CertificateStatus.unknown, "certification-unproven"),
        (.claimed, "certification-claimed-only"),
        (.notApplicable, "certification-missing"),
        (.schemeNotAdopted, "certification-missing"),
    ])
    func genericCertificationStatusesThatFail(_ status: CertificateStatus, _ code: String) {
        for certification in [Certification.hds, .iso27001, .c5, .ens] {
            let provider = F.provider(
                "fx-cert", hds: status, iso: status, c5: status, ens: status, regions: [F.region("par", "FR", hds: .inScope)])
            let evaluation = verdict(
                ClassificationRules(requiredCertifications: [CertificationRequirement(certification)]),
                F.location("l", "fx-cert", "par", "FR"), registry: F.registry([provider]))
            #expect(evaluation.codes == [code], "\(certification) \(status)")
        }
    }

    @Test func eucsCannotBeHeldWhileTheSchemeIsNotAdopted() {
        let evaluation = verdict(ClassificationRules(requiredCertifications: [CertificationRequirement(.eucs)]), F.location("l", "fx-clean", "par", "FR"))
        #expect(evaluation.codes == ["certification-missing"])
        #expect(evaluation.reasons[0].message.contains("EUCS is not adopted"))
    }

    @Test func claimedCertificationCountsOnlyWhenTheRuleAcceptsClaims() {
        let claimed = F.provider("fx-claims", hds: .claimed, regions: [F.region("par", "FR", hds: .inScope)])
        let registry = F.registry([claimed])
        let location = F.location("l", "fx-claims", "par", "FR")
        #expect(verdict(ClassificationRules(requiredCertifications: [.hds]), location, registry: registry).codes == ["certification-claimed-only"])
        let accepted = verdict(
            ClassificationRules(requiredCertifications: [CertificationRequirement(.hds, acceptClaimed: true)]), location, registry: registry)
        #expect(accepted.eligible)
        #expect(accepted.has(warning: .claimAccepted))
    }

    @Test(arguments: [(OfferScope.Status.notInScope, "certification-out-of-scope"), (.unknown, "certification-scope-unproven")])
    func hdsMustCoverTheRegionsOffer(_ scope: OfferScope.Status, _ code: String) {
        let provider = F.provider("fx-hds", hds: .certified, regions: [F.region("par", "FR", hds: scope)])
        let evaluation = verdict(
            ClassificationRules(requiredCertifications: [.hds]), F.location("l", "fx-hds", "par", "FR"), registry: F.registry([provider]))
        #expect(evaluation.codes == [code])
        #expect(evaluation.reasons[0].message.contains("in region par"))
    }

    @Test func gaiaXLevel() {
        let rules = { (level: GaiaXLevel) in ClassificationRules(requiredCertifications: [CertificationRequirement(.gaiaX, minimumLevel: level)]) }
        #expect(verdict(rules(.l2), F.location("l", "fx-clean", "par", "FR")).eligible)
        #expect(verdict(rules(.l3), F.location("l", "fx-clean", "par", "FR")).codes == ["certification-level-too-low"])
        let noLevel = F.provider("fx-gx", gaiaX: .certified, regions: [F.region("par", "FR")])
        #expect(verdict(rules(.l1), F.location("l", "fx-gx", "par", "FR"), registry: F.registry([noLevel])).codes == ["certification-unproven"])
    }

    @Test(arguments: [ExtraterritorialLaw.cloudAct, .fisa702])
    func forbiddenUSLawAloneRefusesAnExposedProviderOnly(_ law: ExtraterritorialLaw) {
        let exposed = F.provider("fx-us", seat: "US", cloudAct: .exposed, regions: [F.region("par", "FR")])
        let registry = F.registry([Self.clean, exposed])
        let rules = ClassificationRules(forbidExtraterritorialExposure: [law])
        #expect(verdict(rules, F.location("a", "fx-clean", "par", "FR"), registry: registry).eligible)
        let evaluation = verdict(rules, F.location("b", "fx-us", "par", "FR"), registry: registry)
        #expect(evaluation.codes == ["exposed-to-extraterritorial-law"])
        #expect(evaluation.reasons[0].message.contains("exposed to \(law.displayName) because its ultimate parent"))
        let other: ExtraterritorialLaw = law == .cloudAct ? .fisa702 : .cloudAct
        #expect(evaluation.warnings.contains { $0.code == .extraterritorialExposure && $0.message.contains(other.displayName) },
                "the law not forbidden is still shown")
    }

    @Test func unknownExposureIsNotProvenImmunity() {
        let unknown = F.provider("fx-unknown", cloudAct: .unknown, regions: [F.region("par", "FR")])
        let evaluation = verdict(
            ClassificationRules(forbidExtraterritorialExposure: [.cloudAct]), F.location("l", "fx-unknown", "par", "FR"),
            registry: F.registry([unknown]))
        #expect(evaluation.codes == ["exposure-unproven"])
        #expect(evaluation.reasons[0].message.contains("unknown in the registry"))
    }

    @Test func anyNonEULawAloneNeedsAnEUSeatAndAnEUParent() {
        let swiss = F.provider("fx-ch", seat: "CH", regions: [F.region("par", "FR")])
        let britishParent = F.provider("fx-gbparent", seat: "FR", parentCountry: "GB", regions: [F.region("par", "FR")])
        let unknownParent = F.provider("fx-noparent", seat: "FR", parentID: nil, parentCountry: nil, regions: [F.region("par", "FR")])
        let registry = F.registry([Self.clean, swiss, britishParent, unknownParent])
        let rules = ClassificationRules(forbidExtraterritorialExposure: [.anyNonEULaw])
        #expect(verdict(rules, F.location("a", "fx-clean", "par", "FR"), registry: registry).eligible)
        let ch = verdict(rules, F.location("b", "fx-ch", "par", "FR"), registry: registry)
        #expect(ch.codes == ["exposed-to-extraterritorial-law"])
        #expect(ch.reasons[0].message.contains("legal seat is in CH, outside the EU"))
        let gb = verdict(rules, F.location("c", "fx-gbparent", "par", "FR"), registry: registry)
        #expect(gb.reasons[0].message.contains("ultimate parent fx-gbparent group is in GB, outside the EU"))
        let unknown = verdict(rules, F.location("d", "fx-noparent", "par", "FR"), registry: registry)
        #expect(unknown.codes == ["exposure-unproven"])
        #expect(unknown.reasons[0].message.contains("ultimate parent's country is unknown"))
    }

    @Test func anyNonEULawAloneAlsoCoversARecordedUSExposure() {
        let flagged = F.provider("fx-flagged", seat: "FR", cloudAct: .exposed, regions: [F.region("par", "FR")])
        let evaluation = verdict(
            ClassificationRules(forbidExtraterritorialExposure: [.anyNonEULaw]), F.location("l", "fx-flagged", "par", "FR"),
            registry: F.registry([flagged]))
        #expect(evaluation.codes == ["exposed-to-extraterritorial-law"])
        #expect(evaluation.reasons[0].message.contains("the registry records it as exposed to the US CLOUD Act"))
    }

    @Test func acceptDegradedAlone() {
        let degraded = F.location("l", "fx-clean", "par", "FR", health: .degraded)
        #expect(verdict(ClassificationRules(acceptDegraded: true), degraded).eligible)
        let refused = verdict(ClassificationRules(acceptDegraded: false), degraded)
        #expect(refused.codes == ["location-degraded"])
        #expect(refused.lawful)
    }

    @Test func staleFactsAlone() throws {
        let old = F.provider("fx-old", regions: [F.region("par", "FR")], asOf: F.day("2025-06-01"))
        let registry = F.registry([old])
        let location = F.location("l", "fx-old", "par", "FR")
        let strict = ClassificationRules(allowedCountries: CountrySet(["FR"]), staleFacts: .reject)
        let refused = verdict(strict, location, registry: registry)
        #expect(refused.codes.contains("stale-fact"))
        let reason = try #require(refused.reasons(.staleFact).first)
        #expect(reason.message.contains("dates from 2025-06-01, 548 days ago, beyond the 365-day maximum"))
        let lenient = verdict(ClassificationRules(allowedCountries: CountrySet(["FR"]), staleFacts: .accept), location, registry: registry)
        #expect(lenient.eligible)
        #expect(lenient.has(warning: .staleFact))
        #expect(try #require(lenient.fact("objectStorage.par.country")).isStale)
    }

    @Test func combinedRulesReportEveryFailure() {
        let bad = F.provider(
            "fx-bad", seat: "US", cloudAct: .exposed, snc: .inProgress, stage: .j1, hds: .unknown,
            regions: [F.region("nyc", "US", snc: .unknown)])
        let rules = ClassificationRules(
            allowedCountries: CountrySet(["EU"]), operatorSeatCountries: CountrySet(["FR"]),
            requiredCertifications: [.secNumCloud(), .hds], forbidExtraterritorialExposure: [.cloudAct, .fisa702, .anyNonEULaw],
            acceptDegraded: false)
        let evaluation = verdict(rules, F.location("l", "fx-bad", "nyc", "US", health: .degraded), registry: F.registry([bad]))
        #expect(evaluation.codes == [
            "country-not-allowed", "operator-seat-not-allowed", "certification-stage-not-qualified", "certification-unproven",
            "exposed-to-extraterritorial-law", "exposed-to-extraterritorial-law", "exposed-to-extraterritorial-law",
            "location-degraded",
        ])
        #expect(!evaluation.lawful)
    }
}
