import Foundation

extension AccessSettings {
    /// The value of `aws:SecureTransport` for a request: true when the endpoint serves HTTPS, or
    /// when the TCP peer is a trusted proxy (`trusted-proxies`) that terminated TLS and says so
    /// with `X-Forwarded-Proto: https`. The header from anyone else is ignored: it is spoofable.
    /// Of a list, the last value counts: the one the proxy talking to us wrote (a client can put
    /// anything before it).
    public func secureTransport(peer: String?, forwardedProto: String?) -> Bool {
        if servesTLS { return true }
        guard let peer, let forwardedProto, isTrusted(peer) else { return false }
        let last = forwardedProto.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return last.lowercased() == "https"
    }
}
