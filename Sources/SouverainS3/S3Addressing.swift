/// How buckets are found in requests: virtual-hosted style ("bucket.s3.example.org") for hosts
/// under one of the base domains, path style ("/bucket/key") for everything else (the base
/// domain itself, IP addresses, unknown hosts).
public struct S3Addressing: Sendable {
    /// Base domains, lowercased, longest first.
    public let virtualHostBaseDomains: [String]
    private let baseDomainBytes: [[UInt8]]

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
        baseDomainBytes = self.virtualHostBaseDomains.map { Array($0.utf8) }
    }

    /// Path style only.
    public static let pathStyle = S3Addressing(virtualHostBaseDomains: [])

    /// The bucket named by a Host header, or nil for a path-style request.
    /// "bucket.s3.example.org:9000" gives "bucket" when "s3.example.org" is a base domain;
    /// the bucket is lowercased, as DNS names are case-insensitive.
    public func bucket(fromHost host: String?) -> String? {
        guard let host, !baseDomainBytes.isEmpty, host.utf8.first != UInt8(ascii: "[") else { return nil }
        var bytes = Array(host.utf8)
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")), bytes[(colon + 1)...].allSatisfy(Self.isDigit) {
            bytes.removeSubrange(colon...)
        }
        while bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        for index in bytes.indices where bytes[index] >= UInt8(ascii: "A") && bytes[index] <= UInt8(ascii: "Z") {
            bytes[index] |= 0x20
        }
        if Self.isIPv4(bytes) { return nil }
        for base in baseDomainBytes where bytes.count > base.count + 1 {
            let dot = bytes.count - base.count - 1
            guard bytes[dot] == UInt8(ascii: "."), bytes[(dot + 1)...].elementsEqual(base) else { continue }
            return String(decoding: bytes[..<dot], as: UTF8.self)
        }
        return nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isIPv4(_ bytes: [UInt8]) -> Bool {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(isDigit) }
    }
}
