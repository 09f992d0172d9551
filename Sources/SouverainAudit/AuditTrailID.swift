/// The identity of one trail: 16 random bytes chosen when the trail is created, written in every
/// segment header and bound into the genesis value and every checkpoint signature.
public struct AuditTrailID: Hashable, Sendable, CustomStringConvertible {
    /// Always 16 bytes.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> AuditTrailID {
        AuditTrailID(unchecked: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    public static func random() -> AuditTrailID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Lower-case hex, 32 characters.
    public var description: String { Hex.encode(bytes) }
}
