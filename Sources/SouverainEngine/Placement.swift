public import Foundation
public import SouverainCatalogue
public import SouverainPlacement
public import SouverainStorage

/// The locations the engine reads from and writes to, by id.
public struct StorageLocations: Sendable {
    public let byID: [String: any Location]

    public init(_ locations: [any Location]) {
        byID = Dictionary(locations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
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

/// Where a bucket's new bytes may go: the placement engine applied to the bucket's
/// classification and the configured locations. Never falls back to a location the rules
/// reject: a write that cannot be placed is refused with the reasons.
public struct PlacementPolicy: Sendable {
    public var rules: PlacementRules
    public var registry: ProviderRegistry
    public var locations: [LocationDescriptor]
    /// The classification of buckets created without one.
    public var defaultClassification: String

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
        // One copy per object is what this server writes; rules asking for more are refused
        // rather than silently under-served.
        if let required = rules.rules(for: classification)?.minimumReplicas, required > 1 {
            throw EngineError(.placementViolation, "Placement refused for classification '\(classification)': its rules require \(required) replicas and this server writes a single copy of each object; lower minimumReplicas to 1 or use a version that replicates.")
        }
        let decision = decide(classification: classification, now: now)
        if let refusal = decision.refusal {
            if refusal.isAvailabilityProblem {
                throw EngineError(.unavailable, "The storage locations allowed for classification '\(classification)' are unavailable; retry later.")
            }
            throw EngineError(.placementViolation, refusal.message)
        }
        return decision.eligible.map(\.id)
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
