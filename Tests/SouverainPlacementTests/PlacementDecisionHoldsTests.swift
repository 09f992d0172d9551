import Foundation
@testable import SouverainPlacement
import Testing

/// `PlacementDecision.holds(at:)`: the writes keep a decision while it holds, so it must stop
/// holding the second a fact's age in days changes, since a fact can turn stale then.
@Suite struct PlacementDecisionHoldsTests {
    typealias F = Fixture

    let registry = F.registry([F.provider("fx-fr", regions: [F.region("par", "FR")], asOf: F.day("2026-11-22"))])
    let strict = F.rules(ClassificationRules(allowedCountries: CountrySet(["FR"]), staleFacts: .reject), maxFactAgeDays: 9)
    let cloud = [F.location("l", "fx-fr", "par", "FR")]

    @Test func aDecisionHoldsUntilAFactItConsultedTurnsADayOlder() {
        let noon = F.day("2026-12-01").addingTimeInterval(12 * 3600)
        let lastFresh = F.day("2026-12-01").addingTimeInterval(86_400 - 1)
        let firstStale = F.day("2026-12-02")
        let decision = F.decide("test", cloud, registry: registry, rules: strict, now: noon)
        #expect(decision.eligible.map(\.id) == ["l"])
        #expect(decision.holds(at: noon) && decision.holds(at: lastFresh) && decision.holds(at: F.day("2026-12-01")))
        // At midnight the facts are 10 days old, beyond the 9 the rules allow: deciding again refuses.
        #expect(!decision.holds(at: firstStale))
        #expect(F.decide("test", cloud, registry: registry, rules: strict, now: firstStale).eligible.isEmpty)
        #expect(!decision.holds(at: F.day("2026-11-30").addingTimeInterval(86_400 - 1)))
    }

    @Test func aDecisionOnDeclaredFactsHoldsADayFromWhenItWasMade() {
        let onPremise = [F.onPremise("o", country: "FR")]
        let made = F.day("2026-12-01").addingTimeInterval(12 * 3600)
        let decision = F.decide("test", onPremise, registry: registry, rules: strict, now: made)
        #expect(decision.eligible.map(\.id) == ["o"])
        #expect(decision.evaluations[0].facts.contains { $0.verification == .declared })
        #expect(decision.holds(at: made.addingTimeInterval(86_400 - 1)))
        #expect(!decision.holds(at: made.addingTimeInterval(86_400)))
        #expect(!decision.holds(at: made.addingTimeInterval(-1)))
    }

    @Test func aRefusalForAnUndefinedClassificationConsultsNoFactAndAlwaysHolds() {
        let decision = F.decide("undefined", cloud, registry: registry, rules: strict)
        #expect(decision.refusal?.cause == .unknownClassification)
        #expect(decision.holds(at: .distantPast) && decision.holds(at: .distantFuture))
    }
}
