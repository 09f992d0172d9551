/// A data classification carried by a bucket: a built-in name or one the operator defines.
public struct Classification: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String

    /// Nil unless the name is 1–63 lowercase letters, digits and hyphens, starting with a letter.
    public init?(_ name: String) {
        guard Self.isValidName(name) else { return nil }
        self.name = name
    }

    /// For literals in code; a literal that is not a valid name is a programming error.
    public init(stringLiteral value: String) {
        precondition(Self.isValidName(value), "invalid classification name '\(value)'")
        name = value
    }

    public static let `public`: Classification = "public"
    public static let `internal`: Classification = "internal"
    public static let personal: Classification = "personal"
    public static let health: Classification = "health"
    public static let sensitive: Classification = "sensitive"
    public static let publicArchives: Classification = "public-archives"

    public static let builtIns: [Classification] = [.public, .internal, .personal, .health, .sensitive, .publicArchives]

    public var isBuiltIn: Bool { Self.builtIns.contains(self) }

    public var description: String { name }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.name < rhs.name }

    static func isValidName(_ name: String) -> Bool {
        guard (1...63).contains(name.utf8.count), let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "-")
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Classification(raw) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(raw)' is not a valid classification name (lowercase letters, digits, hyphens)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
