/// A bucket name that satisfies the S3 general-purpose naming rules.
///
/// 3 to 63 characters of lowercase letters, digits, dots and hyphens; starts and ends with a
/// letter or digit; no two adjacent dots; not shaped like an IPv4 address; none of the
/// prefixes and suffixes AWS reserves.
public struct BucketName: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard BucketName.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard isLowerAlnum(bytes.first!), isLowerAlnum(bytes.last!) else { return false }
        var previous: UInt8 = 0
        for b in bytes {
            guard isLowerAlnum(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") else { return false }
            if b == UInt8(ascii: "."), previous == UInt8(ascii: ".") { return false }
            previous = b
        }
        if looksLikeIPv4(name) { return false }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) { return false }
        for suffix in ["-s3alias", "--ol-s3", "--x-s3", ".mrap"] where name.hasSuffix(suffix) { return false }
        return true
    }

    private static func looksLikeIPv4(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
