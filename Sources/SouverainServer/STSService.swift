public import SouverainSTS
import SouverainPolicy

/// What the server needs to issue and check temporary credentials (docs/sts.md): the sessions'
/// verifier (over the key store that seals their tokens), the OpenID Connect issuers, and the
/// shortest session an admin allows.
public struct STSService: Sendable {
    public let sessions: SessionVerifier
    public let oidc: OIDCVerifier?
    public let minimumSessionSeconds: Int

    public init(sessions: SessionVerifier, oidc: OIDCVerifier?, minimumSessionSeconds: Int = 900) {
        self.sessions = sessions
        self.oidc = oidc
        self.minimumSessionSeconds = minimumSessionSeconds
    }
}

/// The session a request was made with, and (for a role's session) the role's permission policy.
struct SessionContext: Sendable {
    let session: Session
    let permissions: PermissionPolicy?
}
