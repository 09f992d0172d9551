import Foundation

/// An OpenID Connect issuer that AssumeRoleWithWebIdentity accepts tokens from (docs/sts.md): its
/// URL, exactly as its tokens' `iss` claim names it, and the audiences (client ids) a token must
/// name one of in `aud`.
public struct OIDCIssuer: Sendable, Equatable {
    public var url: String
    public var audiences: [String]

    public init(url: String, audiences: [String]) {
        self.url = url
        self.audiences = audiences
    }

    /// Reads the `oidc-issuers` setting: issuers separated by `;` or new lines, each
    /// `URL=AUDIENCE[,AUDIENCE…]` (`https://sso.example/realms/staff=souverain,console`). Throws a
    /// message for a URL that is not `https://` (or `http://` on a loopback host, for tests), or
    /// an issuer without audiences.
    public static func parseList(_ text: String) throws(STSError) -> [OIDCIssuer] {
        var issuers: [OIDCIssuer] = []
        for entry in text.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.lastIndex(of: "=") else {
                throw .validation("oidc-issuers: \(trimmed) must be URL=AUDIENCE[,AUDIENCE…]")
            }
            let url = String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces)
            let audiences = trimmed[trimmed.index(after: equals)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !audiences.isEmpty else { throw .validation("oidc-issuers: \(url) names no audience (client id)") }
            try checkFetchable(url)
            issuers.append(OIDCIssuer(url: url, audiences: audiences))
        }
        return issuers
    }

    /// Issuers are fetched over HTTPS; plain HTTP only from a loopback host (a test's issuer).
    static func checkFetchable(_ url: String) throws(STSError) {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw .validation("\(url) is not a URL")
        }
        switch components.scheme?.lowercased() {
        case "https": return
        case "http" where isLoopback(host): return
        default: throw .validation("\(url): OpenID Connect issuers are fetched over https:// (http:// only on a loopback host)")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
