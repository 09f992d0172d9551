import Crypto
import Foundation
import JWTKit
import SouverainSTS
import Synchronization
import Testing

/// ID tokens verified with jwt-kit against an issuer's JWKS (ES256 here; RS256 in
/// tests/integration/test_sts.py): issuer, audience, expiry, not-before, signature, and a key
/// rotation that refreshes the cached keys once.
struct OIDCVerifierTests {
    static let issuer = "https://sso.example/realms/staff"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim?
        var email: String?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// An issuer: keys by kid, its discovery document and JWKS served through the verifier's fetch.
    final class Issuer: Sendable {
        let keys: Mutex<[String: ES256PrivateKey]>
        let fetches = Atomic<Int>(0)

        init(kids: [String]) { keys = Mutex(Dictionary(uniqueKeysWithValues: kids.map { ($0, ES256PrivateKey()) })) }

        func fetch(_ url: String) throws -> [UInt8] {
            fetches.add(1, ordering: .relaxed)
            if url == OIDCVerifierTests.issuer + "/.well-known/openid-configuration" {
                return Array(#"{"issuer": "\#(OIDCVerifierTests.issuer)", "jwks_uri": "https://sso.example/certs"}"#.utf8)
            }
            let entries = keys.withLock { keys in
                keys.map { kid, key in
                    let parameters = key.publicKey.parameters!
                    return #"{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "\#(kid)", "x": "\#(parameters.x)", "y": "\#(parameters.y)"}"#
                }
            }
            return Array(#"{"keys": [\#(entries.joined(separator: ","))]}"#.utf8)
        }

        func token(kid: String, key: ES256PrivateKey? = nil, iss: String = OIDCVerifierTests.issuer, aud: [String] = ["souverain"],
                   exp: Date = OIDCVerifierTests.now.addingTimeInterval(300), nbf: Date? = nil) async throws -> String {
            let signing = JWTKeyCollection()
            await signing.add(ecdsa: key ?? keys.withLock { $0[kid]! }, kid: JWKIdentifier(string: kid))
            return try await signing.sign(
                Claims(iss: IssuerClaim(value: iss), sub: "u-42", aud: AudienceClaim(value: aud), exp: ExpirationClaim(value: exp),
                       nbf: nbf.map { NotBeforeClaim(value: $0) }, email: "ann@example.org"),
                kid: JWKIdentifier(string: kid))
        }
    }

    static func verifier(_ issuer: Issuer, refreshInterval: TimeInterval = 30) -> OIDCVerifier {
        OIDCVerifier(issuers: [OIDCIssuer(url: Self.issuer, audiences: ["souverain"])], refreshInterval: refreshInterval) { url in
            try issuer.fetch(url)
        }
    }

    @Test func aValidTokenGivesItsSubjectAndClaims() async throws {
        let issuer = Issuer(kids: ["k1"])
        let identity = try await Self.verifier(issuer).verify(try await issuer.token(kid: "k1"), now: Self.now)
        #expect(identity.subject == "u-42")
        #expect(identity.audience == "souverain")
        #expect(identity.claims["email"] == ["ann@example.org"])
        #expect(identity.claims["aud"] == ["souverain"])
    }

    @Test func wrongAudienceIssuerExpiryOrSignatureIsRefused() async throws {
        let issuer = Issuer(kids: ["k1"])
        let verifier = Self.verifier(issuer)
        let cases: [(String, String)] = [
            (try await issuer.token(kid: "k1", aud: ["other"]), "InvalidIdentityToken"),
            (try await issuer.token(kid: "k1", iss: "https://evil.example"), "InvalidIdentityToken"),
            (try await issuer.token(kid: "k1", exp: Self.now.addingTimeInterval(-1)), "ExpiredTokenException"),
            (try await issuer.token(kid: "k1", nbf: Self.now.addingTimeInterval(3600)), "InvalidIdentityToken"),
            // Signed by a key the issuer never published, under its key id.
            (try await issuer.token(kid: "k1", key: ES256PrivateKey()), "InvalidIdentityToken"),
            ("not.a.jwt", "InvalidIdentityToken"),
        ]
        for (token, code) in cases {
            await #expect { try await verifier.verify(token, now: Self.now) } throws: { ($0 as? STSError)?.code == code }
        }
    }

    @Test func anUnknownKeyIDRefreshesTheKeysAtMostOncePerInterval() async throws {
        let issuer = Issuer(kids: ["k1"])
        let verifier = Self.verifier(issuer, refreshInterval: 30)
        _ = try await verifier.verify(try await issuer.token(kid: "k1"), now: Self.now)
        #expect(issuer.fetches.load(ordering: .relaxed) == 2)
        // The issuer rotates to k2: too soon after the last fetch, the token is refused without a fetch...
        issuer.keys.withLock { $0["k2"] = ES256PrivateKey() }
        let rotated = try await issuer.token(kid: "k2")
        await #expect(throws: STSError.self) { try await verifier.verify(rotated, now: Self.now.addingTimeInterval(5)) }
        #expect(issuer.fetches.load(ordering: .relaxed) == 2)
        // ...and accepted after one refresh once the interval has passed.
        _ = try await verifier.verify(rotated, now: Self.now.addingTimeInterval(60))
        #expect(issuer.fetches.load(ordering: .relaxed) == 4)
    }
}
