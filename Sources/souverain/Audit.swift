import ArgumentParser
import Foundation
import SouverainAudit
import SouverainS3

/// Offline tools over the trail's files. They need only read access to the directory (and the
/// public key for `verify`): an auditor can run them on a copy. Reading through the running
/// server's admin API (`GET /_souverain/audit/records`) is the audited path.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify, query and export the audit trail.",
        subcommands: [Verify.self, Query.self, Export.self])

    struct TrailOptions: ParsableArguments {
        @OptionGroup var common: CommonOptions
        @Option(help: "Trail directory (default DATA/audit).") var trail: String?

        func directory() throws -> DataDirectory { try DataDirectory(try common.settings()) }
        func trailDirectory() throws -> String { try trail ?? directory().auditDirectory }
    }

    struct FilterOptions: ParsableArguments {
        @Option(help: "Only this bucket.") var bucket: String?
        @Option(help: "Only this key.") var key: String?
        @Option(help: "Only keys starting with this prefix.") var keyPrefix: String?
        @Option(help: "Only this user (as recorded: 'name (access key)').") var user: String?
        @Option(help: "Only this operation (PutObject, GetObject, ReadAuditTrail, ...).") var operation: [String] = []
        @Option(help: "Only records touching a location in this country (ISO 3166 alpha-2).") var country: String?
        @Option(help: "From this time (ISO 8601).") var since: String?
        @Option(help: "Until this time (ISO 8601).") var until: String?

        func filter() throws -> AuditFilter {
            func time(_ text: String?, _ fallback: Int64) throws -> AuditTime {
                guard let text else { return AuditTime(millisecondsSince1970: fallback) }
                guard let date = S3Date.parseISO8601(text) else { throw ValidationError("\(text) is not an ISO 8601 time") }
                return AuditTime(millisecondsSince1970: Int64(date.timeIntervalSince1970 * 1000))
            }
            return AuditFilter(
                time: try time(since, 0)...time(until, .max), bucket: bucket, key: key, keyPrefix: keyPrefix, user: user,
                operations: Set(operation.map { AuditOperation($0) }), country: country?.uppercased())
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every hash and checkpoint signature; report the first broken point.")
        @OptionGroup var trail: TrailOptions
        @Option(help: "Public key (base64) or a file holding it (default DATA/audit.pub).") var publicKey: String?
        @Option(help: "First sequence to verify.") var from: UInt64?
        @Option(help: "Last sequence to verify.") var to: UInt64?
        @Flag(help: "Treat records after the last checkpoint as a failure.") var strict = false

        func run() throws {
            let text: String
            if let publicKey, !FileManager.default.fileExists(atPath: publicKey) {
                text = publicKey
            } else {
                let path = try publicKey ?? trail.directory().auditPublicKeyPath
                text = try String(contentsOfFile: path, encoding: .utf8)
            }
            let key = try AuditPublicKey(base64: text.trimmingCharacters(in: .whitespacesAndNewlines))
            let result = AuditVerifier.verify(
                directory: try trail.trailDirectory(), publicKey: key, from: from, to: to, strict: strict)
            print(result.description)
            if !result.isValid { throw ExitCode(1) }
        }
    }

    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the records that match, one JSON object per line.")
        @OptionGroup var trail: TrailOptions
        @OptionGroup var filters: FilterOptions

        func run() throws {
            var output = StandardOutput()
            _ = try AuditReader(directory: try trail.trailDirectory()).exportJSONLines(matching: try filters.filter(), into: &output)
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the records that match to a JSON Lines file.")
        @OptionGroup var trail: TrailOptions
        @OptionGroup var filters: FilterOptions
        @Option(help: "The file to write (must not exist).") var to: String

        func run() throws {
            let count = try AuditReader(directory: try trail.trailDirectory()).exportJSONLines(matching: try filters.filter(), to: to)
            print("Exported \(count) records to \(to).")
        }
    }
}

struct StandardOutput: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardOutput.write(Data(string.utf8)) }
}
