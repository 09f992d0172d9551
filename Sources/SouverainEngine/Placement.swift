public import Foundation
public import SouverainCatalogue
public import SouverainPlacement
public import SouverainStorage
import SouverainModel

/// The locations the engine reads from and writes to, by id.
public struct StorageLocations: Sendable {
    public let byID: [String: any Location]

    public init(_ locations: [any Location]) {
        byID = Dictionary(locations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The same locations, each step bounded by `limit` (see `TimeLimitedLocation`).
    func bounded(by limit: Duration) -> StorageLocations {
        StorageLocations(byID.values.map { location -> any Location in
            location as? TimeLimitedLocation ?? TimeLimitedLocation(wrapped: location, limit: limit)
        })
    }

    /// The location with this id. An object whose location is no longer configured cannot be
    /// served: the configuration lost it, which the operator must fix.
    public func location(_ id: String) throws -> any Location {
        guard let location = byID[id] else {
            throw EngineError(.unavailable, "The storage location '\(id)' holding this data is not configured on this server.")
        }
        return location
    }
}

/// The locations one new object is written to.
public struct ReplicaPlan: Sendable, Equatable {
    public var classification: String
    /// Chosen and answering: written now, in preference order.
    public var write: [String]
    /// Chosen but down now: left to the repair if the rules accept under-replicated writes.
    public var missing: [String]
    /// How many copies the rules require.
    public var required: Int
    public var acceptUnderReplicated: Bool

    /// Refuses a write that would end with `stored` copies when the rules do not accept fewer
    /// than required; `stored` is never allowed to be zero.
    func check(stored: Int) throws {
        guard stored > 0 else {
            throw EngineError(.unavailable, "No storage location allowed for classification '\(classification)' took the data; retry later.")
        }
        if stored < required, !acceptUnderReplicated {
            throw EngineError(.placementViolation, "Placement refused for classification '\(classification)': its rules require \(required) copies at distinct locations and only \(stored) can be written now (\((write + missing).joined(separator: ", "))); the rules do not accept fewer (acceptUnderReplicatedWrites).")
        }
    }
}

/// Where a bucket's new bytes may go: the placement engine applied to the bucket's
/// classification and the configured locations. Never falls back to a location the rules
/// reject: a write that cannot be placed is refused with the reasons.
public struct PlacementPolicy: Sendable {
    public var rules: PlacementRules { didSet { kept = Self.memo() } }
    public var registry: ProviderRegistry { didSet { kept = Self.memo() } }
    public var locations: [LocationDescriptor] { didSet { kept = Self.memo() } }
    /// The classification of buckets created without one.
    public var defaultClassification: String
    /// The last decision new objects were placed by, per classification, shared by the copies of
    /// this policy until one of them changes its rules, registry or locations.
    private var kept = Self.memo()

    /// A bucket may be labelled with a classification the rules do not define (its writes are
    /// refused), so at most 64 decisions are kept.
    private static func memo() -> BoundedMemo<String, PlacementDecision> { BoundedMemo(capacity: 64) }

    public init(rules: PlacementRules, registry: ProviderRegistry, locations: [LocationDescriptor], defaultClassification: String) {
        self.rules = rules
        self.registry = registry
        self.locations = locations
        self.defaultClassification = defaultClassification
    }

    public func classification(of bucket: BucketRecord) -> String { bucket.classification ?? defaultClassification }

    public func decide(classification: String, now: Date = Date()) -> PlacementDecision {
        PlacementEngine.decide(rules: rules, classification: classification, locations: locations, registry: registry, now: now)
    }

    /// The ids of the locations a new object of `classification` may be written to, best first.
    /// Throws `placementViolation` when the rules allow none (or too few), `unavailable` when the
    /// lawful locations exist but are down.
    public func targets(classification: String, now: Date = Date()) throws -> [String] {
        let decision = currentDecision(classification: classification, now: now)
        if let refusal = decision.refusal {
            if refusal.isAvailabilityProblem {
                throw EngineError(.unavailable, "The storage locations allowed for classification '\(classification)' are unavailable; retry later.")
            }
            throw EngineError(.placementViolation, refusal.message)
        }
        return decision.eligible.map(\.id)
    }

    /// Where the copies of a new object of `classification` go: `minimumReplicas` eligible
    /// locations spanning at least `minimumDistinctOperators` operators, those that answer now
    /// (per `health`) preferred. Chosen locations that are down now are `missing`: the write
    /// either refuses or leaves them to the repair, as the rules say.
    public func replicaPlan(classification: String, health: LocationMonitor, now: Date = Date()) throws -> ReplicaPlan {
        let decision = currentDecision(classification: classification, now: now)
        if let refusal = decision.refusal {
            if refusal.isAvailabilityProblem {
                throw EngineError(.unavailable, "The storage locations allowed for classification '\(classification)' are unavailable; retry later.")
            }
            throw EngineError(.placementViolation, refusal.message)
        }
        let classRules = rules.rules(for: classification) ?? ClassificationRules()
        let eligible = decision.evaluations.filter(\.eligible)
        let ordered = health.usableFirst(eligible, now: now) { $0.location.id }
        var chosen: [LocationEvaluation] = []
        var operators: Set<String> = []
        for evaluation in ordered where chosen.count < classRules.minimumReplicas && operators.count < classRules.minimumDistinctOperators {
            if operators.insert(evaluation.operatorID ?? "?unknown").inserted { chosen.append(evaluation) }
        }
        for evaluation in ordered where chosen.count < classRules.minimumReplicas && !chosen.contains(where: { $0.location.id == evaluation.location.id }) {
            chosen.append(evaluation)
        }
        let ids = chosen.map(\.location.id)
        return ReplicaPlan(
            classification: classification, write: ids.filter { health.isUsable($0, now: now) },
            missing: ids.filter { !health.isUsable($0, now: now) }, required: classRules.minimumReplicas,
            acceptUnderReplicated: classRules.acceptUnderReplicatedWrites)
    }

    /// The decision for `classification` at `now`: the one kept from an earlier write when it
    /// still holds (`PlacementDecision.holds(at:)`: every fact it consulted is as many days old
    /// now), else a new one, kept. Deciding was 3% of a small PUT's server CPU, and a decision
    /// changes only when a fact's age in days does. For writes only: a kept decision carries the
    /// date of its declared facts, which reports and explanations show.
    func currentDecision(classification: String, now: Date) -> PlacementDecision {
        if let decision = kept.value(for: classification), decision.holds(at: now) { return decision }
        let decision = decide(classification: classification, now: now)
        kept.keep(decision, for: classification)
        return decision
    }

    /// Whether bytes of `classification` may stay at `location` (for `placement audit`): the
    /// location is lawful for the classification, down or not.
    public func allows(location: String, classification: String, now: Date = Date()) -> Bool {
        decide(classification: classification, now: now).evaluations.contains { $0.location.id == location && $0.lawful }
    }

    /// One on-premise location and one classification without conditions: for tests of the
    /// data path that are not about placement.
    public static func unconditional(locationID: String) throws -> PlacementPolicy {
        PlacementPolicy(
            rules: PlacementRules(classifications: [.public: ClassificationRules()]), registry: try ProviderRegistry.shipped(),
            locations: [LocationDescriptor(id: locationID, kind: .local, profile: SovereigntyProfile(providerID: ProviderRegistry.onPremiseID, country: "FR"))],
            defaultClassification: "public")
    }
}

