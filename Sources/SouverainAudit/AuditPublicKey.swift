import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An Ed25519 public key: the only thing needed to verify a trail offline.
public struct AuditPublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The raw 32 bytes (RFC 8032 encoding).
    public let rawRepresentation: [UInt8]
    private let key: Curve25519.Signing.PublicKey

    init(key: Curve25519.Signing.PublicKey) {
        self.key = key
        self.rawRepresentation = Array(key.rawRepresentation)
    }

    public init(rawRepresentation: [UInt8]) throws(AuditError) {
        guard rawRepresentation.count == 32,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation)
        else { throw AuditError(.invalidKey, "an Ed25519 public key is 32 bytes") }
        self.key = key
        self.rawRepresentation = rawRepresentation
    }

    /// From the base64 of the raw 32 bytes, as `base64` gives it (surrounding whitespace ignored).
    public init(base64: String) throws(AuditError) {
        let trimmed = base64.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: trimmed) else { throw AuditError(.invalidKey, "the public key is not valid base64") }
        try self.init(rawRepresentation: Array(data))
    }

    /// Base64 of the raw 32 bytes: what auditors are given.
    public var base64: String { Data(rawRepresentation).base64EncodedString() }

    /// SHA-256 of the raw 32 bytes; written in every segment header and checkpoint.
    public var fingerprint: AuditHash { AuditHash.of(rawRepresentation) }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        signature.count == 64 && key.isValidSignature(signature, for: message)
    }

    public static func == (lhs: AuditPublicKey, rhs: AuditPublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawRepresentation)
    }

    public var description: String { base64 }
}
