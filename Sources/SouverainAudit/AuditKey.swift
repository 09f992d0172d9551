import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operator's audit signing key: Ed25519, used only to sign checkpoints, never to protect data.
///
/// Key file (text, mode 0600): the line `souverain-audit-key v1`, then the base64 of the 32-byte
/// private key, each line ending with `\n`.
public struct AuditKey: Sendable {
    private let privateKey: Curve25519.Signing.PrivateKey

    static let fileTag = "souverain-audit-key v1"

    private init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
    }

    public static func generate() -> AuditKey {
        AuditKey(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// A key from its 32 raw private bytes.
    public init(rawRepresentation: [UInt8]) throws(AuditError) {
        guard rawRepresentation.count == 32,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation)
        else { throw AuditError(.invalidKey, "an Ed25519 private key is 32 bytes") }
        self.privateKey = key
    }

    /// What auditors get: enough to verify, nothing to sign.
    public var publicKey: AuditPublicKey {
        AuditPublicKey(key: privateKey.publicKey)
    }

    func sign(_ message: [UInt8]) throws(AuditError) -> [UInt8] {
        do {
            return Array(try privateKey.signature(for: message))
        } catch {
            throw AuditError(.invalidKey, "Ed25519 signing failed", cause: error)
        }
    }

    /// Writes the key to a new file with mode 0600 and syncs it. Refuses to replace an existing file.
    public func save(to path: String) throws(AuditError) {
        let text = Self.fileTag + "\n" + Data(privateKey.rawRepresentation).base64EncodedString() + "\n"
        let fd = try POSIX.openFile(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        defer { POSIX.closeFile(fd) }
        // The umask may have narrowed the mode further, never widened it; fchmod makes it exact.
        if fchmod(fd, 0o600) != 0 { throw POSIX.error("cannot set mode 0600 on", path) }
        try POSIX.writeAll(fd, Array(text.utf8), path: path)
        try POSIX.fullSync(fd, path: path)
        let parent = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        try POSIX.syncDirectory(parent.isEmpty ? "/" : parent)
    }

    /// Loads a key file written by `save(to:)`. Refuses a file that its group or others can read or write.
    public static func load(from path: String) throws(AuditError) -> AuditKey {
        guard let mode = try POSIX.fileMode(path) else { throw AuditError(.invalidKey, "no audit key file at \(path)") }
        guard mode & 0o077 == 0 else {
            throw AuditError(.invalidKey, "\(path) has mode \(String(mode, radix: 8)); an audit key must be 0600 (chmod 600 it)")
        }
        let fd = try POSIX.openFile(path, O_RDONLY)
        defer { POSIX.closeFile(fd) }
        let bytes = try POSIX.read(fd, at: 0, count: 4096, path: path)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count == 2, lines[0] == fileTag, let raw = Data(base64Encoded: String(lines[1])) else {
            throw AuditError(.invalidKey, "\(path) is not a Souverain audit key file (first line must be '\(fileTag)')")
        }
        return try AuditKey(rawRepresentation: Array(raw))
    }
}
