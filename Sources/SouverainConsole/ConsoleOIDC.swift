import Foundation

/// The console's OpenID Connect sign-in (docs/console.md): which issuer the page sends people to,
/// the client id it registered there (a public client: authorization code with PKCE), and the role
/// whose sessions it asks for with AssumeRoleWithWebIdentity. Settings `console-oidc-issuer`,
/// `console-oidc-client-id`, `console-oidc-role-arn`.
public struct ConsoleOIDC: Sendable, Equatable {
    public var issuer: String
    public var clientID: String
    public var roleARN: String

    public init(issuer: String, clientID: String, roleARN: String) {
        self.issuer = issuer
        self.clientID = clientID
        self.roleARN = roleARN
    }

    /// The issuer's origin (`scheme://host[:port]`), which the page's Content-Security-Policy must
    /// let it reach for the discovery document and the token endpoint; nil for an unusable URL.
    public var origin: String? {
        guard let url = URL(string: issuer), let scheme = url.scheme?.lowercased(), ["https", "http"].contains(scheme),
              let host = url.host, !host.isEmpty
        else { return nil }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (url.port.map { ":\($0)" } ?? "")
    }
}
