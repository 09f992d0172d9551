import Foundation
import Testing
@testable import SouverainPlacement

/// Preference, health, replicas and distinct operators.
@Suite struct PlacementEngineOrderingTests {
    typealias F = Fixture

    static let alpha = F.provider("fx-alpha", regions: [F.region("par", "FR"), F.region("lil", "FR"), F.region("mrs", "FR")])
    static let beta = F.provider("fx-beta", parentID: "shared-group", parentName: "Shared Group SA", regions: [F.region("par", "FR")])
    static let gamma = F.provider("fx-gamma", parentID: "shared-group", parentName: "Shared Group SA", regions: [F.region("par", "FR")])
    static let orphanA = F.provider("fx-orphan-a", parentID: nil, parentName: nil, regions: [F.region("par", "FR")])
    static let orphanB = F.provider("fx-orphan-b", parentID: nil, parentName: nil, regions: [F.region("par", "FR")])
    let registry = F.registry([alpha, beta, gamma, orphanA, orphanB])

    private func decide(_ locations: [LocationDescriptor], _ rules: ClassificationRules = ClassificationRules()) -> PlacementDecision {
        F.decide("test", locations, registry: registry, rules: F.rules(rules))
    }

    @Test func eligibleLocationsComeByPreferenceThenHealthThenID() {
        let decision = decide([
            F.location("z-late", "fx-alpha", "par", "FR", preference: 30),
            F.location("b-degraded", "fx-alpha", "lil", "FR", health: .degraded, preference: 10),
            F.location("c-healthy", "fx-alpha", "mrs", "FR", preference: 10),
            F.location("a-healthy", "fx-beta", "par", "FR", preference: 10),
            F.location("first", "fx-gamma", "par", "FR", health: .degraded, preference: 1),
        ])
        #expect(decision.eligible.map(\.id) == ["first", "a-healthy", "c-healthy", "b-degraded", "z-late"])
        #expect(decision.evaluations.map(\.location.id) == decision.eligible.map(\.id))
    }

    @Test func downLocationsAreExcludedButStayLawful() throws {
        let decision = decide([
            F.location("down", "fx-alpha", "par", "FR", health: .down, preference: 1),
            F.location("up", "fx-alpha", "lil", "FR", preference: 2),
        ])
        #expect(decision.eligible.map(\.id) == ["up"])
        let down = try #require(decision.evaluations.first { $0.location.id == "down" })
        #expect(down.codes == ["location-down"])
        #expect(down.lawful)
        #expect(!down.eligible)
    }

    @Test func orderIsDeterministicWhateverTheInputOrder() {
        let locations = [
            F.location("b", "fx-alpha", "par", "FR", preference: 5), F.location("a", "fx-alpha", "lil", "FR", preference: 5),
            F.location("c", "fx-alpha", "mrs", "FR", health: .degraded, preference: 5), F.location("d", "fx-beta", "par", "FR", preference: 4),
        ]
        let expected = decide(locations)
        #expect(expected.eligible.map(\.id) == ["d", "a", "b", "c"])
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            #expect(decide(locations.shuffled(using: &generator)) == expected)
        }
    }

    @Test func tooFewEligibleLocationsIsARefusalNamingEveryReason() throws {
        let rules = ClassificationRules(allowedCountries: CountrySet(["FR"]), minimumReplicas: 2)
        let decision = F.decide("test", [
            F.location("paris", "fx-alpha", "par", "FR"),
            F.location("london", "ovhcloud", "uk", "GB"),
        ], registry: F.registry([Self.alpha, F.shipped.provider(id: "ovhcloud")!]), rules: F.rules(rules))
        let refusal = try #require(decision.refusal)
        #expect(refusal.cause == .notEnoughLocations(required: 2, eligible: 1))
        #expect(!refusal.isAvailabilityProblem)
        #expect(refusal.message.hasPrefix("Placement refused for classification 'test': it needs 2 eligible locations and 1 qualifies."))
        #expect(refusal.message.contains("Location 'paris': eligible."))
        #expect(refusal.message.contains("Location 'london': the datacentre country GB is not allowed for this classification (allowed: FR)"))
        #expect(decision.eligible.isEmpty)
    }

    @Test func enoughReplicasArePlaced() {
        let decision = decide([
            F.location("a", "fx-alpha", "par", "FR"), F.location("b", "fx-alpha", "lil", "FR"), F.location("c", "fx-alpha", "mrs", "FR"),
        ], ClassificationRules(minimumReplicas: 3))
        #expect(decision.isPlaced)
        #expect(decision.eligible.count == 3)
    }

    @Test func twoRegionsOfOneProviderCountAsOneOperator() throws {
        let decision = decide([
            F.location("alpha-par", "fx-alpha", "par", "FR"), F.location("alpha-lil", "fx-alpha", "lil", "FR"),
        ], ClassificationRules(minimumReplicas: 2, minimumDistinctOperators: 2))
        let refusal = try #require(decision.refusal)
        #expect(refusal.cause == .notEnoughDistinctOperators(required: 2, distinct: 1))
        #expect(refusal.message.contains("it needs 2 distinct operators (by ultimate parent) and the eligible locations have 1: fx-alpha group (alpha-lil, alpha-par)"))
    }

    @Test func twoProvidersWithTheSameUltimateParentCountAsOne() throws {
        let rules = ClassificationRules(minimumReplicas: 2, minimumDistinctOperators: 2)
        let sameParent = decide([F.location("beta", "fx-beta", "par", "FR"), F.location("gamma", "fx-gamma", "par", "FR")], rules)
        #expect(try #require(sameParent.refusal).message.contains("Shared Group SA (beta, gamma)"))
        let independent = decide([F.location("beta", "fx-beta", "par", "FR"), F.location("alpha", "fx-alpha", "par", "FR")], rules)
        #expect(independent.isPlaced)
    }

    @Test func operatorsWithUnknownParentsCountTogether() throws {
        let rules = ClassificationRules(minimumReplicas: 2, minimumDistinctOperators: 2)
        let orphans = decide([F.location("a", "fx-orphan-a", "par", "FR"), F.location("b", "fx-orphan-b", "par", "FR")], rules)
        #expect(try #require(orphans.refusal).cause == .notEnoughDistinctOperators(required: 2, distinct: 1))
        #expect(orphans.evaluations.allSatisfy { $0.has(warning: .unknownParent) })
        #expect(decide([F.location("a", "fx-orphan-a", "par", "FR"), F.location("c", "fx-alpha", "par", "FR")], rules).isPlaced)
    }

    @Test func realProvidersWithTheSameUSParentAreOneOperator() throws {
        let rules = F.rules(ClassificationRules(minimumReplicas: 2, minimumDistinctOperators: 2))
        let aws = F.decide("test", [
            F.location("aws-par", "aws", "eu-west-3", "FR"), F.location("aws-esc", "aws", "eusc-de-east-1", "DE"),
        ], rules: rules)
        #expect(try #require(aws.refusal).message.contains("Amazon.com, Inc. (aws-esc, aws-par)"))
        let mixed = F.decide("test", [F.location("aws-par", "aws", "eu-west-3", "FR"), F.location("ovh", "ovhcloud", "gra", "FR")], rules: rules)
        #expect(mixed.isPlaced)
    }

    @Test func distinctOperatorsCountOnlyEligibleLocations() throws {
        let rules = ClassificationRules(minimumReplicas: 2, minimumDistinctOperators: 2)
        let decision = decide([
            F.location("a1", "fx-alpha", "par", "FR"), F.location("a2", "fx-alpha", "lil", "FR"),
            F.location("b", "fx-beta", "par", "FR", health: .down),
        ], rules)
        let refusal = try #require(decision.refusal)
        #expect(refusal.cause == .notEnoughDistinctOperators(required: 2, distinct: 1))
        #expect(refusal.isAvailabilityProblem, "lawful locations would do if the down one came back")
    }

    @Test func anOutageIsFlaggedAsAnAvailabilityProblem() throws {
        let decision = decide([F.location("down", "fx-alpha", "par", "FR", health: .down)])
        #expect(try #require(decision.refusal).isAvailabilityProblem)
        let unlawful = F.decide("health", [F.location("l", "ovhcloud", "sgp", "SG", health: .down)])
        #expect(try #require(unlawful.refusal).isAvailabilityProblem == false)
    }

    @Test func noLocationsAtAll() throws {
        let refusal = try #require(decide([]).refusal)
        #expect(refusal.cause == .notEnoughLocations(required: 1, eligible: 0))
        #expect(refusal.message.contains("No storage location is configured."))
    }

    @Test func factMaxAgeIsConfigurableAndExclusiveOfTheLimit() throws {
        let registry = F.registry([Self.alpha])
        let strict = ClassificationRules(allowedCountries: CountrySet(["FR"]), staleFacts: .reject)
        let location = F.location("l", "fx-alpha", "par", "FR")
        // Facts are dated 2026-11-22; at 2026-12-01 they are 9 days old.
        #expect(F.evaluate("test", location, registry: registry, rules: F.rules(strict, maxFactAgeDays: 9)).eligible)
        let stale = F.evaluate("test", location, registry: registry, rules: F.rules(strict, maxFactAgeDays: 8))
        #expect(stale.codes == ["stale-fact"])
        var overridden = strict
        overridden.maxFactAgeDays = 8
        #expect(F.evaluate("test", location, registry: registry, rules: F.rules(overridden, maxFactAgeDays: 365)).codes == ["stale-fact"])
        // The shipped registry goes stale a year after its compilation.
        let later = F.evaluate("sensitive", F.location("s3ns", "s3ns", "u-france-east1", "FR"), now: F.day("2027-12-01"))
        #expect(later.has(.staleFact))
        #expect(try #require(later.fact("qualifications.secNumCloud")).isStale)
        #expect(F.evaluate("personal", F.location("s3ns", "s3ns", "u-france-east1", "FR"), now: F.day("2027-12-01")).eligible)
    }
}
