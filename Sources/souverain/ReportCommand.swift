import ArgumentParser
import Foundation
import SouverainAudit
import SouverainReport

/// `souverain report`: the signed compliance report of a data directory, made offline from its
/// state (docs/report-format.md), and `souverain report verify` for whoever receives one.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write the signed compliance report of a data directory, or verify one.",
        subcommands: [Generate.self, Verify.self], defaultSubcommand: Generate.self)

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write report.json, report.sig (Ed25519 by the audit key) and report.html into --out.",
            discussion: """
                Offline: reads the catalogue, the locations' profiles, the registry and rules in force, the audit trail \
                and the key store of the data directory, and writes the evidence bundle. Safe while a server runs on \
                the directory (it only reads). The key store is opened with the same secrets as `serve` \
                (SOUVERAIN_KEYRING_PASSPHRASE, SOUVERAIN_PKCS11_PIN); without them the report says the master key \
                versions could not be listed.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "The directory to write the bundle into (created if needed).") var out: String
        @Option(help: "Start of the period that counts cover (ISO 8601; default: the trail's first record).") var since: String?
        @Option(help: "Also write the dependency map alone to this SVG file.") var map: String?
        @Option(help: "Also write the DORA register of information (B_05.01, B_02.02, B_07.01 as CSV) into this directory.") var dora: String?

        func run() async throws {
            let settings = try common.settings()
            let now = Date()
            var periodStart: Date?
            if let since {
                guard let date = ISO8601DateFormatter().date(from: since) else { throw ValidationError("--since \(since) is not an ISO 8601 time") }
                periodStart = date
            }
            let made: (json: [UInt8], signature: ReportBundle.Signature)
            do {
                made = try await ReportGathering.signed(settings: settings, now: now, since: periodStart)
            } catch let error as AuditError {
                throw ValidationError("the audit trail's key could not be read (DATA/audit.key, DATA/audit.pub): \(error)")
            }
            let json = made.json
            // The renderings show the signed facts: what report.json says, findings included.
            let signed = try JSONDecoder().decode(ReportFacts.self, from: Data(json))
            try ReportBundle.write(json: json, signature: made.signature, html: try ReportHTML.render(signed), to: out)
            if let map {
                do {
                    try Data(DependencyMap.svg(signed).utf8).write(to: URL(fileURLWithPath: map), options: .atomic)
                } catch {
                    throw ValidationError("cannot write the map to \(map): \(error.localizedDescription)")
                }
            }
            if let dora { try DORARegister.write(signed, to: dora) }
            let findings = signed.findings
            let critical = findings.filter { $0.severity == "critical" }.count
            print("Wrote \(out)/\(ReportBundle.jsonName), \(ReportBundle.signatureName) and \(ReportBundle.htmlName): \(signed.buckets.count) bucket(s), \(signed.locations.count) location(s), \(findings.count) finding(s), \(critical) critical.")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a report bundle's signature over report.json's exact bytes; exit 1 if it was changed.",
            discussion: """
                The signer must be the audit trail key named inside the signed report. Give --public-key (the \
                trail's audit.pub, or its base64) to also check that key is the one you trust.
                """)
        @Argument(help: "The bundle directory (holding report.json and report.sig).") var directory: String
        @Option(help: "The audit trail's public key (base64) or a file holding it.") var publicKey: String?

        func run() throws {
            var trusted: AuditPublicKey?
            if let publicKey {
                let text = FileManager.default.fileExists(atPath: publicKey)
                    ? try String(contentsOfFile: publicKey, encoding: .utf8) : publicKey
                trusted = try AuditPublicKey(base64: text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            do {
                let facts = try ReportBundle.verify(directory: directory, trustedKey: trusted)
                print("verified: \(directory)/\(ReportBundle.jsonName) signed by \(facts.audit.publicKey) at \(facts.generatedAt) (\(facts.schema))")
            } catch let error as ReportError {
                print("FAILED: \(error.message)")
                throw ExitCode(1)
            }
        }
    }
}
