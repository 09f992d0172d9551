import Foundation
import Testing
@testable import SouverainPlacement

@Suite struct ProviderRegistryTests {
    static let datasetIDs = [
        "ovhcloud", "scaleway", "outscale", "cloud-temple", "worldline", "cegedim", "oodrive", "whaller",
        "orange-cloud-avenue", "sfr-business", "numspot", "bleu", "s3ns", "aws", "microsoft-azure", "google-cloud",
        "docaposte", "wire", "delos-cloud", "ionos",
    ]
    static let datasetPath = "/work/shared/reference/providers.json"

    let registry = Fixture.shipped

    @Test func shippedRegistryDecodesWithEveryDatasetProviderAndOnPremise() throws {
        #expect(registry.providers.map(\.id).sorted() == (Self.datasetIDs + ["on-premise"]).sorted())
        #expect(CalendarDay.format(registry.asOf) == "2026-11-22")
        #expect(registry.derivedFrom?.script == "build-registry.py")
        let onPremise = try #require(registry.provider(id: "on-premise"))
        #expect(onPremise.kind == .onPremise)
        for provider in registry.providers where provider.kind == .cloud {
            #expect(CalendarDay.format(provider.qualifications.secNumCloud.asOf) == "2026-11-22")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: datasetPath)))
    func shippedRegistryMatchesTheDatasetItWasBuiltFrom() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.datasetPath))
        let dataset = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let providers = try #require(dataset["providers"] as? [[String: Any]])
        #expect(providers.compactMap { $0["id"] as? String }.sorted() == Self.datasetIDs.sorted())
        for entry in providers {
            let id = try #require(entry["id"] as? String)
            let provider = try #require(registry.provider(id: id))
            #expect(provider.legalSeatCountry.value == entry["legal_seat_country"] as? String, "\(id)")
        }
    }

    @Test func ovhcloudRegionInFranceWithItsSecNumCloudStatusAsTheDatasetStatesIt() throws {
        let ovh = try #require(registry.provider(id: "ovhcloud"))
        #expect(ovh.legalSeatCountry.value == "FR")
        #expect(ovh.ultimateParent.value.country == "FR")
        #expect(ovh.ultimateParent.value.id == "ovh-groupe")
        let snc = ovh.qualifications.secNumCloud
        #expect(snc.value.status == .qualified)
        #expect(snc.value.stage == .j3)
        #expect(snc.value.scope.contains { $0.hasPrefix("Managed Dedicated Cloud") })
        #expect(snc.value.scope.contains { $0.hasPrefix("Bare Metal PoD") })
        #expect(snc.verification == .vendorDoc)
        #expect(snc.sourceIDs.contains("OVH-SNC-MDC"))
        let (_, gra) = try #require(ovh.region("gra"))
        #expect(gra.country.value == "FR")
        #expect(gra.secNumCloudScope.value.status == .notInScope, "the dataset: object storage is not in the SecNumCloud scope")
        #expect(gra.hdsScope.value.status == .unknown)
        #expect(ovh.qualifications.hds.value.status == .certified)
        #expect(ovh.extraterritorialExposure.value.usCloudAct == .notExposed)
        #expect(!ovh.extraterritorialExposure.value.other.isEmpty, "the Canadian production order is recorded")
        #expect(try #require(ovh.region("uk")).region.country.value == "GB")
    }

    @Test func awsRegionInTheEUWithCloudActExposure() throws {
        let aws = try #require(registry.provider(id: "aws"))
        #expect(aws.legalSeatCountry.value == "US")
        #expect(aws.ultimateParent.value == UltimateParent(id: "amazon", name: "Amazon.com, Inc.", country: "US"))
        #expect(aws.extraterritorialExposure.value.usCloudAct == .exposed)
        #expect(aws.extraterritorialExposure.value.usFISA702 == .exposed)
        #expect(aws.extraterritorialExposure.value.confidence == "high")
        #expect(aws.qualifications.secNumCloud.value.status == .notEligible)
        #expect(aws.euOwnership.value.percent == 0)
        #expect(try #require(aws.region("eu-west-3")).region.country.value == "FR")
        let sovereign = try #require(aws.region("eusc-de-east-1"))
        #expect(sovereign.region.country.value == "DE")
        #expect(sovereign.offer.name.contains("European Sovereign Cloud"))
    }

    @Test func qualificationStagesAsTheDatasetStatesThem() throws {
        let s3ns = try #require(registry.provider(id: "s3ns"))
        #expect(s3ns.qualifications.secNumCloud.value.isQualified)
        #expect(try #require(s3ns.region("u-france-east1")).region.secNumCloudScope.value.status == .inScope)
        let numspot = try #require(registry.provider(id: "numspot"))
        #expect(numspot.qualifications.secNumCloud.value.status == .inProgress)
        #expect(numspot.qualifications.secNumCloud.value.stage == .j1)
        #expect(numspot.euOwnership.value.percent == 100)
        let bleu = try #require(registry.provider(id: "bleu"))
        #expect(bleu.qualifications.secNumCloud.value.stage == .j0)
        let scaleway = try #require(registry.provider(id: "scaleway"))
        #expect(scaleway.qualifications.secNumCloud.value.status == .announced)
        #expect(scaleway.qualifications.secNumCloud.value.stage == nil)
        #expect(try #require(scaleway.region("fr-par")).region.hdsScope.value.status == .inScope)
        #expect(try #require(scaleway.region("nl-ams")).region.hdsScope.value.status == .notInScope)
        let cloudTemple = try #require(registry.provider(id: "cloud-temple"))
        #expect(cloudTemple.qualifications.hds.value.status == .claimed)
        #expect(cloudTemple.ultimateParent.value.id == nil)
        #expect(try #require(cloudTemple.region("FR1")).region.secNumCloudScope.value.status == .unknown)
        #expect(registry.provider(id: "delos-cloud")?.qualifications.secNumCloud.value.status == .notApplicable)
        #expect(registry.provider(id: "sfr-business")?.extraterritorialExposure.value.usCloudAct == .unknown)
    }

    @Test func regionCodesWithAliasesResolve() throws {
        let ionos = try #require(registry.provider(id: "ionos"))
        #expect(try #require(ionos.region("eu-central-1")).region.code == "de")
        #expect(try #require(ionos.region("DE")).region.code == "de")
        #expect(ionos.region("eu-west-9") == nil)
    }

    @Test func datasetEUAndEEAFlagsAgreeWithTheModuleZones() {
        for provider in registry.providers {
            for offer in provider.objectStorage {
                for region in offer.regions {
                    let country = region.country.value
                    #expect(region.inEU == CountryZone.isEU(country), "\(provider.id) \(region.code)")
                    #expect(region.inEEA == CountryZone.eea.countries.contains(country), "\(provider.id) \(region.code)")
                }
            }
        }
    }

    @Test func encodingRoundTrips() throws {
        let decoded = try ProviderRegistry.decode(from: try registry.encoded())
        #expect(decoded == registry)
    }

    // MARK: Validation

    /// The shipped registry as a mutable JSON tree.
    private func shippedJSON() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: registry.encoded()) as? [String: Any])
    }

    private func decodeMutated(_ mutate: (inout [String: Any]) throws -> Void) throws -> ProviderRegistryError? {
        var json = try shippedJSON()
        try mutate(&json)
        let data = try JSONSerialization.data(withJSONObject: json)
        do {
            _ = try ProviderRegistry.decode(from: data)
            return nil
        } catch {
            return error
        }
    }

    private func mutateProvider(_ id: String, _ json: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
        var providers = json["providers"] as! [[String: Any]]
        let index = providers.firstIndex { $0["id"] as? String == id }!
        change(&providers[index])
        json["providers"] = providers
    }

    @Test func unknownVocabularyValueNamesProviderAndField() throws {
        let error = try #require(try decodeMutated { json in
            mutateProvider("ovhcloud", &json) { p in
                var q = p["qualifications"] as! [String: Any]
                var hds = q["hds"] as! [String: Any]
                var value = hds["value"] as! [String: Any]
                value["status"] = "certifed"
                hds["value"] = value
                q["hds"] = hds
                p["qualifications"] = q
            }
        })
        #expect(error.code == .invalidProvider)
        #expect(error.providerID == "ovhcloud")
        #expect(error.field == "qualifications.hds.value.status")
        #expect(error.message.contains("'certifed' is not one of certified, claimed, unknown"))
    }

    @Test func unknownSecNumCloudStageIsRefused() throws {
        let error = try #require(try decodeMutated { json in
            mutateProvider("numspot", &json) { p in
                var q = p["qualifications"] as! [String: Any]
                var snc = q["secNumCloud"] as! [String: Any]
                var value = snc["value"] as! [String: Any]
                value["stage"] = "J4"
                snc["value"] = value
                q["secNumCloud"] = snc
                p["qualifications"] = q
            }
        })
        #expect(error.providerID == "numspot")
        #expect(error.field == "qualifications.secNumCloud.value.stage")
    }

    @Test func missingIDIsRefusedByPosition() throws {
        let error = try #require(try decodeMutated { json in
            var providers = json["providers"] as! [[String: Any]]
            providers[2].removeValue(forKey: "id")
            json["providers"] = providers
        })
        #expect(error.code == .invalidProvider)
        #expect(error.providerID == "providers[2]")
        #expect(error.message.contains("has no id"))
    }

    @Test func badDateNamesProviderAndField() throws {
        let error = try #require(try decodeMutated { json in
            mutateProvider("aws", &json) { p in
                var seat = p["legalSeatCountry"] as! [String: Any]
                seat["asOf"] = "2026-02-30"
                p["legalSeatCountry"] = seat
            }
        })
        #expect(error.providerID == "aws")
        #expect(error.field == "legalSeatCountry.asOf")
        #expect(error.message.contains("'2026-02-30' is not a date"))
    }

    @Test func missingFieldNamesProviderAndField() throws {
        let error = try #require(try decodeMutated { json in
            mutateProvider("scaleway", &json) { p in p.removeValue(forKey: "ultimateParent") }
        })
        #expect(error.providerID == "scaleway")
        #expect(error.field == "ultimateParent")
        #expect(error.message.contains("is missing"))
    }

    @Test func invalidCountryIsRefused() throws {
        let error = try #require(try decodeMutated { json in
            mutateProvider("ionos", &json) { p in
                var seat = p["legalSeatCountry"] as! [String: Any]
                seat["value"] = "XX"
                p["legalSeatCountry"] = seat
            }
        })
        #expect(error.providerID == "ionos")
        #expect(error.field == "legalSeatCountry.value")
        #expect(error.message.contains("'XX' is not an ISO 3166 country code"))
    }

    @Test func duplicateProviderIsRefused() throws {
        let error = try #require(try decodeMutated { json in
            var providers = json["providers"] as! [[String: Any]]
            providers.append(providers[0])
            json["providers"] = providers
        })
        #expect(error.code == .duplicateProvider)
    }

    @Test func unknownSourceIsRefused() throws {
        let error = try #require(try decodeMutated { json in
            mutateProvider("s3ns", &json) { p in
                var parent = p["ultimateParent"] as! [String: Any]
                parent["sources"] = ["NO-SUCH-SOURCE"]
                p["ultimateParent"] = parent
            }
        })
        #expect(error.code == .unknownSource)
        #expect(error.providerID == "s3ns")
        #expect(error.field == "ultimateParent")
    }

    @Test func missingOnPremiseIsRefused() throws {
        let error = try #require(try decodeMutated { json in
            var providers = json["providers"] as! [[String: Any]]
            providers.removeAll { $0["id"] as? String == "on-premise" }
            json["providers"] = providers
        })
        #expect(error.code == .missingOnPremise)
    }

    @Test func unsupportedFormatAndNonJSONAreRefused() throws {
        let future = try #require(try decodeMutated { $0["format"] = 2 })
        #expect(future.code == .unsupportedFormat)
        #expect(future.message.contains("format 2 is not supported"))
        #expect(throws: ProviderRegistryError.self) { try ProviderRegistry.decode(from: Data("not json".utf8)) }
        do {
            _ = try ProviderRegistry.decode(from: Data("[1]".utf8))
            Issue.record("an array is not a registry")
        } catch {
            #expect(error.code == .invalidJSON)
        }
    }
}
