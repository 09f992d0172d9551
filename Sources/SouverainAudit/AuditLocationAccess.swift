/// One storage location an event touched.
public struct AuditLocationAccess: Hashable, Sendable {
    public enum Direction: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        case read = 1
        case write = 2
        case delete = 3

        public var description: String {
            switch self {
            case .read: "read"
            case .write: "write"
            case .delete: "delete"
            }
        }
    }

    /// The location's id in the configuration (`local`, `ovh-gra`, ...).
    public var locationID: String
    /// The provider's id in the registry (`self` for on-premise).
    public var providerID: String
    /// ISO 3166-1 alpha-2 code of the datacentre's country, upper case (`FR`).
    public var country: String
    public var direction: Direction

    public init(locationID: String, providerID: String, country: String, direction: Direction) {
        self.locationID = locationID
        self.providerID = providerID
        self.country = country
        self.direction = direction
    }
}
