import Foundation
import SouverainCatalogue
@testable import SouverainEngine
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

    @Test func replicasGoToDistinctOperatorsThoseThatAnswerFirst() throws {
        var rules = PlacementRules.defaults
        rules.classifications["twice"] = ClassificationRules(minimumReplicas: 2, minimumDistinctOperators: 2)
        rules.classifications["thrice"] = ClassificationRules(minimumReplicas: 3, minimumDistinctOperators: 3)
        rules.classifications["thrice-lenient"] = ClassificationRules(
            minimumReplicas: 3, minimumDistinctOperators: 3, acceptUnderReplicatedWrites: true)
        let monitor = LocationMonitor()
        let twice = try policy(rules).replicaPlan(classification: "twice", health: monitor)
        #expect(twice.write == ["aws-paris", "hds-fr"] && twice.missing.isEmpty && twice.required == 2)

        // aws-paris stops answering: the next eligible operator takes its place.
        for _ in 0..<monitor.failureThreshold { monitor.recordFailure("aws-paris", error: EngineError(.unavailable, "down")) }
        #expect(!monitor.isUsable("aws-paris"))
        #expect(try policy(rules).replicaPlan(classification: "twice", health: monitor).write == ["hds-fr", "onprem"])

        // Three operators needed, one down: it is missing; strict rules refuse, lenient ones accept.
        let thrice = try policy(rules).replicaPlan(classification: "thrice", health: monitor)
        #expect(thrice.write == ["hds-fr", "onprem"] && thrice.missing == ["aws-paris"])
        #expect { try thrice.check(stored: 2) } throws: { ($0 as? EngineError)?.code == .placementViolation }
        let lenient = try policy(rules).replicaPlan(classification: "thrice-lenient", health: monitor)
        try lenient.check(stored: 2)
        #expect { try lenient.check(stored: 0) } throws: { ($0 as? EngineError)?.code == .unavailable }

        // Back up: its circuit closes on the next success.
        monitor.recordSuccess("aws-paris")
        #expect(try policy(rules).replicaPlan(classification: "thrice", health: monitor).missing.isEmpty)
    }

    /// Writes keep the decision per classification (`currentDecision`); one made a second before a
    /// fact turns stale must not place the next write, and a policy whose rules change decides anew.
    @Test func aKeptDecisionPlacesNoWriteOnceAFactItConsultedIsStale() throws {
        let fresh = ClassificationRules(allowedCountries: CountrySet(["FR"]), staleFacts: .reject)
        let rules = PlacementRules(maxFactAgeDays: 3650, classifications: ["fresh": fresh])
        let policy = PlacementPolicy(rules: rules, registry: registry, locations: [locations[1]], defaultClassification: "fresh")
        // The first second at which deciding anew refuses: some fact a rule depends on is then 3,651 days old.
        let consulted = policy.decide(classification: "fresh", now: registry.asOf).evaluations.flatMap(\.facts)
        let firstStale = try #require(Set(consulted.map(\.asOf)).map { $0.addingTimeInterval(3651 * 86_400) }.sorted()
            .first { !policy.decide(classification: "fresh", now: $0).isPlaced })
        let lastFresh = firstStale.addingTimeInterval(-1)
        #expect(policy.decide(classification: "fresh", now: lastFresh).isPlaced)
        let monitor = LocationMonitor()

        #expect(try policy.replicaPlan(classification: "fresh", health: monitor, now: lastFresh).write == ["hds-fr"])
        #expect(try policy.targets(classification: "fresh", now: lastFresh) == ["hds-fr"])
        #expect {
            try policy.replicaPlan(classification: "fresh", health: monitor, now: firstStale)
        } throws: { ($0 as? EngineError)?.code == .placementViolation }
        #expect(throws: EngineError.self) { try policy.targets(classification: "fresh", now: firstStale) }
        #expect(try policy.replicaPlan(classification: "fresh", health: monitor, now: lastFresh).write == ["hds-fr"])

        var swiss = policy
        swiss.rules.classifications["fresh"] = ClassificationRules(allowedCountries: CountrySet(["CH"]))
        #expect(throws: EngineError.self) { try swiss.targets(classification: "fresh", now: lastFresh) }
        #expect(try policy.targets(classification: "fresh", now: lastFresh) == ["hds-fr"])
        var elsewhere = policy
        elsewhere.locations = [locations[2]]
        #expect(try elsewhere.targets(classification: "fresh", now: lastFresh) == ["onprem"])
    }

    @Test func theCircuitOpensAfterFailuresInARowAndProbesAfterTheCooldown() {
        let monitor = LocationMonitor(failureThreshold: 2, cooldown: 10)
        let start = Date(timeIntervalSince1970: 1_000)
        monitor.recordFailure("a", error: EngineError(.unavailable, "x"), now: start)
        #expect(monitor.state(of: "a", now: start) == .up)
        monitor.recordFailure("a", error: EngineError(.unavailable, "x"), now: start)
        #expect(monitor.state(of: "a", now: start.addingTimeInterval(5)) == .down)
        #expect(monitor.usableFirst(["a", "b"], now: start.addingTimeInterval(5)) { $0 } == ["b", "a"])
        #expect(monitor.state(of: "a", now: start.addingTimeInterval(11)) == .probing)
        monitor.recordFailure("a", error: EngineError(.unavailable, "x"), now: start.addingTimeInterval(11))
        #expect(monitor.state(of: "a", now: start.addingTimeInterval(12)) == .down)
        monitor.recordSuccess("a")
        #expect(monitor.state(of: "a", now: start.addingTimeInterval(12)) == .up)
        #expect(monitor.statuses(of: ["a"]).first?.consecutiveFailures == 0)
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
