import Foundation
import SouverainKeys
import SouverainSTS
import Testing

/// Session tokens: sealed under the key store, opened only with their own access key, refused
/// when altered or expired.
struct SessionTokenTests {
    static func keyStore() async throws -> (any KeyStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sts-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (try await KeyringKeyStore.create(path: directory.appendingPathComponent("keyring.json").path), directory)
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func session() -> Session {
        Session(
            kind: .role, accessKeyID: Session.makeAccessKeyID(), secretAccessKey: Session.makeSecret(),
            expiration: now.addingTimeInterval(900), role: "reader", sessionName: "ci", issuer: "https://sso.example", subject: "u-42")
    }

    @Test func aSealedTokenOpensWithItsAccessKeyAndCarriesTheSession() async throws {
        let (store, directory) = try await Self.keyStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = Self.session()
        let token = try await SessionToken.seal(session, store: store)
        #expect(token.hasPrefix("sst1."))
        // The secret is never in the token in clear.
        #expect(!token.contains(session.secretAccessKey))
        #expect(try await SessionToken.open(token, accessKeyID: session.accessKeyID, store: store) == session)
        let verifier = SessionVerifier(store: store)
        #expect(try await verifier.session(token: token, accessKeyID: session.accessKeyID, now: Self.now) == session)
        #expect(session.auditIdentity.contains("role reader session ci"))
        #expect(session.auditIdentity.contains("by web identity https://sso.example subject u-42"))
        #expect(!"\(session)".contains(session.secretAccessKey))
        await store.close()
    }

    @Test func anExpiredSessionIsRefusedAsExpired() async throws {
        let (store, directory) = try await Self.keyStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = Self.session()
        let token = try await SessionToken.seal(session, store: store)
        let verifier = SessionVerifier(store: store)
        _ = try await verifier.session(token: token, accessKeyID: session.accessKeyID, now: session.expiration.addingTimeInterval(-1))
        await #expect { try await verifier.session(token: token, accessKeyID: session.accessKeyID, now: session.expiration) } throws: {
            ($0 as? STSError)?.code == "ExpiredToken"
        }
        await store.close()
    }

    @Test func aTamperedTokenOrAnotherKeysTokenIsInvalid() async throws {
        let (store, directory) = try await Self.keyStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = Self.session()
        let token = try await SessionToken.seal(session, store: store)
        let verifier = SessionVerifier(store: store)
        var bytes = Array(token.utf8)
        let index = bytes.count - 10
        bytes[index] = bytes[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tampered = String(decoding: bytes, as: UTF8.self)
        for (candidate, key) in [(tampered, session.accessKeyID), (token, Session.makeAccessKeyID()), ("sst1.garbage", session.accessKeyID), ("", session.accessKeyID)] {
            await #expect { try await verifier.session(token: candidate, accessKeyID: key, now: Self.now) } throws: {
                ($0 as? STSError)?.code == "InvalidToken"
            }
        }
        // A token sealed by another key store (another deployment) does not open here.
        let (other, otherDirectory) = try await Self.keyStore()
        defer { try? FileManager.default.removeItem(at: otherDirectory) }
        let foreign = try await SessionToken.seal(session, store: other)
        await #expect { try await verifier.session(token: foreign, accessKeyID: session.accessKeyID, now: Self.now) } throws: {
            ($0 as? STSError)?.code == "InvalidToken"
        }
        await store.close()
        await other.close()
    }

    @Test func sessionKeysLookLikeAWSs() {
        let key = Session.makeAccessKeyID()
        #expect(key.count == 20 && key.hasPrefix("ASIA") && Session.isSessionKey(key))
        #expect(!Session.isSessionKey("AKIAIOSFODNN7EXAMPLE"))
        #expect(Session.makeSecret().count == 40)
    }
}
