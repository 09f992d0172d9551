import Foundation
public import SouverainAudit

/// The evidence bundle on disk: `report.json` (the facts, stable JSON), `report.sig` (an Ed25519
/// signature over report.json's exact bytes by the audit trail's key, with the public key), and
/// the renderings beside them. docs/report-format.md describes each file; docs/verify-report.py
/// checks the signature without Souverain.
public enum ReportBundle {
    public static let jsonName = "report.json"
    public static let signatureName = "report.sig"
    public static let htmlName = "report.html"
    public static let signatureFormat = "souverain-report-signature/1"

    /// The content of report.sig.
    public struct Signature: Codable, Sendable, Hashable {
        public var format: String
        public var algorithm: String
        /// The file signed, relative to the bundle.
        public var signed: String
        /// The signer's Ed25519 public key, base64 of the raw 32 bytes: the audit trail's key.
        public var publicKey: String
        /// Base64 of the 64-byte Ed25519 signature over the signed file's exact bytes.
        public var signature: String
        /// SHA-256 (hex) of the signed bytes, for people comparing copies; the signature is what counts.
        public var sha256: String
    }

    /// The facts with their findings, as the exact bytes of report.json: sorted keys, two-space
    /// indentation, no escaped slashes, a final newline. Encoding the same facts twice gives the
    /// same bytes.
    public static func encode(_ facts: ReportFacts, controls: ControlCatalogue? = nil) throws -> [UInt8] {
        var facts = facts
        facts.exitPlans = ExitPlans.evaluate(facts)
        facts.findings = ReportFindings.evaluate(facts)
        facts.controls = ControlAssessment.evaluate(try controls ?? ControlCatalogue.shipped(), facts: facts)
        return try stableJSON(facts)
    }

    static func stableJSON(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [0x0A]
    }

    /// Signs `json` with the audit key.
    public static func sign(_ json: [UInt8], with key: AuditKey) throws -> Signature {
        Signature(
            format: signatureFormat, algorithm: "Ed25519", signed: jsonName, publicKey: key.publicKey.base64,
            signature: Data(try key.signature(forDocument: json)).base64EncodedString(), sha256: AuditHash.of(json).description)
    }

    /// Writes report.json, report.sig and (when given) report.html into `directory` (created if
    /// needed), replacing older ones.
    public static func write(json: [UInt8], signature: Signature, html: String? = nil, to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(json).write(to: URL(fileURLWithPath: directory + "/" + jsonName), options: .atomic)
            try Data(try stableJSON(signature)).write(to: URL(fileURLWithPath: directory + "/" + signatureName), options: .atomic)
            if let html { try Data(html.utf8).write(to: URL(fileURLWithPath: directory + "/" + htmlName), options: .atomic) }
        } catch {
            throw ReportError(.io, "cannot write the report into \(directory): \(error.localizedDescription)", cause: error)
        }
    }

    /// Checks report.sig over report.json's bytes, and that the signer is the trail's key named
    /// inside the signed report (so a report re-signed with another key fails) and, when given,
    /// `trustedKey` (the key the auditor holds). Returns the verified facts.
    @discardableResult
    public static func verify(directory: String, trustedKey: AuditPublicKey? = nil) throws -> ReportFacts {
        let json: Data
        let signatureFile: Data
        do {
            json = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + jsonName))
            signatureFile = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + signatureName))
        } catch {
            throw ReportError(.io, "cannot read \(jsonName) and \(signatureName) in \(directory): \(error.localizedDescription)", cause: error)
        }
        let signature: Signature
        do {
            signature = try JSONDecoder().decode(Signature.self, from: signatureFile)
        } catch {
            throw ReportError(.malformed, "\(signatureName) is not a report signature file", cause: error)
        }
        guard signature.format == signatureFormat, signature.algorithm == "Ed25519", signature.signed == jsonName,
            let bytes = Data(base64Encoded: signature.signature)
        else { throw ReportError(.malformed, "\(signatureName) has format \(signature.format); this build reads \(signatureFormat) (Ed25519 over \(jsonName))") }
        let key: AuditPublicKey
        do {
            key = try AuditPublicKey(base64: signature.publicKey)
        } catch {
            throw ReportError(.malformed, "\(signatureName) holds no valid Ed25519 public key", cause: error)
        }
        guard key.isValidSignature(Array(bytes), for: Array(json)) else {
            throw ReportError(.badSignature, "the signature does not verify over \(jsonName): the report was changed after it was signed")
        }
        let facts: ReportFacts
        do {
            facts = try JSONDecoder().decode(ReportFacts.self, from: json)
        } catch {
            throw ReportError(.malformed, "\(jsonName) is signed but is not a \(ReportFacts.currentSchema) report", cause: error)
        }
        guard facts.audit.publicKey == key.base64 else {
            throw ReportError(.keyMismatch, "the report was signed by \(key.base64), not by the trail key it names (\(facts.audit.publicKey))")
        }
        if let trustedKey, trustedKey != key {
            throw ReportError(.keyMismatch, "the report was signed by \(key.base64), not by the audit trail's key \(trustedKey.base64)")
        }
        return facts
    }
}
