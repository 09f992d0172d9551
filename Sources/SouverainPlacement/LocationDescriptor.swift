/// A storage location as the placement engine sees it: its profile, health and preference.
public struct LocationDescriptor: Sendable, Hashable, Codable {
    public var id: String
    public var kind: LocationKind
    public var profile: SovereigntyProfile
    public var health: LocationHealth
    /// Lower comes first (1 is the first choice); ties go healthy before degraded, then by id.
    public var preference: Int

    public init(id: String, kind: LocationKind, profile: SovereigntyProfile, health: LocationHealth = .healthy, preference: Int = 0) {
        self.id = id
        self.kind = kind
        self.profile = profile
        self.health = health
        self.preference = preference
    }
}

public enum LocationKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A directory on the gateway's machine.
    case local
    /// An S3 endpoint, bucket and prefix.
    case s3

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
}

public enum LocationHealth: String, Sendable, Hashable, Codable, CaseIterable {
    case healthy
    /// Reachable but failing or slow: used after healthy locations, if the rules accept it.
    case degraded
    /// Never written to.
    case down

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }

    var rank: Int {
        switch self {
        case .healthy: 0
        case .degraded: 1
        case .down: 2
        }
    }
}
