import AsyncHTTPClient
public import Foundation
import JWTKit
public import Logging
import NIOCore
import NIOHTTP1

/// Verifies OpenID Connect ID tokens for AssumeRoleWithWebIdentity (docs/sts.md), with jwt-kit:
/// the issuer must be configured, its keys come from its discovery document's `jwks_uri` and are
/// cached per issuer, the signature (RS256, ES256 and the other asymmetric algorithms jwt-kit
/// knows; never `none` or a shared secret, the JWKS holds public keys only), `iss`, `aud` (one of
/// the issuer's audiences), `exp` and `nbf` are checked. A token signed by a key the cache does not
/// know (or that its cached keys do not verify) makes one refresh of the JWKS, at most every
/// `refreshInterval` per issuer (keys rotate; a flood of made-up key ids or forged signatures does
/// not become a flood of fetches).
public actor OIDCVerifier {
    /// A verified token: the issuer, its subject, and every claim as strings, for trust conditions.
    public struct Identity: Sendable, Equatable {
        public var issuer: String
        public var subject: String
        public var audience: String
        public var claims: [String: [String]]
    }

    /// Fetches a URL's body (GET); the server's is AsyncHTTPClient's, tests may give their own.
    public typealias Fetch = @Sendable (String) async throws -> [UInt8]

    public nonisolated let issuers: [OIDCIssuer]
    private let fetch: Fetch
    private let refreshInterval: TimeInterval
    private let logger: Logger
    private var keys: [String: (collection: JWTKeyCollection, fetched: Date)] = [:]

    public init(issuers: [OIDCIssuer], refreshInterval: TimeInterval = 30, logger: Logger = Logger(label: "souverain.sts"), fetch: Fetch? = nil) {
        self.issuers = issuers
        self.refreshInterval = refreshInterval
        self.logger = logger
        self.fetch = fetch ?? Self.httpGet
    }

    /// Verifies `token` at `now`. Throws `STSError`: `InvalidIdentityToken` (malformed, unknown
    /// issuer, bad signature, wrong audience, not yet valid), `ExpiredTokenException`, or
    /// `IDPCommunicationError` when the issuer's keys cannot be fetched.
    public func verify(_ token: String, now: Date) async throws(STSError) -> Identity {
        let unverified: IDTokenClaims
        do {
            unverified = try await JWTKeyCollection().unverified(token, as: IDTokenClaims.self)
        } catch {
            throw .invalidIdentityToken("The web identity token is not a JWT this server can read")
        }
        guard let issuer = issuers.first(where: { Self.sameIssuer($0.url, unverified.iss.value) }) else {
            throw .invalidIdentityToken("The web identity token's issuer \(unverified.iss.value.prefix(200)) is not an OpenID Connect issuer of this server (oidc-issuers)")
        }
        let claims: IDTokenClaims
        do {
            claims = try await verified(token, issuer: issuer, now: now)
        } catch let error as STSError {
            throw error
        } catch {
            throw .invalidIdentityToken("The web identity token's signature does not verify with the issuer's keys")
        }
        guard Self.sameIssuer(claims.iss.value, issuer.url) else { throw .invalidIdentityToken("Incorrect token issuer") }
        guard let exp = claims.exp else { throw .invalidIdentityToken("The web identity token has no exp claim") }
        guard now < exp.value else { throw .expiredToken("Token expired: the web identity token's exp is past") }
        if let nbf = claims.nbf, now.addingTimeInterval(60) < nbf.value {
            throw .invalidIdentityToken("The web identity token is not valid yet (nbf)")
        }
        guard let audience = claims.aud?.value.first(where: { issuer.audiences.contains($0) }) else {
            throw .invalidIdentityToken("Incorrect token audience: none of the token's aud is an audience of \(issuer.url)")
        }
        guard let subject = claims.sub?.value, !subject.isEmpty else { throw .invalidIdentityToken("The web identity token has no sub claim") }
        return Identity(issuer: claims.iss.value, subject: subject, audience: audience, claims: claims.all)
    }

    /// Verifies the signature with the issuer's cached keys, refreshing them once when the token's
    /// key is unknown (and the last fetch is old enough).
    private func verified(_ token: String, issuer: OIDCIssuer, now: Date) async throws -> IDTokenClaims {
        let collection = try await collection(for: issuer, refresh: false, now: now)
        do {
            return try await collection.verify(token, as: IDTokenClaims.self)
        } catch let error as JWTError
            where [.unknownKID, .noKeyProvided, .signatureVerificationFailed].contains(error.errorType) {
            // A key id the cache lacks falls back to the issuer's first key, and fails as a bad
            // signature: either way the issuer may have rotated its keys since the last fetch.
            guard let fetched = keys[issuer.url]?.fetched, now.timeIntervalSince(fetched) >= refreshInterval else { throw error }
            logger.info("refreshing an OpenID Connect issuer's keys for an unknown key id", metadata: ["issuer": "\(issuer.url)"])
            return try await self.collection(for: issuer, refresh: true, now: now).verify(token, as: IDTokenClaims.self)
        }
    }

    private func collection(for issuer: OIDCIssuer, refresh: Bool, now: Date) async throws(STSError) -> JWTKeyCollection {
        if !refresh, let cached = keys[issuer.url] { return cached.collection }
        let collection = JWTKeyCollection()
        do {
            let discovery = try JSONDecoder().decode(Discovery.self, from: Data(try await fetch(Self.discoveryURL(issuer.url))))
            guard Self.sameIssuer(discovery.issuer, issuer.url) else {
                throw STSError.idpCommunication("\(issuer.url)'s discovery document names another issuer")
            }
            try OIDCIssuer.checkFetchable(discovery.jwks_uri)
            let jwks = String(decoding: try await fetch(discovery.jwks_uri), as: UTF8.self)
            try await collection.add(jwksJSON: jwks)
        } catch let error as STSError {
            throw error
        } catch {
            logger.warning("cannot fetch an OpenID Connect issuer's keys", metadata: ["issuer": "\(issuer.url)", "error": "\(error)"])
            throw .idpCommunication("The keys of \(issuer.url) could not be fetched")
        }
        keys[issuer.url] = (collection, now)
        return collection
    }

    struct Discovery: Decodable {
        var issuer: String
        var jwks_uri: String
    }

    static func discoveryURL(_ issuer: String) -> String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
    }

    static func sameIssuer(_ a: String, _ b: String) -> Bool {
        func trimmed(_ text: String) -> String { text.hasSuffix("/") ? String(text.dropLast()) : text }
        return trimmed(a) == trimmed(b)
    }

    /// GET over AsyncHTTPClient: 10 seconds at most, 1 MiB at most, HTTPS or loopback HTTP only.
    static let httpGet: Fetch = { url in
        try OIDCIssuer.checkFetchable(url)
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw STSError.idpCommunication("\(url) answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: 1 << 20)
        return Array(buffer: body)
    }
}

/// The claims of an ID token that are checked, and every claim kept as strings for the trust
/// policy's conditions (`ISSUER:sub`, `ISSUER:aud`, `ISSUER:email`, …): strings, numbers and
/// booleans as text, lists of them as several values; nested objects are left out.
struct IDTokenClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim?
    var aud: AudienceClaim?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var all: [String: [String]]

    enum Known: String, CodingKey { case iss, sub, aud, exp, nbf }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let known = try decoder.container(keyedBy: Known.self)
        iss = try known.decode(IssuerClaim.self, forKey: .iss)
        sub = try known.decodeIfPresent(SubjectClaim.self, forKey: .sub)
        aud = try known.decodeIfPresent(AudienceClaim.self, forKey: .aud)
        exp = try known.decodeIfPresent(ExpirationClaim.self, forKey: .exp)
        nbf = try known.decodeIfPresent(NotBeforeClaim.self, forKey: .nbf)
        let any = try decoder.container(keyedBy: AnyKey.self)
        var all: [String: [String]] = [:]
        for key in any.allKeys {
            if let values = Self.strings(any, key) { all[key.stringValue] = values }
        }
        self.all = all
    }

    static func strings(_ container: KeyedDecodingContainer<AnyKey>, _ key: AnyKey) -> [String]? {
        if let text = try? container.decode(String.self, forKey: key) { return [text] }
        if let flag = try? container.decode(Bool.self, forKey: key) { return [flag ? "true" : "false"] }
        if let number = try? container.decode(Int64.self, forKey: key) { return [String(number)] }
        if let number = try? container.decode(Double.self, forKey: key) { return [String(number)] }
        if let list = try? container.decode([String].self, forKey: key) { return list }
        return nil
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Known.self)
        try container.encode(iss, forKey: .iss)
        try container.encodeIfPresent(sub, forKey: .sub)
        try container.encodeIfPresent(aud, forKey: .aud)
        try container.encodeIfPresent(exp, forKey: .exp)
        try container.encodeIfPresent(nbf, forKey: .nbf)
    }

    /// Claims are checked by `OIDCVerifier` with its clock and the issuer's audiences.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
