public import Foundation
public import SouverainPlacement

extension PlacementPolicy {
    /// The placement decision for `classification` laid out with its reasons and facts: what
    /// `souverain placement explain` prints and `GET /_souverain/placement/explain` answers, made
    /// here once so that both say the same.
    public func explain(classification: String, now: Date = Date()) -> PlacementExplanation {
        PlacementExplanation(
            decision: decide(classification: classification, now: now), classification: classification, rules: rules,
            registry: registry, now: now)
    }
}
