/// How buckets are found in requests: virtual-hosted style ("bucket.s3.example.org") for hosts
/// under one of the base domains, path style ("/bucket/key") for everything else (the base
/// domain itself, IP addresses, unknown hosts).
public struct S3Addressing: Sendable {
    /// Base domains, lowercased, longest first.
    public let virtualHostBaseDomains: [String]

    public init(virtualHostBaseDomains: [String]) {
        self.virtualHostBaseDomains = virtualHostBaseDomains
            .map { domain in
                var domain = Substring(domain.lowercased())
                while domain.hasPrefix(".") { domain = domain.dropFirst() }
                while domain.hasSuffix(".") { domain = domain.dropLast() }
                return String(domain)
            }
            .filter { !$0.isEmpty }
            .sorted { $0.utf8.count > $1.utf8.count }
    }

    /// Path style only.
    public static let pathStyle = S3Addressing(virtualHostBaseDomains: [])

    /// The bucket named by a Host header, or nil for a path-style request.
    /// "bucket.s3.example.org:9000" gives "bucket" when "s3.example.org" is a base domain.
    public func bucket(fromHost host: String?) -> String? {
        guard let host, !virtualHostBaseDomains.isEmpty, !host.hasPrefix("[") else { return nil }
        var name = Substring(host)
        if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].allSatisfy(\.isASCIIDigit) {
            name = name[..<colon]
        }
        while name.hasSuffix(".") { name = name.dropLast() }
        let lower = name.lowercased()
        if Self.isIPv4(lower) { return nil }
        for base in virtualHostBaseDomains where lower.utf8.count > base.utf8.count + 1 && lower.hasSuffix(base) {
            let prefix = lower.utf8.dropLast(base.utf8.count)
            guard prefix.last == UInt8(ascii: ".") else { continue }
            return String(decoding: prefix.dropLast(), as: UTF8.self)
        }
        return nil
    }

    private static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
