import Foundation

/// How a request for the console arrived, which decides whether the console may take a secret:
/// over HTTPS, or from the machine itself (loopback), and never otherwise, since an access key's
/// secret typed into a page served over plain HTTP crosses the network readable and alterable.
public struct ConsoleTransport: Sendable, Equatable {
    /// Whether the request came over TLS (the endpoint's own, or a trusted proxy's that says so).
    public var secure: Bool
    /// The client's address (the TCP peer, or the client a trusted proxy names).
    public var clientAddress: String?

    public init(secure: Bool, clientAddress: String?) {
        self.secure = secure
        self.clientAddress = clientAddress
    }

    /// Sign-in is served over HTTPS, or over plain HTTP to a loopback client only.
    public var permitsSignIn: Bool {
        secure || clientAddress.map(Self.isLoopback) == true
    }

    /// 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6 (`::ffff:127.0.0.1`).
    public static func isLoopback(_ address: String) -> Bool {
        var text = address.lowercased()
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        if let octets = ipv4(text) { return octets[0] == 127 }
        guard let groups = ipv6(text) else { return false }
        if groups == [0, 0, 0, 0, 0, 0, 0, 1] { return true }
        // ::ffff:a.b.c.d (mapped), written either way.
        return groups[0..<5].allSatisfy { $0 == 0 } && groups[5] == 0xffff && groups[6] >> 8 == 127
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// The eight 16-bit groups of an IPv6 address (`::` expanded, a trailing IPv4 part converted).
    static func ipv6(_ text: String) -> [UInt16]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = ipv4(String(piece)) {
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                } else {
                    guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                    result.append(value)
                }
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}
