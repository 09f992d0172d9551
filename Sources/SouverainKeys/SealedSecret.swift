import Crypto
import Foundation

/// A short secret (a user's secret access key) sealed for storage at rest by a key store's master
/// key, as bucket keys are: the catalogue never holds it in clear.
///
/// Sealing draws a fresh 32-byte key, wraps it under the store's current master key (AES-KW, which
/// every store offers, PKCS#11 tokens included) and seals the secret with AES-256-GCM under it. The
/// context (the user's id) is authenticated data: a sealed secret copied into another user's row
/// does not open there.
///
/// String form, never changed in place: `ssec1.` + the wrapped key's string form (`swk1.…`) + `.` +
/// the AES-GCM combined box (12-byte nonce, ciphertext, 16-byte tag) in unpadded base64url.
public enum SealedSecret {
    static let prefix = "ssec1."

    /// Whether a stored value is a sealed secret (rather than a secret stored in clear by a
    /// catalogue written before secrets were sealed).
    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    /// Seals `secret` under the store's current master key, bound to `context`.
    public static func seal(_ secret: String, context: String, store: any KeyStore) async throws -> String {
        let key = SymmetricKey(size: .bits256)
        let wrapped = try await store.wrap(key)
        let box = try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Data(authenticated(context).utf8))
        guard let combined = box.combined else { throw KeysError(.invalidArgument, "AES-GCM gave no combined form") }
        return prefix + (try wrapped.encodedString()) + "." + base64url(combined)
    }

    /// Opens a sealed secret with the store that sealed it.
    ///
    /// - Throws: ``KeysError`` `.unsupportedFormat` for a value that is not a sealed secret,
    ///   `.integrity` when it was altered or belongs to another context, and what
    ///   ``KeyStore/unwrap(_:)`` throws (a retired master version, another store).
    public static func open(_ sealed: String, context: String, store: any KeyStore) async throws -> String {
        let (wrapped, combined) = try parts(of: sealed)
        let key = try await store.unwrap(wrapped)
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plain = try AES.GCM.open(box, using: key, authenticating: Data(authenticated(context).utf8))
            guard let secret = String(data: plain, encoding: .utf8) else { throw KeysError(.integrity, "a sealed secret is not UTF-8") }
            return secret
        } catch let error as KeysError {
            throw error
        } catch {
            throw KeysError(.integrity, "a sealed secret does not open: altered, or sealed for another user")
        }
    }

    /// The master key version that seals `sealed`.
    public static func master(of sealed: String) throws -> MasterKeyReference {
        try parts(of: sealed).wrapped.master
    }

    private static func authenticated(_ context: String) -> String { "souverain-sealed-secret/1:" + context }

    private static func parts(of sealed: String) throws -> (wrapped: WrappedKey, combined: Data) {
        guard sealed.hasPrefix(prefix) else { throw KeysError(.unsupportedFormat, "not a sealed secret (expected the ssec1. prefix)") }
        let body = sealed.dropFirst(prefix.count)
        guard let dot = body.lastIndex(of: "."), let combined = data(base64url: String(body[body.index(after: dot)...])),
              combined.count >= 12 + 16 else {
            throw KeysError(.invalidArgument, "a sealed secret is malformed")
        }
        return (try WrappedKey(encodedString: String(body[..<dot])), combined)
    }

    private static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func data(base64url text: String) -> Data? {
        guard !text.contains(where: { $0 == "+" || $0 == "/" || $0 == "=" }) else { return nil }
        var body = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        body += String(repeating: "=", count: (4 - body.count % 4) % 4)
        return Data(base64Encoded: body)
    }
}
