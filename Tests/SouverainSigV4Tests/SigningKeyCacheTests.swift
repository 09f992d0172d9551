import Foundation
import Testing
@testable import SouverainSigV4

/// The verifier derives a signing key once per secret and scope, and a cached key never stands in
/// for another secret, day, region or service.
@Suite struct SigningKeyCacheTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    private func signedGet(_ signer: SigV4Signer, at date: Date) -> SigV4Request {
        var headers: [(name: String, value: String)] = [("host", "localhost")]
        signer.sign(method: "GET", path: "/bucket/key", query: "", headers: &headers, payloadHash: "UNSIGNED-PAYLOAD", date: date)
        return SigV4Request(method: "GET", path: "/bucket/key", query: "", headers: headers)
    }

    private func verify(_ verifier: SigV4Verifier, _ request: SigV4Request, secret: String, now: Date) throws(SigV4Error) {
        guard let auth = try verifier.parse(request) else { throw SigV4Error(code: .accessDenied, message: "no authentication") }
        _ = try verifier.verify(auth, secretAccessKey: secret, request: request, now: now)
    }

    @Test func aCachedKeyIsOnlyForItsSecretAndScope() throws {
        let verifier = SigV4Verifier(region: "eu-west-3")
        let alice = SigV4Signer(accessKeyID: "ALICE", secretAccessKey: "alice-secret", region: "eu-west-3")
        let request = signedGet(alice, at: Self.now)
        try verify(verifier, request, secret: "alice-secret", now: Self.now)
        try verify(verifier, request, secret: "alice-secret", now: Self.now)
        #expect(verifier.signingKeys.count == 1)
        // The same scope under another secret: the cached key must not verify it.
        #expect(throws: SigV4Error.self) { try verify(verifier, request, secret: "another-secret", now: Self.now) }
        // The next day is another scope, with its own key.
        let tomorrow = Self.now.addingTimeInterval(86_400)
        try verify(verifier, signedGet(alice, at: tomorrow), secret: "alice-secret", now: tomorrow)
        #expect(verifier.signingKeys.count == 3)
    }

    @Test func theCacheIsBoundedAndGivesTheKeyADerivationWould() {
        let cache = SigningKeyCache(capacity: 2)
        for day in ["20261201", "20261202", "20261203", "20261204", "20261203"] {
            let scope = CredentialScope(date: day, region: "eu-west-3", service: "s3")
            let cached = cache.key(secretAccessKey: "secret", scope: scope)
            #expect(cached.signature("payload") == SigningKey(secretAccessKey: "secret", scope: scope).signature("payload"))
            #expect(cache.count <= 2)
        }
    }

    @Test func aSignerKeepsItsKeyPerDayAndSignsAsAFreshOneWould() {
        let signer = SigV4Signer(accessKeyID: "ALICE", secretAccessKey: "alice-secret", region: "eu-west-3")
        let days = [0.0, 86_400, 0, 2 * 86_400, 86_400].map { Self.now.addingTimeInterval($0) }
        for date in days {
            let fresh = SigV4Signer(accessKeyID: "ALICE", secretAccessKey: "alice-secret", region: "eu-west-3")
            #expect(signedGet(signer, at: date).headers.last?.value == signedGet(fresh, at: date).headers.last?.value)
        }
        #expect(signer.signingKeys.count == 3)
    }
}
