import ArgumentParser
import Foundation
import SouverainPolicy

/// The settings of a Souverain process, from (lowest to highest precedence) built-in defaults,
/// the configuration file, `SOUVERAIN_*` environment variables and command-line flags.
struct Settings {
    var data = "./souverain-data"
    var address = "127.0.0.1:9000"
    var region = "us-east-1"
    /// Base domains for virtual-hosted-style requests (`bucket.<domain>`), comma-separated.
    var domains: [String] = []
    /// Base domains of the website endpoints (`bucket.<website domain>`, docs/s3-compatibility.md).
    var websiteDomains: [String] = []
    var logLevel = "info"
    /// ISO 3166 country of the machine holding the data directory: the country of the implicit
    /// local location, and of declared locations that name none.
    var country = "FR"
    /// `host:port` of a syslog collector receiving every audit record (RFC 5424 over UDP).
    var syslog = ""
    /// A JSON file of placement rules; empty: the built-in rules.
    var placementRules = ""
    /// The classification of buckets created without one.
    var defaultClassification = "internal"
    /// Where master keys are held: `keyring` (DATA/keyring.json, the default) or `pkcs11` (an HSM).
    var keyStore = "keyring"
    /// The PKCS#11 module (.so) and the label of the token holding the master key; the PIN comes
    /// from the environment (SOUVERAIN_PKCS11_PIN), never from this file.
    var pkcs11Module = ""
    var pkcs11Token = ""
    /// Connection limits (docs: README, Settings): seconds for the timeouts, bytes per second for
    /// the minimum body rate, connections for the caps; 0 turns a limit off.
    var headerTimeout = 60
    var bodyTimeout = 60
    var minimumBodyRate = 1024
    var idleTimeout = 75
    var maxConnectionsPerSource = 256
    var maxConnections = 4096
    /// Whether Signature Version 2 requests (header and presigned URL) are accepted.
    var signatureV2 = true
    /// Lifecycle (docs/lifecycle.md): seconds between two background passes (0: none), actions
    /// per second at most (0: no limit), and, hidden, for tests only, how many seconds a lifecycle
    /// "day" lasts.
    var lifecycleInterval = 86_400
    var lifecycleRate = 100
    var lifecycleDaySeconds = 86_400
    /// The catalogue (docs/scale-out.md, Settings+Catalogue.swift).
    var catalogue = CatalogueSettings()
    /// This gateway's id among several sharing a catalogue (GatewayIdentity.swift); empty: the
    /// default id, and the trail in DATA/audit.
    var gatewayID = ""
    /// Seconds a lease of periodic work (repair, scrub, lifecycle, garbage collection) lasts
    /// unless renewed: how long the work stops when its gateway dies (docs/scale-out.md, "Leases").
    var leaseSeconds = 30
    /// Seconds a blob file of a shared blob directory must have lived, unreferenced by the
    /// catalogue, before a restarted gateway's sweep deletes it as a stray (docs/scale-out.md,
    /// "Recovery on a shared blob directory"): another gateway may be between writing it and
    /// committing it, which lasts at most as long as its longest request.
    var strayBlobGraceSeconds = 3600
    /// Seconds a stopping server (SIGTERM, SIGINT) gives its requests in flight before it cancels
    /// them and exits; idle keep-alive connections are closed at once.
    var shutdownGraceSeconds = 10
    /// Public access (docs/access.md): the classifications whose buckets may be made public
    /// (comma-separated; empty: none), and the proxies (CIDR blocks) whose X-Forwarded-For is believed.
    var publicClassifications = ["public"]
    var trustedProxies: [String] = []
    /// HTTPS (docs/tls.md, Settings+TLS.swift).
    var tls = TLSSettings()
    /// Temporary credentials (docs/sts.md, Settings+STS.swift).
    var sts = STSSettings()
    /// The `[location ID]` sections, in file order; none means one local location, `local`.
    var locations: [LocationSettings] = []
    /// The configuration file these settings came from, if any.
    var file: String?

    static let keys = [
        "data", "address", "region", "domain", "website-domain", "log-level", "country", "syslog", "placement-rules", "default-classification",
        "key-store", "pkcs11-module", "pkcs11-token",
        "header-timeout", "body-timeout", "minimum-body-rate", "idle-timeout", "max-connections-per-source", "max-connections",
        "signature-v2",
        "lifecycle-interval", "lifecycle-rate", "lifecycle-day-seconds",
        "public-classifications", "trusted-proxies", "gateway-id", "lease-seconds",
        "stray-blob-grace-seconds", "shutdown-grace-seconds",
    ] + CatalogueSettings.keys + TLSSettings.keys + STSSettings.keys

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

        # Base domain(s) of the website endpoints: bucket.website.example.org serves the bucket's
        # website configuration (index and error documents) to browsers, for public buckets only.
        # website-domain = website.example.org

        # trace, debug, info, notice, warning, error or critical.
        log-level = info

        # Country (ISO 3166 alpha-2) of the machine holding the data directory: placement and the
        # audit trail use it for the local location, and for declared locations that name none.
        country = FR

        # Placement rules per classification (JSON; `souverain placement rules` prints the
        # built-in ones to start from), and the classification of buckets created without one.
        # placement-rules = /etc/souverain/placement-rules.json
        default-classification = internal

        # Forward every audit record, once durable, to a syslog collector (RFC 5424 over UDP).
        # syslog = 127.0.0.1:514

        # Where the master key that protects every bucket key is held (docs/keys.md): `keyring`, a
        # file DATA/keyring.json (mode 0600; sealed by a passphrase if SOUVERAIN_KEYRING_PASSPHRASE
        # is set when it is created), or `pkcs11`, an HSM token whose PIN is read from
        # SOUVERAIN_PKCS11_PIN. With an HSM the master key never leaves the token.
        key-store = keyring
        # pkcs11-module = /usr/lib/softhsm/libsofthsm2.so
        # pkcs11-token = souverain

        # Limits a hostile client cannot outlast (0 turns one off). A request's header section
        # must arrive within header-timeout seconds; a body that pauses body-timeout seconds, or
        # averages below minimum-body-rate bytes/s over that time, is cut (400 RequestTimeout);
        # a kept-alive connection idle for idle-timeout seconds is closed. Connections beyond
        # the caps are answered 503 SlowDown and closed. Time the server spends not reading
        # (backpressure from a slow location) never counts against a client.
        # Environment: SOUVERAIN_HEADER_TIMEOUT, ..., SOUVERAIN_MAX_CONNECTIONS; flags of `serve`:
        # --header-timeout, --body-timeout, --minimum-body-rate, --idle-timeout,
        # --max-connections-per-source, --max-connections.
        header-timeout = 60
        body-timeout = 60
        minimum-body-rate = 1024
        idle-timeout = 75
        max-connections-per-source = 256
        max-connections = 4096

        # Signature Version 2 (HMAC-SHA1), still used by aws-cli v1's `s3 presign`, s3cmd's
        # --signature-v2 and older SDKs. Signature V4 is always accepted; `false` refuses V2
        # with 403 AccessDenied. Environment: SOUVERAIN_SIGNATURE_V2.
        signature-v2 = true
        # Lifecycle rules (PutBucketLifecycleConfiguration, docs/lifecycle.md) are applied by a
        # background pass every lifecycle-interval seconds (0: never; `souverain lifecycle run`
        # runs one at once), taking at most lifecycle-rate actions per second (0: no limit).
        # Environment: SOUVERAIN_LIFECYCLE_INTERVAL, SOUVERAIN_LIFECYCLE_RATE.
        lifecycle-interval = 86400
        lifecycle-rate = 100

        # The catalogue (docs/scale-out.md): `sqlite`, embedded in DATA/catalogue.sqlite, or
        # `postgres`, shared by several gateways. The PostgreSQL URL (postgres://USER:PASSWORD@HOST:
        # PORT/DATABASE?sslmode=disable|prefer|require) holds a password: keep it in a file of mode
        # 0600 named by postgres-url-file, or in SOUVERAIN_POSTGRES_URL; it is never printed.
        # `souverain init --postgres URL` writes both lines; `souverain catalogue migrate-to-postgres`
        # copies an embedded catalogue into an empty PostgreSQL one.
        catalogue = sqlite
        # postgres-url-file = /etc/souverain/postgres-url
        # postgres-pool-size = 16
        # Seconds a request waits for PostgreSQL before it is answered 503 (the database is down).
        # postgres-wait-seconds = 10
        # Seconds between two readings of the catalogue's change feed: a key rotated or shredded,
        # or a bucket policy changed, on another gateway is in force here within twice this.
        # catalogue-refresh-seconds = 1
        # This gateway's id among several on one catalogue (default: host name and a hash of the
        # data directory). Setting it writes this gateway's audit trail to DATA/trails/ID (key
        # DATA/trails/ID.key) instead of DATA/audit. Environment: SOUVERAIN_GATEWAY_ID.
        # gateway-id = gw-1
        # Seconds a lease of periodic work (repair, scrub, lifecycle, garbage collection) lasts:
        # one gateway at a time does each; if it dies, another takes over after this.
        # lease-seconds = 30
        # Seconds a blob file of a shared blob directory, referenced by no object, is left alone
        # after it was written: another gateway may not have committed it yet. Keep it above the
        # longest request (a large upload to a slow location); strays older than this, left by a
        # gateway that crashed, are deleted when it restarts and once more this long after.
        # stray-blob-grace-seconds = 3600
        # Seconds a stopping server (SIGTERM) lets requests in flight finish before it cancels
        # them and exits; idle keep-alive connections are closed at once.
        # shutdown-grace-seconds = 10

        # Public access (docs/access.md): only buckets of these classifications may be made
        # readable or writable anonymously, by a bucket policy or an ACL; every other
        # classification refuses it, whatever the bucket's owner asks. Empty: nothing is ever
        # public. Environment: SOUVERAIN_PUBLIC_CLASSIFICATIONS.
        public-classifications = public
        # Proxies (CIDR blocks, comma-separated) whose X-Forwarded-For is believed as the client
        # address of policy conditions on aws:SourceIp; none by default (the header is spoofable).
        # trusted-proxies = 10.0.0.0/8

        # HTTPS (docs/tls.md): a PEM certificate chain (leaf first) and its private key; the
        # server then speaks TLS 1.2 and 1.3 only, and reloads both files on SIGHUP without
        # dropping connections. With tls-client-ca, every client must present a certificate
        # issued by one of the CAs in that PEM file. Environment: SOUVERAIN_TLS_CERT,
        # SOUVERAIN_TLS_KEY, SOUVERAIN_TLS_CLIENT_CA; flags of `serve`: --tls-cert, --tls-key,
        # --tls-client-ca.
        # tls-cert = /etc/souverain/tls/fullchain.pem
        # tls-key = /etc/souverain/tls/key.pem
        # tls-client-ca = /etc/souverain/tls/clients-ca.pem
        # The CAs the commands that call the running server (keys, repair, migrate, ...) trust
        # over HTTPS; by default the certificate of tls-cert (enough when it is self-signed or
        # ends with its root), then the system's store. Environment: SOUVERAIN_SERVER_CA_BUNDLE;
        # flag of every command: --server-ca-bundle.
        # server-ca-bundle = /etc/souverain/tls/ca.pem
        # Temporary credentials (docs/sts.md): the shortest session STS issues, in seconds (AWS's
        # 900; lower it only to test expiry), and the OpenID Connect issuers whose ID tokens
        # AssumeRoleWithWebIdentity accepts, as URL=AUDIENCE[,AUDIENCE] separated by `;`, or one a
        # line in oidc-issuers-file. Environment: SOUVERAIN_STS_MIN_SESSION_SECONDS,
        # SOUVERAIN_OIDC_ISSUERS, SOUVERAIN_OIDC_ISSUERS_FILE.
        # sts-min-session-seconds = 900
        # oidc-issuers = https://sso.example.org/realms/staff=souverain
        # The web console's sign-in through one of those issuers (docs/console.md): authorization
        # code with PKCE in the browser, then AssumeRoleWithWebIdentity for this role. Environment:
        # SOUVERAIN_CONSOLE_OIDC_ISSUER, SOUVERAIN_CONSOLE_OIDC_CLIENT_ID, SOUVERAIN_CONSOLE_OIDC_ROLE_ARN.
        # console-oidc-issuer = https://sso.example.org/realms/staff
        # console-oidc-client-id = souverain
        # console-oidc-role-arn = arn:aws:iam::souverain:role/staff

        # Storage locations, managed with `souverain location add|remove` or by hand. Without
        # any, objects go to DATA/local, an on-premise location in `country`. Each has a
        # sovereignty profile: the provider (an id of `souverain registry list`), its region,
        # the datacentre country; on-premise ones may name the organisation. Examples:
        #
        # [location archives]
        # kind = local
        # path = /srv/souverain/archives
        # provider = on-premise
        # country = FR
        # organisation = Conseil départemental
        #
        # [location ovh-gra]
        # kind = s3
        # endpoint = https://s3.gra.io.cloud.ovh.net
        # bucket = souverain-blobs
        # signing-region = gra
        # access-key = AKIA...
        # secret-key-env = OVH_SECRET_KEY
        # provider = ovhcloud
        # provider-region = gra
        # country = FR
        # preference = 1

        """

    mutating func apply(file path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        file = path
        var section: LocationSettings?
        func close() throws {
            guard let done = section else { return }
            guard !locations.contains(where: { $0.id == done.id }) else {
                throw ValidationError("\(path): location \(done.id) is declared twice")
            }
            try done.validate()
            locations.append(done)
            section = nil
        }
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                try close()
                guard let id = Settings.locationSection(line) else {
                    throw ValidationError("\(path):\(number + 1): expected a section `[location ID]`")
                }
                section = LocationSettings(id: id)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ValidationError("\(path):\(number + 1): expected `key = value`")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            do {
                if section != nil {
                    try section!.set(key, value)
                    continue
                }
                guard Settings.keys.contains(key) else {
                    throw ValidationError("unknown setting `\(key)` (known: \(Settings.keys.joined(separator: ", ")))")
                }
                try set(key, value)
            } catch let error as ValidationError {
                throw ValidationError("\(path):\(number + 1): \(error.message)")
            }
        }
        try close()
    }

    /// The id of a `[location ID]` section header (a trimmed line), or nil if it is not one.
    static func locationSection(_ line: String) -> String? {
        guard line.hasPrefix("["), line.hasSuffix("]") else { return nil }
        let words = line.dropFirst().dropLast().split(separator: " ", omittingEmptySubsequences: true)
        return words.count == 2 && words[0] == "location" ? String(words[1]) : nil
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
        case "website-domain":
            websiteDomains = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "log-level": logLevel = value
        case "country":
            guard value.isEmpty || (value.count == 2 && value.allSatisfy({ $0.isASCII && $0.isLetter })) else {
                throw ValidationError("country must be an ISO 3166 alpha-2 code such as FR, got \(value)")
            }
            country = value.uppercased()
        case "syslog": syslog = value
        case "key-store":
            guard ["keyring", "pkcs11"].contains(value) else {
                throw ValidationError("key-store must be keyring or pkcs11, got \(value)")
            }
            keyStore = value
        case "pkcs11-module": pkcs11Module = value
        case "pkcs11-token": pkcs11Token = value
        case "placement-rules": placementRules = value
        case "header-timeout": headerTimeout = try Self.count(key, value)
        case "body-timeout": bodyTimeout = try Self.count(key, value)
        case "minimum-body-rate": minimumBodyRate = try Self.count(key, value)
        case "idle-timeout": idleTimeout = try Self.count(key, value)
        case "max-connections-per-source": maxConnectionsPerSource = try Self.count(key, value)
        case "max-connections": maxConnections = try Self.count(key, value)
        case "signature-v2":
            guard let flag = Self.flag(value) else {
                throw ValidationError("signature-v2 must be true or false, got \(value)")
            }
            signatureV2 = flag
        case "lifecycle-interval": lifecycleInterval = try Self.count(key, value)
        case "lifecycle-rate": lifecycleRate = try Self.count(key, value)
        case "lifecycle-day-seconds":
            guard let seconds = Int(value), seconds > 0 else {
                throw ValidationError("lifecycle-day-seconds must be a positive number of seconds, got \(value)")
            }
            lifecycleDaySeconds = seconds
        case "public-classifications":
            publicClassifications = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "trusted-proxies":
            trustedProxies = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let bad = trustedProxies.first(where: { IPAddressBlock($0) == nil }) {
                throw ValidationError("trusted-proxies must be IP addresses or CIDR blocks, comma-separated, got \(bad)")
            }
        case "default-classification":
            guard !value.isEmpty else { throw ValidationError("default-classification cannot be empty") }
            defaultClassification = value
        case "gateway-id":
            guard value.isEmpty || GatewayIdentity.isValid(value) else {
                throw ValidationError("gateway-id must be 1 to 64 letters, digits, '.', '_' or '-', not starting with '.', got \(value)")
            }
            gatewayID = value
        case "lease-seconds":
            guard let seconds = Int(value), seconds >= 3 else {
                throw ValidationError("lease-seconds must be a number of seconds, at least 3, got \(value)")
            }
            leaseSeconds = seconds
        case "stray-blob-grace-seconds":
            guard let seconds = Int(value), seconds >= 1 else {
                throw ValidationError("stray-blob-grace-seconds must be a number of seconds, at least 1, got \(value)")
            }
            strayBlobGraceSeconds = seconds
        case "shutdown-grace-seconds":
            guard let seconds = Int(value), seconds >= 0 else {
                throw ValidationError("shutdown-grace-seconds must be a number of seconds, got \(value)")
            }
            shutdownGraceSeconds = seconds
        case _ where CatalogueSettings.keys.contains(key): try catalogue.set(key, value)
        case _ where TLSSettings.keys.contains(key): try tls.set(key, value)
        case _ where STSSettings.keys.contains(key): try sts.set(key, value)
        default: throw ValidationError("unknown setting \(key)")
        }
    }

    /// A limit: a non-negative integer (0 turns it off).
    static func count(_ key: String, _ value: String) throws -> Int {
        guard let number = Int(value), number >= 0 else {
            throw ValidationError("\(key) must be a non-negative integer (0 turns the limit off), got \(value)")
        }
        return number
    }

    /// `true`/`false` (also yes/no, on/off, 1/0); nil for anything else.
    static func flag(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
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

    @Option(name: .customLong("server-ca-bundle"), help: "PEM file of the CAs to trust when calling the running server over HTTPS (setting server-ca-bundle).")
    var serverCABundle: String?

    func settings(
        address: String? = nil, region: String? = nil, domain: String? = nil, logLevel: String? = nil,
        country: String? = nil, syslog: String? = nil
    ) throws -> Settings {
        var settings = Settings()
        let environment = ProcessInfo.processInfo.environment
        if let file = config ?? environment["SOUVERAIN_CONFIG"] { try settings.apply(file: file) }
        try settings.apply(environment: environment)
        if let data { try settings.set("data", data) }
        if let serverCABundle { try settings.set("server-ca-bundle", serverCABundle) }
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

    @Option(help: "Use a PostgreSQL catalogue at this URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE), kept in PATH.postgres-url (0600).")
    var postgres: String?

    func run() throws {
        if FileManager.default.fileExists(atPath: path), !force {
            throw ValidationError("\(path) exists; pass --force to replace it")
        }
        var file = Settings.defaultFile
        if let postgres { file = try CatalogueSettings.writePostgresURL(postgres, besides: path, into: file) }
        try file.write(toFile: path, atomically: true, encoding: .utf8)
        print("Wrote \(path). Start the server with: souverain serve --config \(path)")
    }
}
