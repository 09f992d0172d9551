import ArgumentParser
import Foundation

/// The settings of a Souverain process, from (lowest to highest precedence) built-in defaults,
/// the configuration file, `SOUVERAIN_*` environment variables and command-line flags.
struct Settings {
    var data = "./souverain-data"
    var address = "127.0.0.1:9000"
    var region = "us-east-1"
    /// Base domains for virtual-hosted-style requests (`bucket.<domain>`), comma-separated.
    var domains: [String] = []
    var logLevel = "info"
    /// ISO 3166 country of the machine holding the data directory, recorded in the audit trail.
    var country = ""
    /// `host:port` of a syslog collector receiving every audit record (RFC 5424 over UDP).
    var syslog = ""

    static let keys = ["data", "address", "region", "domain", "log-level", "country", "syslog"]

    /// The commented default file that `souverain init` writes.
    static let defaultFile = """
        # Souverain configuration. Every setting can also be given as an environment variable
        # (SOUVERAIN_DATA, SOUVERAIN_ADDRESS, SOUVERAIN_REGION, SOUVERAIN_DOMAIN, SOUVERAIN_LOG_LEVEL,
        # SOUVERAIN_COUNTRY, SOUVERAIN_SYSLOG) or a command-line flag (--data, --address, --region,
        # --domain, --log-level, --country, --syslog), which win
        # over this file, in that order.

        # Where objects (blobs/), the SQLite catalogue and the admin credentials are kept.
        data = ./souverain-data

        # Address and port the S3 endpoint listens on. Port 0 picks a free port.
        address = 127.0.0.1:9000

        # Region name S3 clients sign requests for; us-east-1 is what clients assume by default.
        region = us-east-1

        # Base domain(s) for virtual-hosted-style addressing (bucket.s3.example.org), comma-separated.
        # Path-style requests always work.
        # domain = s3.example.org

        # trace, debug, info, notice, warning, error or critical.
        log-level = info

        # Country (ISO 3166 alpha-2) of the machine holding the data directory: the audit trail
        # records it for every byte written or read.
        # country = FR

        # Forward every audit record, once durable, to a syslog collector (RFC 5424 over UDP).
        # syslog = 127.0.0.1:514

        """

    mutating func apply(file path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ValidationError("\(path):\(number + 1): expected `key = value`")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard Settings.keys.contains(key) else {
                throw ValidationError("\(path):\(number + 1): unknown setting `\(key)` (known: \(Settings.keys.joined(separator: ", ")))")
            }
            try set(key, value)
        }
    }

    mutating func apply(environment: [String: String]) throws {
        for key in Settings.keys {
            let name = "SOUVERAIN_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
            if let value = environment[name] { try set(key, value) }
        }
    }

    mutating func set(_ key: String, _ value: String) throws {
        switch key {
        case "data": data = value
        case "address": address = value
        case "region":
            guard !value.isEmpty else { throw ValidationError("region cannot be empty") }
            region = value
        case "domain": domains = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "log-level": logLevel = value
        case "country":
            guard value.isEmpty || (value.count == 2 && value.allSatisfy({ $0.isASCII && $0.isLetter })) else {
                throw ValidationError("country must be an ISO 3166 alpha-2 code such as FR, got \(value)")
            }
            country = value.uppercased()
        case "syslog": syslog = value
        default: throw ValidationError("unknown setting \(key)")
        }
    }

    /// Host and port from `address`; `[::1]:9000` and `localhost:9000` forms.
    func hostAndPort() throws -> (String, Int) {
        var host = address
        var portText = ""
        if let colon = address.lastIndex(of: ":") {
            host = String(address[..<colon])
            portText = String(address[address.index(after: colon)...])
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else {
            throw ValidationError("address must be HOST:PORT, got \(address)")
        }
        return (host, port)
    }
}

/// Options every subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Configuration file (default: $SOUVERAIN_CONFIG, else none).")
    var config: String?

    @Option(help: "Data directory (default ./souverain-data).")
    var data: String?

    func settings(
        address: String? = nil, region: String? = nil, domain: String? = nil, logLevel: String? = nil,
        country: String? = nil, syslog: String? = nil
    ) throws -> Settings {
        var settings = Settings()
        let environment = ProcessInfo.processInfo.environment
        if let file = config ?? environment["SOUVERAIN_CONFIG"] { try settings.apply(file: file) }
        try settings.apply(environment: environment)
        if let data { try settings.set("data", data) }
        if let address { try settings.set("address", address) }
        if let region { try settings.set("region", region) }
        if let domain { try settings.set("domain", domain) }
        if let logLevel { try settings.set("log-level", logLevel) }
        if let country { try settings.set("country", country) }
        if let syslog { try settings.set("syslog", syslog) }
        return settings
    }
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a commented default configuration file.")

    @Argument(help: "Where to write it.")
    var path = "souverain.conf"

    @Flag(help: "Replace an existing file.")
    var force = false

    func run() throws {
        if FileManager.default.fileExists(atPath: path), !force {
            throw ValidationError("\(path) exists; pass --force to replace it")
        }
        try Settings.defaultFile.write(toFile: path, atomically: true, encoding: .utf8)
        print("Wrote \(path). Start the server with: souverain serve --config \(path)")
    }
}
