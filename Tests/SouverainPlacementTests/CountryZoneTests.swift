import Testing
@testable import SouverainPlacement

@Suite struct CountryZoneTests {
    @Test func euHasItsTwentySevenMembers() {
        #expect(CountryZone.euMembers.count == 27)
        #expect(CountryZone.eu.countries.isSuperset(of: ["FR", "DE", "IE", "GR", "PL"]))
        #expect(!CountryZone.eu.countries.contains("GB"))
        #expect(!CountryZone.eu.countries.contains("CH"))
        #expect(!CountryZone.eu.countries.contains("NO"))
        #expect(!CountryZone.eu.countries.contains("EL"), "Greece is GR in ISO 3166")
        #expect(CountryZone.isEU("RE"), "La Réunion is part of the EU")
    }

    @Test func eeaAddsIcelandLiechtensteinAndNorway() {
        #expect(CountryZone.eea.countries == CountryZone.eu.countries.union(["IS", "LI", "NO"]))
    }

    @Test func adequacyAddsThirdCountriesButNotTheUnitedStates() {
        let zone = CountryZone.eeaAndAdequacy.countries
        #expect(zone.isSuperset(of: CountryZone.eea.countries))
        #expect(zone.isSuperset(of: ["GB", "CH", "JP", "KR", "CA", "NZ", "IL", "BR"]))
        #expect(!zone.contains("US"))
        #expect(!zone.contains("SG"))
        #expect(!zone.contains("IN"))
        #expect(!zone.contains("AU"))
    }

    @Test func everyZoneCountryIsAnISOCode() {
        for zone in CountryZone.allCases {
            #expect(zone.countries.allSatisfy(ISOCountry.isValid), "\(zone)")
            #expect(!zone.basis.isEmpty)
        }
        #expect(ISOCountry.codes.count == 249)
        #expect(!ISOCountry.isValid("XX"))
        #expect(!ISOCountry.isValid("fr"))
        #expect(!ISOCountry.isValid("EU"))
    }

    @Test func countrySetsExpandZonesAndKeepEntries() {
        let set = CountrySet(["EU", "CH"])
        #expect(set.entries == ["EU", "CH"])
        #expect(set.contains("CH") && set.contains("FR") && !set.contains("GB"))
        #expect(set.description == "EU, CH")
        if case .failure(let error) = CountrySet.parse(["FR", "XX"]) {
            #expect(error.index == 1)
        } else {
            Issue.record("XX accepted")
        }
    }

    @Test(arguments: ["public", "public-archives", "dora-cif", "x", "a1"])
    func validClassificationNames(_ name: String) {
        #expect(Classification(name)?.name == name)
    }

    @Test(arguments: ["", "Health", "1abc", "-x", "a b", "a_b", "é", String(repeating: "a", count: 64)])
    func invalidClassificationNames(_ name: String) {
        #expect(Classification(name) == nil)
    }

    @Test func builtInClassifications() {
        #expect(Classification.builtIns.map(\.name) == ["public", "internal", "personal", "health", "sensitive", "public-archives"])
        #expect(Classification.publicArchives.isBuiltIn)
        let operatorDefined = Classification(String("contracts"))
        #expect(operatorDefined?.isBuiltIn == false)
    }
}
