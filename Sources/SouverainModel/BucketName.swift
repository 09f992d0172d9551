/// A bucket name that satisfies the S3 general-purpose naming rules.
///
/// 3 to 63 characters of lowercase letters, digits, dots and hyphens; starts and ends with a
/// letter or digit; no two adjacent dots, and no dot next to a hyphen (`.-`, `-.`: each label of
/// the DNS name the bucket becomes must start and end with a letter or digit); not shaped like
/// an IPv4 address; none of the prefixes and suffixes AWS reserves (the general purpose bucket
/// naming rules of the S3 user guide, with the suffixes of directory and table buckets).
public struct BucketName: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard BucketName.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// Prefixes AWS reserves (`sthree-configurator` falls under `sthree-`).
    public static let reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"]
    /// Suffixes AWS reserves: access point and Object Lambda aliases, Multi-Region Access Points,
    /// directory buckets, table buckets.
    public static let reservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard isLowerAlnum(bytes.first!), isLowerAlnum(bytes.last!) else { return false }
        var previous: UInt8 = 0
        for b in bytes {
            guard isLowerAlnum(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") else { return false }
            if b == UInt8(ascii: "."), previous == UInt8(ascii: ".") || previous == UInt8(ascii: "-") { return false }
            if b == UInt8(ascii: "-"), previous == UInt8(ascii: ".") { return false }
            previous = b
        }
        if looksLikeIPv4(name) { return false }
        for prefix in reservedPrefixes where name.hasPrefix(prefix) { return false }
        for suffix in reservedSuffixes where name.hasSuffix(suffix) { return false }
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
