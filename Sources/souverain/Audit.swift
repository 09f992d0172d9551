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
        @Option(help: "Trail directory (default DATA/audit, or DATA/trails/ID with a gateway-id); repeat it for the trails of several gateways.")
        var trail: [String] = []
        @Option(help: "A directory of trails, one per gateway (DATA/trails): every subdirectory is one, its public key beside it (NAME.pub).")
        var trails: String?

        func directory() throws -> DataDirectory { try DataDirectory(try common.settings()) }

        /// The one trail when a single one is named (or none: this data directory's).
        func trailDirectory() throws -> String { try trail.first ?? directory().auditDirectory }

        /// Every trail named, in order: the `--trail`s, then those of `--trails`; empty when one
        /// or none is named, which reads as before: one trail, unmerged.
        func trailSet() throws -> AuditTrailSet? {
            var named = trail.map { AuditTrailSet.Trail(name: Self.name(of: $0), directory: $0) }
            if let trails {
                let entries = try FileManager.default.contentsOfDirectory(atPath: trails).sorted()
                for entry in entries {
                    var isDirectory: ObjCBool = false
                    let path = (trails as NSString).appendingPathComponent(entry)
                    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                        named.append(AuditTrailSet.Trail(name: entry, directory: path))
                    }
                }
                guard !named.isEmpty else { throw ValidationError("\(trails) holds no trail directory") }
            }
            return named.count > 1 || trails != nil ? AuditTrailSet(named) : nil
        }

        static func name(of directory: String) -> String {
            ((directory as NSString).standardizingPath as NSString).lastPathComponent
        }
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
            if let set = try trail.trailSet() { return try verifyEach(set) }
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

        /// Several gateways' trails: each chain verified with its own key (DIR.pub, beside it),
        /// one line each; fails if any fails.
        func verifyEach(_ set: AuditTrailSet) throws {
            guard publicKey == nil else {
                throw ValidationError("with several trails, each is verified with the public key beside it (DIR.pub): drop --public-key")
            }
            var valid = true
            for trail in set.trails {
                let keyPath = (trail.directory as NSString).standardizingPath + ".pub"
                guard let text = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
                    print("\(trail.name): no public key at \(keyPath)")
                    valid = false
                    continue
                }
                let key = try AuditPublicKey(base64: text.trimmingCharacters(in: .whitespacesAndNewlines))
                let result = AuditVerifier.verify(directory: trail.directory, publicKey: key, from: from, to: to, strict: strict)
                print("\(trail.name): \(result.description)")
                valid = valid && result.isValid
            }
            print(valid ? "All \(set.trails.count) trails verified." : "Some trails did not verify.")
            if !valid { throw ExitCode(1) }
        }
    }

    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the records that match, one JSON object per line.")
        @OptionGroup var trail: TrailOptions
        @OptionGroup var filters: FilterOptions

        func run() throws {
            var output = StandardOutput()
            if let set = try trail.trailSet() {
                // Several gateways' records, merged by time, each line naming its trail.
                _ = try set.exportJSONLines(matching: try filters.filter(), into: &output)
                return
            }
            _ = try AuditReader(directory: try trail.trailDirectory()).exportJSONLines(matching: try filters.filter(), into: &output)
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the records that match to a JSON Lines file.")
        @OptionGroup var trail: TrailOptions
        @OptionGroup var filters: FilterOptions
        @Option(help: "The file to write (must not exist).") var to: String

        func run() throws {
            if let set = try trail.trailSet() {
                guard FileManager.default.createFile(atPath: to, contents: nil, attributes: [.posixPermissions: 0o640]),
                      let handle = FileHandle(forWritingAtPath: to) else { throw ValidationError("cannot write \(to)") }
                var output = FileOutput(handle: handle)
                let count = try set.exportJSONLines(matching: try filters.filter(), into: &output)
                try handle.synchronize()
                try handle.close()
                print("Exported \(count) records of \(set.trails.count) trails to \(to).")
                return
            }
            let count = try AuditReader(directory: try trail.trailDirectory()).exportJSONLines(matching: try filters.filter(), to: to)
            print("Exported \(count) records to \(to).")
        }
    }
}

struct StandardOutput: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardOutput.write(Data(string.utf8)) }
}

struct FileOutput: TextOutputStream {
    let handle: FileHandle
    mutating func write(_ string: String) { handle.write(Data(string.utf8)) }
}
