import Foundation
import SouverainCatalogue
import SouverainEngine
import SouverainPlacement
import Testing

@Suite struct PlacementPolicyTests {
    let registry: ProviderRegistry
    let locations: [LocationDescriptor]

    init() throws {
        registry = try ProviderRegistry.shipped()
        locations = [
            LocationDescriptor(id: "aws-paris", kind: .local, profile: SovereigntyProfile(providerID: "aws", country: "FR", region: "eu-west-3"), preference: 0),
            LocationDescriptor(id: "hds-fr", kind: .s3, profile: SovereigntyProfile(providerID: "scaleway", country: "FR", region: "fr-par"), preference: 1),
            LocationDescriptor(id: "onprem", kind: .local, profile: SovereigntyProfile(providerID: ProviderRegistry.onPremiseID, country: "FR"), preference: 2),
        ]
    }

    func policy(_ rules: PlacementRules = .defaults, default classification: String = "internal") -> PlacementPolicy {
        PlacementPolicy(rules: rules, registry: registry, locations: locations, defaultClassification: classification)
    }

    @Test func targetsComeByPreferenceAmongTheLawful() throws {
        #expect(try policy().targets(classification: "internal") == ["aws-paris", "hds-fr", "onprem"])
        #expect(try policy().targets(classification: "health") == ["hds-fr", "onprem"])
        #expect(try policy().targets(classification: "public-archives") == ["hds-fr", "onprem"])
    }

    @Test func aClassificationNoLocationSatisfiesIsAPlacementViolationWithReasons() throws {
        var rules = PlacementRules.defaults
        rules.classifications["swiss"] = ClassificationRules(allowedCountries: CountrySet(["CH"]))
        #expect {
            try policy(rules).targets(classification: "swiss")
        } throws: { error in
            guard let error = error as? EngineError, error.code == .placementViolation else { return false }
            return error.message.contains("'swiss'") && error.message.contains("Location 'hds-fr'") && error.message.contains("CH")
        }
        #expect(throws: EngineError.self) { try policy().targets(classification: "undefined") }
    }

    @Test func moreReplicasThanTheServerWritesAreRefusedNotUnderServed() throws {
        var rules = PlacementRules.defaults
        rules.classifications["twice"] = ClassificationRules(minimumReplicas: 2)
        #expect {
            try policy(rules).targets(classification: "twice")
        } throws: { ($0 as? EngineError)?.code == .placementViolation }
    }

    @Test func unclassifiedBucketsTakeTheDefault() {
        let bucket = BucketRecord(name: "b", owner: "o", createdAt: Date(), region: "us-east-1")
        #expect(policy(default: "personal").classification(of: bucket) == "personal")
        var classified = bucket
        classified.classification = "health"
        #expect(policy().classification(of: classified) == "health")
    }

    @Test func lawfulnessOfAStoredLocation() {
        #expect(policy().allows(location: "onprem", classification: "sensitive"))
        #expect(!policy().allows(location: "aws-paris", classification: "sensitive"))
        #expect(!policy().allows(location: "gone", classification: "public"))
    }

    @Test func downLocationsAreUnavailableNotForbidden() throws {
        var down = locations
        for index in down.indices { down[index].health = .down }
        let policy = PlacementPolicy(rules: .defaults, registry: registry, locations: down, defaultClassification: "internal")
        #expect { try policy.targets(classification: "internal") } throws: { ($0 as? EngineError)?.code == .unavailable }
    }
}
