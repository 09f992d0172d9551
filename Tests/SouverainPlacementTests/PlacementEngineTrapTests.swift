import Foundation
import Testing
@testable import SouverainPlacement

/// The classification matrix on the shipped registry, and the traps that a naive reading misses.
@Suite struct PlacementEngineTrapTests {
    typealias F = Fixture

    // MARK: health

    @Test func hdsCertifiedProviderInANonEEARegionIsRefusedForHealth() throws {
        // OVHcloud holds HDS (vendor doc); its London region is outside the EEA.
        let evaluation = F.evaluate("health", F.location("ovh-london", "ovhcloud", "uk", "GB"))
        #expect(!evaluation.eligible)
        let reason = try #require(evaluation.reasons(.countryNotAllowed).first)
        #expect(reason.message.contains("datacentre country GB is not allowed for this classification (allowed: EEA)"))
        // A fixture with HDS in scope everywhere isolates the country rule.
        let hdsEverywhere = F.provider("fx-hds", hds: .certified, regions: [F.region("lon", "GB", hds: .inScope), F.region("par", "FR", hds: .inScope)])
        let registry = F.registry([hdsEverywhere])
        #expect(F.evaluate("health", F.location("a", "fx-hds", "lon", "GB"), registry: registry).codes == ["country-not-allowed"])
        #expect(F.evaluate("health", F.location("b", "fx-hds", "par", "FR"), registry: registry).eligible)
    }

    @Test func healthOnTheShippedRegistry() {
        let decision = F.decide("health", [
            F.location("scw-par", "scaleway", "fr-par", "FR"),
            F.location("scw-ams", "scaleway", "nl-ams", "NL"),
            F.location("ovh-gra", "ovhcloud", "gra", "FR"),
            F.location("aws-par", "aws", "eu-west-3", "FR"),
            F.location("ct-fr1", "cloud-temple", "FR1", "FR"),
        ])
        #expect(decision.eligible.map(\.id) == ["scw-par"])
        let byID = Dictionary(uniqueKeysWithValues: decision.evaluations.map { ($0.location.id, $0) })
        #expect(byID["scw-ams"]?.codes == ["certification-out-of-scope"], "Scaleway's HDS object storage is fr-par only")
        #expect(byID["ovh-gra"]?.codes == ["certification-scope-unproven"], "OVHcloud Object Storage HDS status: unknown")
        #expect(byID["aws-par"]?.codes == ["certification-unproven"], "AWS's HDS claim is not verified in the dataset")
        #expect(byID["ct-fr1"]?.codes == ["certification-claimed-only"])
    }

    // MARK: sensitive

    @Test func sensitiveOnTheShippedRegistry() {
        let decision = F.decide("sensitive", [
            F.location("s3ns", "s3ns", "u-france-east1", "FR"),
            F.location("ovh-gra", "ovhcloud", "gra", "FR"),
            F.location("outscale-gouv", "outscale", "cloudgouv-eu-west-1", "FR"),
            F.location("numspot", "numspot", nil, "FR"),
            F.location("bleu", "bleu", nil, "FR"),
            F.location("scw-par", "scaleway", "fr-par", "FR"),
            F.location("aws-esc", "aws", "eusc-de-east-1", "DE"),
        ])
        #expect(decision.eligible.map(\.id) == ["s3ns"])
        let byID = Dictionary(uniqueKeysWithValues: decision.evaluations.map { ($0.location.id, $0) })
        #expect(byID["ovh-gra"]?.codes == ["certification-out-of-scope"], "OVHcloud is qualified, but not for object storage")
        #expect(byID["outscale-gouv"]?.codes == ["certification-scope-unproven"])
        #expect(byID["numspot"]?.codes == ["certification-stage-not-qualified"])
        #expect(byID["numspot"]?.has(warning: .regionNotInRegistry) == true)
        #expect(byID["bleu"]?.reasons.first?.message.contains("stage J0, which is not qualified") == true)
        #expect(byID["scw-par"]?.reasons.first?.message.contains("only been announced") == true)
        #expect(byID["aws-esc"]?.codes == [
            "certification-missing", "exposed-to-extraterritorial-law", "exposed-to-extraterritorial-law", "exposed-to-extraterritorial-law",
        ])
        #expect(byID["aws-esc"]?.reasons[1].message.contains("because its ultimate parent Amazon.com, Inc. is in US") == true)
    }

    @Test(arguments: [SecNumCloudStage.j0, .j1, .j2])
    func secNumCloudMilestonesAreNotQualified(_ stage: SecNumCloudStage) throws {
        let provider = F.provider("fx-snc", snc: .inProgress, stage: stage, regions: [F.region("par", "FR", snc: .inScope)])
        let evaluation = F.evaluate("sensitive", F.location("l", "fx-snc", "par", "FR"), registry: F.registry([provider]))
        #expect(evaluation.codes == ["certification-stage-not-qualified"])
        let reason = try #require(evaluation.reasons.first)
        #expect(reason.message.contains("in progress at stage \(stage.rawValue), which is not qualified; J3 (qualified) is required"))
    }

    @Test func qualifiedAtJ3IsAcceptedAndALowerMinimumIsTheOperatorsChoice() {
        let qualified = F.provider("fx-j3", snc: .qualified, stage: .j3, regions: [F.region("par", "FR", snc: .inScope)])
        let audit = F.provider("fx-j2", snc: .inProgress, stage: .j2, regions: [F.region("par", "FR", snc: .inScope)])
        let early = F.provider("fx-j0", snc: .inProgress, stage: .j0, regions: [F.region("par", "FR", snc: .inScope)])
        let registry = F.registry([qualified, audit, early])
        #expect(F.evaluate("sensitive", F.location("l", "fx-j3", "par", "FR"), registry: registry).eligible)
        let lowered = F.rules(ClassificationRules(requiredCertifications: [.secNumCloud(minimumStage: .j1)]))
        #expect(F.evaluate("test", F.location("l", "fx-j2", "par", "FR"), registry: registry, rules: lowered).eligible)
        #expect(F.evaluate("test", F.location("l", "fx-j0", "par", "FR"), registry: registry, rules: lowered).codes == ["certification-stage-not-qualified"])
    }

    @Test func qualifiedWithoutTheJ3StageIsNotProven() {
        let odd = F.provider("fx-odd", snc: .qualified, stage: .j2, regions: [F.region("par", "FR", snc: .inScope)])
        let evaluation = F.evaluate("sensitive", F.location("l", "fx-odd", "par", "FR"), registry: F.registry([odd]))
        #expect(evaluation.codes == ["certification-unproven"])
    }

    // MARK: EU-seated operator with a US parent

    /// Fictitious: a German subsidiary of a US group, even credited with SecNumCloud and HDS,
    /// so that only its ownership can explain a refusal.
    static let usSubsidiary = F.provider(
        "fx-eu-subsidiary", seat: "DE", parentID: "us-holding", parentName: "US Holding Inc.", parentCountry: "US",
        cloudAct: .exposed, snc: .qualified, stage: .j3, hds: .certified,
        regions: [F.region("fra", "DE", snc: .inScope, hds: .inScope), F.region("par", "FR", snc: .inScope, hds: .inScope)])

    @Test(arguments: ["sensitive", "public-archives"])
    func euSeatedOperatorWithAnAmericanParentIsRefused(_ classification: String) throws {
        let evaluation = F.evaluate(classification, F.location("l", "fx-eu-subsidiary", "par", "FR"), registry: F.registry([Self.usSubsidiary]))
        #expect(!evaluation.eligible)
        let cloudAct = try #require(evaluation.reasons(.exposedToExtraterritorialLaw).first)
        #expect(cloudAct.message.contains("exposed to the US CLOUD Act because its ultimate parent US Holding Inc. is in US"))
        #expect(cloudAct.facts.map(\.field) == ["extraterritorialExposure", "ultimateParent", "legalSeatCountry"])
        #expect(cloudAct.facts.allSatisfy { $0.asOf == F.asOf })
        #expect(evaluation.reasons.contains { $0.message.contains("FISA section 702") })
        #expect(evaluation.reasons.contains { $0.message.contains("is in US, outside the EU") })
        #expect(!evaluation.reasons.contains { $0.message.contains("legal seat is in DE") }, "the seat itself is in the EU")
    }

    @Test func theSameOperatorIsAllowedForPersonalDataInTheEEA() throws {
        let evaluation = F.evaluate("personal", F.location("l", "fx-eu-subsidiary", "fra", "DE"), registry: F.registry([Self.usSubsidiary]))
        #expect(evaluation.eligible)
        let warning = try #require(evaluation.warnings.first { $0.code == .extraterritorialExposure })
        #expect(warning.message.contains("transfer risk"))
    }

    @Test func aUSParentExposesTheOperatorEvenIfTheRegistrySaysOtherwise() {
        var unflagged = Self.usSubsidiary
        unflagged.extraterritorialExposure.value.usCloudAct = .notExposed
        unflagged.extraterritorialExposure.value.usFISA702 = .notExposed
        let evaluation = F.evaluate("public-archives", F.location("l", "fx-eu-subsidiary", "par", "FR"), registry: F.registry([unflagged]))
        #expect(evaluation.reasons.first?.message.contains("because its ultimate parent US Holding Inc. is in US") == true)
        #expect(!evaluation.eligible)
    }

    @Test func awsInTheEUServesPersonalDataButNotSensitiveOrArchives() throws {
        let paris = F.location("aws-par", "aws", "eu-west-3", "FR")
        let personal = F.evaluate("personal", paris)
        #expect(personal.eligible)
        #expect(personal.warnings.filter { $0.code == .extraterritorialExposure }.count == 2)
        for classification in ["sensitive", "public-archives"] {
            let evaluation = F.evaluate(classification, paris)
            #expect(evaluation.has(.exposedToExtraterritorialLaw), "\(classification)")
            let fact = try #require(evaluation.fact("extraterritorialExposure"))
            #expect(fact.value.contains("CLOUD Act: exposed"))
            #expect(CalendarDay.format(fact.asOf) == "2026-11-22")
            #expect(fact.sourceIDs.contains("ART-KIAMO-2025"))
        }
    }

    // MARK: personal, public, public-archives

    @Test(arguments: [
        ("ovhcloud", "uk", "GB", true), ("ovhcloud", "bhs", "CA", true), ("ovhcloud", "waw", "PL", true),
        ("ovhcloud", "sgp", "SG", false), ("ovhcloud", "ap-south-mum", "IN", false), ("outscale", "us-east-2", "US", false),
        ("outscale", "ap-northeast-1", "JP", true),
    ])
    func personalDataNeedsTheEEAOrAnAdequacyDecision(_ provider: String, _ region: String, _ country: String, _ allowed: Bool) {
        let evaluation = F.evaluate("personal", F.location("l", provider, region, country))
        #expect(evaluation.eligible == allowed)
        if !allowed { #expect(evaluation.codes == ["country-not-allowed"]) }
    }

    @Test func publicAndInternalDataGoAnywhereKnown() {
        for classification in ["public", "internal"] {
            #expect(F.evaluate(classification, F.location("l", "ovhcloud", "sgp", "SG")).eligible)
            #expect(F.evaluate(classification, F.location("l", "aws", "eu-west-1", "IE")).eligible)
        }
    }

    @Test func publicArchivesStayOnFrenchTerritoryWithASovereignOperator() {
        let decision = F.decide("public-archives", [
            F.location("ovh-gra", "ovhcloud", "gra", "FR"),
            F.location("ovh-de", "ovhcloud", "de", "DE"),
            F.location("aws-par", "aws", "eu-west-3", "FR"),
            F.location("ct-fr1", "cloud-temple", "FR1", "FR"),
        ])
        #expect(decision.eligible.map(\.id) == ["ovh-gra"])
        let byID = Dictionary(uniqueKeysWithValues: decision.evaluations.map { ($0.location.id, $0) })
        #expect(byID["ovh-gra"]?.has(warning: .otherForeignReach) == true, "the Canadian order is shown")
        #expect(byID["ovh-de"]?.codes == ["country-not-allowed"])
        #expect(byID["ct-fr1"]?.codes == ["exposure-unproven"], "Cloud Temple's parent is unknown: not proven")
        var strict = PlacementRules.defaults
        strict.classifications[.publicArchives]?.operatorSeatCountries = CountrySet(["FR"])
        let aws = F.evaluate("public-archives", F.location("aws-par", "aws", "eu-west-3", "FR"), rules: strict)
        #expect(aws.has(.operatorSeatNotAllowed))
    }

    // MARK: unknowns and profiles

    @Test func unknownProviderIsRejectedWithItsReason() throws {
        let evaluation = F.evaluate("public", F.location("l", "acme-cloud", "eu-1", "FR"))
        #expect(evaluation.codes == ["unknown-provider"])
        #expect(try #require(evaluation.reasons.first).message == "provider 'acme-cloud' is not in the provider registry, so none of its facts can be proven")
        #expect(evaluation.facts.isEmpty)
    }

    @Test func unknownClassificationIsRefused() throws {
        let decision = F.decide("trade-secrets", [F.location("l", "ovhcloud", "gra", "FR")])
        let refusal = try #require(decision.refusal)
        #expect(refusal.cause == .unknownClassification)
        #expect(refusal.message.contains("'trade-secrets'"))
    }

    @Test func profileCountryMustMatchTheRegistryRegion() {
        let evaluation = F.evaluate("public", F.location("l", "ovhcloud", "gra", "DE"))
        #expect(evaluation.codes == ["country-mismatch"])
        #expect(evaluation.reasons[0].message.contains("region gra is in FR"))
        #expect(F.evaluate("public", F.location("l", "ovhcloud", "gra", "XX")).codes == ["invalid-profile", "country-mismatch"])
    }

    @Test func regionMissingFromTheRegistryFailsClosedForQualificationScope() {
        let evaluation = F.evaluate("health", F.location("l", "scaleway", "fr-lyo", "FR"))
        #expect(evaluation.has(warning: .regionNotInRegistry))
        #expect(evaluation.codes == ["certification-scope-unproven"])
        #expect(evaluation.fact("profile.country")?.verification == .declared)
        #expect(F.evaluate("internal", F.location("l", "scaleway", "fr-lyo", "FR")).eligible)
    }

    @Test func overridesAreIgnoredForCloudProviders() {
        let location = F.location("l", "aws", "eu-west-3", "FR", overrides: ProfileOverrides(operatorCountry: "FR", ultimateParentCountry: "FR"))
        let evaluation = F.evaluate("sensitive", location)
        #expect(evaluation.has(warning: .overridesIgnored))
        #expect(evaluation.has(.exposedToExtraterritorialLaw))
    }

    // MARK: on-premise

    @Test func onPremiseInFranceServesEveryBuiltInClassification() {
        for classification in Classification.builtIns {
            let evaluation = F.evaluate(classification.name, F.onPremise("nas", country: "FR"))
            #expect(evaluation.eligible, "\(classification): \(evaluation.codes)")
        }
        let sensitive = F.evaluate("sensitive", F.onPremise("nas", country: "FR"))
        #expect(sensitive.has(warning: .waivedOnPremise))
        #expect(sensitive.operatorName == "Ville de Nantes")
        #expect(sensitive.fact("legalSeatCountry")?.verification == .declared)
        #expect(sensitive.facts.allSatisfy { !$0.isStale })
    }

    @Test func onPremiseFactsComeFromTheProfile() {
        #expect(F.evaluate("public-archives", F.onPremise("nas", country: "DE")).codes == ["country-not-allowed"])
        let usGroup = F.onPremise("nas", country: "FR", organisation: "Filiale SAS", parentName: "Parent Corp", parentCountry: "US")
        let evaluation = F.evaluate("sensitive", usGroup)
        #expect(evaluation.has(.exposedToExtraterritorialLaw))
        #expect(evaluation.reasons.first?.message.contains("its ultimate parent Parent Corp is in US") == true)
        #expect(F.evaluate("personal", usGroup).eligible)
        #expect(F.evaluate("public", F.onPremise("nas", country: "FR", operatorCountry: "ZZ")).codes == ["invalid-profile"])
        let noWaiver = F.rules(ClassificationRules(requiredCertifications: [.hds]))
        #expect(F.evaluate("test", F.onPremise("nas", country: "FR"), rules: noWaiver).codes == ["certification-missing"])
    }
}
