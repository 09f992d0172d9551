public import Foundation
public import SouverainKeys

/// Session tokens: the session itself (`Session`, secret included), sealed under the key store's
/// master key, so any gateway that opens the same key store verifies a token without a shared
/// table or a call to another gateway, and a token can be neither read nor forged nor altered
/// without the master key (docs/sts.md).
///
/// Sealing is `SealedSecret`'s: a fresh 256-bit key wrapped by the current master key, and the
/// session's JSON sealed under it with AES-256-GCM, the session's access key id as authenticated
/// context (a token presented with another access key does not open). No secret is stored
/// anywhere: the catalogue holds no session, and the token holds the secret only sealed.
///
/// String form: `sst1.` + the sealed form (`ssec1.…`). Never changed in place: a new form gets a
/// new prefix.
public enum SessionToken {
    static let prefix = "sst1."

    public static func seal(_ session: Session, store: any KeyStore) async throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(session), as: UTF8.self)
        return prefix + (try await SealedSecret.seal(json, context: context(session.accessKeyID), store: store))
    }

    /// Opens the token presented with `accessKeyID`; throws `InvalidToken`'s cause as an
    /// `STSError` (code `InvalidToken`) when it is not a token, altered, or for another key. Does
    /// not check the expiry (`SessionVerifier` does, with its clock).
    public static func open(_ token: String, accessKeyID: String, store: any KeyStore) async throws(STSError) -> Session {
        guard token.hasPrefix(prefix) else { throw invalid }
        let json: String
        do {
            json = try await SealedSecret.open(String(token.dropFirst(prefix.count)), context: context(accessKeyID), store: store)
        } catch {
            throw invalid
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let session = try? decoder.decode(Session.self, from: Data(json.utf8)), session.accessKeyID == accessKeyID else { throw invalid }
        return session
    }

    static let invalid = STSError(code: "InvalidToken", status: 400, message: "The provided token is malformed or otherwise invalid.")

    static func context(_ accessKeyID: String) -> String { "souverain-session/1:" + accessKeyID }
}

/// Opens and checks the session tokens requests present, caching opened tokens (unwrapping a key
/// may cost an HSM call): the cache is keyed by the whole token, so an altered token is opened
/// afresh and refused, and bounded (cleared when full).
public actor SessionVerifier {
    public nonisolated let store: any KeyStore
    private var opened: [String: Session] = [:]
    private let capacity: Int

    public init(store: any KeyStore, capacity: Int = 10_000) {
        self.store = store
        self.capacity = capacity
    }

    /// The session of `token` presented with `accessKeyID` at `now`. Throws `STSError` with the
    /// S3 codes `InvalidToken` (unknown, altered, another key's, missing) or `ExpiredToken`.
    public func session(token: String?, accessKeyID: String, now: Date) async throws(STSError) -> Session {
        guard let token, !token.isEmpty else {
            throw STSError(code: "InvalidToken", status: 400, message: "The provided token is malformed or otherwise invalid: a session's access key needs its X-Amz-Security-Token.")
        }
        let session: Session
        if let cached = opened[token], cached.accessKeyID == accessKeyID {
            session = cached
        } else {
            session = try await SessionToken.open(token, accessKeyID: accessKeyID, store: store)
            if opened.count >= capacity { opened.removeAll(keepingCapacity: true) }
            opened[token] = session
        }
        guard now < session.expiration else {
            throw STSError(code: "ExpiredToken", status: 400, message: "The provided token has expired.")
        }
        return session
    }
}
