import Foundation
import Testing
@testable import SouverainPlacement

@Suite struct PlacementRulesTests {
    @Test func defaultsDefineEveryBuiltInClassification() {
        #expect(Set(PlacementRules.defaults.classifications.keys) == Set(Classification.builtIns))
        #expect(PlacementRules.defaults.maxFactAgeDays == 365)
    }

    @Test func defaultsFollowTheRequirementsMatrix() throws {
        let rules = PlacementRules.defaults
        let open = try #require(rules.rules(for: "public"))
        #expect(open.allowedCountries == nil && open.requiredCertifications.isEmpty && open.forbidExtraterritorialExposure.isEmpty)
        let personal = try #require(rules.rules(for: "personal"))
        #expect(personal.allowedCountries?.entries == ["EEA+adequacy"])
        #expect(personal.forbidExtraterritorialExposure.isEmpty)
        let health = try #require(rules.rules(for: "health"))
        #expect(health.allowedCountries?.entries == ["EEA"])
        #expect(health.requiredCertifications.map(\.certification) == [.hds])
        #expect(health.staleFacts == .reject)
        let sensitive = try #require(rules.rules(for: "sensitive"))
        #expect(sensitive.allowedCountries?.entries == ["EU"])
        #expect(sensitive.requiredCertifications == [.secNumCloud(minimumStage: .j3, waivedOnPremise: true)])
        #expect(sensitive.forbidExtraterritorialExposure == [.cloudAct, .fisa702, .anyNonEULaw])
        let archives = try #require(rules.rules(for: "public-archives"))
        #expect(archives.allowedCountries?.countries == ["FR"])
        #expect(archives.forbidExtraterritorialExposure.contains(.anyNonEULaw))
        #expect(archives.operatorSeatCountries == nil)
        #expect(rules.rules(for: "unknown-class") == nil)
        #expect(rules.rules(for: "Not Valid") == nil)
    }

    @Test func encodedDefaultsDecodeToTheSameRules() throws {
        let data = try PlacementRules.defaults.encoded()
        #expect(try PlacementRules.decode(from: data) == PlacementRules.defaults)
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("\"minimumStage\" : \"qualified\""))
    }

    @Test func omittedKeysTakeTheirDefaults() throws {
        let rules = try PlacementRules.decode(from: Data(#"{"format": 1, "classifications": {"contracts": {}}}"#.utf8))
        #expect(rules.maxFactAgeDays == 365)
        let contracts = try #require(rules.rules(for: "contracts"))
        #expect(contracts == ClassificationRules())
    }

    @Test func operatorDefinedClassificationWithEveryOption() throws {
        let json = #"""
        {"format": 1, "maxFactAgeDays": 180, "classifications": {"dora-cif": {
            "allowedCountries": ["EU", "CH"], "operatorSeatCountries": ["FR", "DE"],
            "requiredCertifications": ["iso-27001", {"certification": "secnumcloud", "minimumStage": "J2"},
                                       {"certification": "gaia-x", "minimumLevel": "L2", "acceptClaimed": true},
                                       {"certification": "hds", "waivedOnPremise": true}],
            "forbidExtraterritorialExposure": ["cloud-act"], "minimumReplicas": 3, "minimumDistinctOperators": 2,
            "encryptionRequired": true, "acceptDegraded": false, "staleFacts": "reject", "maxFactAgeDays": 90}}}
        """#
        let rules = try PlacementRules.decode(from: Data(json.utf8))
        let cif = try #require(rules.rules(for: "dora-cif"))
        #expect(rules.maxFactAgeDays == 180)
        #expect(rules.maxFactAge(for: cif) == 90)
        #expect(cif.allowedCountries?.contains("CH") == true)
        #expect(cif.allowedCountries?.contains("FR") == true)
        #expect(cif.operatorSeatCountries?.countries == ["FR", "DE"])
        #expect(cif.requiredCertifications == [
            .iso27001, .secNumCloud(minimumStage: .j2),
            CertificationRequirement(.gaiaX, minimumLevel: .l2, acceptClaimed: true),
            CertificationRequirement(.hds, waivedOnPremise: true),
        ])
        #expect(cif.forbidExtraterritorialExposure == [.cloudAct])
        #expect(cif.minimumReplicas == 3 && cif.minimumDistinctOperators == 2)
        #expect(cif.encryptionRequired && !cif.acceptDegraded && cif.staleFacts == .reject)
    }

    struct Invalid: CustomTestStringConvertible, Sendable {
        var name: String
        var classification: String
        var code: PlacementRulesError.Code = .invalidRule
        var path: String
        var reason: String
        var testDescription: String { name }
    }

    static let invalid: [Invalid] = [
        Invalid(name: "not an ISO code", classification: #""health": {"allowedCountries": ["FR", "DE", "XX"]}"#,
                path: "classifications.health.allowedCountries[2]", reason: "'XX' is not an ISO 3166 country code"),
        Invalid(name: "lower-case code", classification: #""health": {"allowedCountries": ["fr"]}"#,
                path: "classifications.health.allowedCountries[0]", reason: "codes are upper case ('FR')"),
        Invalid(name: "unknown zone", classification: #""health": {"allowedCountries": ["EEA+UK"]}"#,
                path: "classifications.health.allowedCountries[0]", reason: "zone (EU, EEA, EEA+adequacy)"),
        Invalid(name: "empty country list", classification: #""health": {"allowedCountries": []}"#,
                path: "classifications.health.allowedCountries", reason: "an empty list allows no country"),
        Invalid(name: "bad seat country", classification: #""archives": {"operatorSeatCountries": ["France"]}"#,
                path: "classifications.archives.operatorSeatCountries[0]", reason: "'France' is not an ISO 3166 country code"),
        Invalid(name: "misspelt key", classification: #""health": {"allowedCountry": ["FR"]}"#,
                path: "classifications.health.allowedCountry", reason: "unknown key 'allowedCountry'"),
        Invalid(name: "unknown certification", classification: #""health": {"requiredCertifications": ["hdss"]}"#,
                path: "classifications.health.requiredCertifications[0]", reason: "'hdss' is not one of secnumcloud, hds"),
        Invalid(name: "unknown stage", classification: #""s": {"requiredCertifications": [{"certification": "secnumcloud", "minimumStage": "J4"}]}"#,
                path: "classifications.s.requiredCertifications[0].minimumStage", reason: "'J4' is not one of J0, J1, J2, J3, qualified"),
        Invalid(name: "stage on HDS", classification: #""s": {"requiredCertifications": [{"certification": "hds", "minimumStage": "J3"}]}"#,
                path: "classifications.s.requiredCertifications[0].minimumStage", reason: "applies only to secnumcloud"),
        Invalid(name: "level on C5", classification: #""s": {"requiredCertifications": [{"certification": "c5", "minimumLevel": "L1"}]}"#,
                path: "classifications.s.requiredCertifications[0].minimumLevel", reason: "applies only to gaia-x"),
        Invalid(name: "unknown key in a requirement", classification: #""s": {"requiredCertifications": [{"certification": "c5", "stage": "L1"}]}"#,
                path: "classifications.s.requiredCertifications[0].stage", reason: "unknown key 'stage'"),
        Invalid(name: "certification twice", classification: #""s": {"requiredCertifications": ["hds", {"certification": "hds"}]}"#,
                path: "classifications.s.requiredCertifications[1]", reason: "hds is listed twice"),
        Invalid(name: "unknown law", classification: #""s": {"forbidExtraterritorialExposure": ["cloud-act", "cloud-acts"]}"#,
                path: "classifications.s.forbidExtraterritorialExposure[1]", reason: "'cloud-acts' is not one of cloud-act, fisa-702, any-non-eu-law"),
        Invalid(name: "no replica", classification: #""s": {"minimumReplicas": 0}"#,
                path: "classifications.s.minimumReplicas", reason: "0 is out of range"),
        Invalid(name: "replicas of the wrong type", classification: #""s": {"minimumReplicas": "two"}"#,
                path: "classifications.s.minimumReplicas", reason: "expected a number"),
        Invalid(name: "more operators than replicas", classification: #""s": {"minimumReplicas": 1, "minimumDistinctOperators": 2}"#,
                path: "classifications.s.minimumDistinctOperators", reason: "minimumReplicas is 1"),
        Invalid(name: "unknown stale policy", classification: #""s": {"staleFacts": "maybe"}"#,
                path: "classifications.s.staleFacts", reason: "'maybe' is not one of accept, reject"),
        Invalid(name: "zero max age", classification: #""s": {"maxFactAgeDays": 0}"#,
                path: "classifications.s.maxFactAgeDays", reason: "out of range"),
        Invalid(name: "invalid classification name", classification: #""Health": {}"#,
                path: "classifications.Health", reason: "'Health' is not a valid classification name"),
        Invalid(name: "bool of the wrong type", classification: #""s": {"acceptDegraded": "yes"}"#,
                path: "classifications.s.acceptDegraded", reason: "expected true or false"),
    ]

    @Test(arguments: invalid)
    func invalidRulesNameThePathAndTheReason(_ case_: Invalid) throws {
        let json = #"{"format": 1, "classifications": {"# + case_.classification + "}}"
        do {
            _ = try PlacementRules.decode(from: Data(json.utf8))
            Issue.record("accepted: \(case_.name)")
        } catch {
            #expect(error.code == case_.code)
            #expect(error.path == case_.path)
            #expect(error.reason.contains(case_.reason), "\(error.reason)")
            #expect(error.message == "\(case_.path): \(error.reason)")
        }
    }

    @Test func theMessageReadsAsPathThenReason() throws {
        let json = #"{"format": 1, "classifications": {"health": {"allowedCountries": ["FR", "DE", "XX"]}}}"#
        do {
            _ = try PlacementRules.decode(from: Data(json.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.message.hasPrefix("classifications.health.allowedCountries[2]: 'XX' is not an ISO 3166 country code"))
        }
    }

    @Test func fileLevelErrors() {
        func failure(_ json: String) -> PlacementRulesError? {
            do {
                _ = try PlacementRules.decode(from: Data(json.utf8))
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("{not json")?.code == .invalidJSON)
        #expect(failure("[]")?.code == .invalidJSON)
        let future = failure(#"{"format": 2, "classifications": {}}"#)
        #expect(future?.code == .unsupportedFormat)
        #expect(future?.path == "format")
        #expect(failure(#"{"classifications": {}}"#)?.code == .unsupportedFormat)
        let missing = failure(#"{"format": 1}"#)
        #expect(missing?.path == "classifications")
        #expect(missing?.reason == "is missing")
        #expect(failure(#"{"format": 1, "classifications": {}, "zones": {}}"#)?.path == "zones")
        #expect(failure(#"{"format": 1, "maxFactAgeDays": -1, "classifications": {}}"#)?.path == "maxFactAgeDays")
    }
}
