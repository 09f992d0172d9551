import Foundation
public import SouverainPolicy

/// The organisation's rules on public access and client addresses (docs/access.md), from the
/// settings file.
public struct AccessSettings: Sendable {
    /// The classifications whose buckets may be made public (readable or writable by anonymous
    /// callers, through a policy or an ACL): `public` by default. Every other classification
    /// forbids it, whatever a bucket's owner asks (the `public-classifications` setting).
    public var publicClassifications: Set<String>
    /// Proxies whose `X-Forwarded-For` is believed for `aws:SourceIp` (the `trusted-proxies`
    /// setting); none by default, so the TCP peer is the source: the header is spoofable.
    public var trustedProxies: [IPAddressBlock]
    /// Whether the endpoint itself serves HTTPS (`tls-cert`): then every request came over TLS
    /// (AccessSettings+SecureTransport.swift).
    public var servesTLS: Bool

    public init(publicClassifications: Set<String> = ["public"], trustedProxies: [IPAddressBlock] = [], servesTLS: Bool = false) {
        self.publicClassifications = publicClassifications
        self.trustedProxies = trustedProxies
        self.servesTLS = servesTLS
    }

    /// Why a bucket of `classification` cannot be made public, naming the rule; nil when it may.
    public func publicAccessRefusal(classification: String) -> String? {
        guard !publicClassifications.contains(classification) else { return nil }
        let allowed = publicClassifications.isEmpty ? "none" : publicClassifications.sorted().joined(separator: ",")
        return "the \(classification) classification forbids public access (organisation setting public-classifications = \(allowed))"
    }

    /// The client address policies see: the TCP peer, unless the peer is a trusted proxy, in which
    /// case the right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
    public func sourceAddress(peer: String?, forwardedFor: String?) -> String? {
        guard let peer, let forwardedFor, isTrusted(peer) else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !isTrusted(hop) {
            return IPAddressBlock(hop) != nil ? hop : peer
        }
        return hops.first ?? peer
    }

    func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
