import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import UnixSignals
import SouverainAudit
import SouverainCatalogue
import SouverainCataloguePostgres
import SouverainCatalogueSQLite
import SouverainEngine
import SouverainKeys
import SouverainModel
import SouverainPolicy
import SouverainPlacement
import SouverainS3
import SouverainServer
import SouverainSigV4
import SouverainStorage
import SouverainSTS

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the S3 server (embedded default: objects on local disk, catalogue in SQLite).")

    @OptionGroup var common: CommonOptions

    @Option(help: "HOST:PORT to listen on (default 127.0.0.1:9000; port 0 picks a free one).")
    var address: String?

    @Option(help: "Region clients sign for (default us-east-1).")
    var region: String?

    @Option(help: "Base domain(s) for virtual-hosted-style requests, comma-separated.")
    var domain: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Option(help: "ISO 3166 country of this machine, recorded in the audit trail (e.g. FR).")
    var country: String?

    @Option(help: "HOST:PORT of a syslog collector that receives every audit record (RFC 5424, UDP).")
    var syslog: String?

    @Option(help: "Seconds a client has to send a request's whole header section (default 60; 0 turns it off).")
    var headerTimeout: Int?

    @Option(help: "Seconds a request body may pause, and the window of --minimum-body-rate (default 60; 0 turns it off).")
    var bodyTimeout: Int?

    @Option(help: "Bytes per second a request body must average over --body-timeout (default 1024; 0 turns it off).")
    var minimumBodyRate: Int?

    @Option(help: "Seconds a kept-alive connection may wait for its next request (default 75; 0 turns it off).")
    var idleTimeout: Int?

    @Option(help: "Open connections allowed from one source address (default 256; 0 turns the cap off).")
    var maxConnectionsPerSource: Int?

    @Option(help: "Open connections allowed in all (default 4096; 0 turns the cap off).")
    var maxConnections: Int?

    @Option(help: "HTTPS: PEM file of the server certificate chain, leaf first (with --tls-key; reloaded on SIGHUP).")
    var tlsCert: String?

    @Option(help: "HTTPS: PEM file of the certificate's private key (with --tls-cert).")
    var tlsKey: String?

    @Option(help: "HTTPS: PEM file of the CAs whose client certificates are required (mutual TLS).")
    var tlsClientCa: String?

    @Option(help: .init("Seconds a dropped blob is kept for reads in flight before deletion (default 60).", visibility: .hidden))
    var garbageGrace: Int = 60

    @Option(help: "Seconds between two background repairs of missing or damaged replicas (default 10; 0 turns it off).")
    var repairInterval: Int = 10

    @Option(help: "Seconds between two background scrubs, which read and authenticate every copy of every replicated object (default 86400; 0 turns it off).")
    var scrubInterval: Int = 86_400

    @Option(help: "Milliseconds the background scrub pauses between two objects: its pace (default 20).")
    var scrubPause: Int = 20

    @Flag(help: .init("Run without the audit trail: for measuring its cost only, never in production.", visibility: .hidden))
    var withoutAuditTrail = false

    @Flag(help: .init("Store new objects in clear: for measuring the cost of encryption only, never in production.", visibility: .hidden))
    var withoutEncryption = false

    func run() async throws {
        // Before anything uses the pool: small blobs' commits meet there in one sync.
        NIOSingletons.blockingPoolThreadCountSuggestion = LocalLocation.ioThreads
        var settings = try common.settings(
            address: address, region: region, domain: domain, logLevel: logLevel, country: country, syslog: syslog)
        for (key, value) in [
            ("header-timeout", headerTimeout), ("body-timeout", bodyTimeout), ("minimum-body-rate", minimumBodyRate),
            ("idle-timeout", idleTimeout), ("max-connections-per-source", maxConnectionsPerSource),
            ("max-connections", maxConnections),
        ] {
            if let value { try settings.set(key, String(value)) }
        }
        for (key, value) in [("tls-cert", tlsCert), ("tls-key", tlsKey), ("tls-client-ca", tlsClientCa)] {
            if let value { try settings.set(key, value) }
        }
        // Refused before anything opens: a certificate that cannot be served stops the start.
        let tls = try settings.tls.files().map { files in
            do { return try ServerTLS(files: files) } catch let error as ServerTLSError { throw ValidationError(error.message) }
        }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        let gateway = GatewayIdentity(settings)
        // Several gateways on one catalogue: every line says which one wrote it.
        let tagged = gateway.isExplicit || settings.catalogue.kind == .postgres
        LoggingSystem.bootstrap { label in
            var handler = ServerLogHandler(label: label, level: level)
            if tagged { handler.metadata["gateway"] = "\(gateway.id)" }
            return handler
        }
        let logger = Logger(label: "souverain.server")
        let (host, port) = try settings.hostAndPort()
        let setup = try PlacementSetup(settings)
        let directory = setup.directory
        // One of several gateways: say which, and where its trail is (a single one logs as before).
        if tagged { logger.notice("gateway", metadata: ["id": "\(gateway.id)", "trail": "\(directory.auditDirectory)"]) }
        let catalogue = try await directory.openCatalogue(keepingLookups: true)
        if settings.catalogue.kind == .postgres {
            let database = try settings.catalogue.connectionURL().redacted
            logger.notice("catalogue: PostgreSQL", metadata: ["database": "\(database)"])
        }
        let keyStore = try await KeyStoreSetup.open(settings, directory: directory)
        // Users' secrets are sealed by the master key; a catalogue written before holds them in clear.
        let credentials = UserCredentials(store: keyStore, catalogue: catalogue)
        let sealed = try await credentials.sealClearSecrets()
        if sealed > 0 { logger.notice("sealed users' secrets left in clear by an earlier version", metadata: ["count": "\(sealed)"]) }
        let (admin, newSecret) = try await Self.adminUser(catalogue: catalogue, credentials: credentials, directory: directory)

        let opened = try await setup.open()
        if withoutEncryption {
            logger.warning("running WITHOUT encryption (--without-encryption): new objects are stored in clear; for benchmarks only")
        }
        // With a shared catalogue, what this gateway caches follows the others' changes
        // (docs/scale-out.md, "The bound"); an embedded one has no other writer while it serves.
        let refresh = Duration.seconds(settings.catalogue.refreshSeconds)
        let validity = settings.catalogue.kind == .postgres ? CacheValidity(bound: refresh * 2) : nil
        let keys = withoutEncryption ? nil : BucketKeys(store: keyStore, catalogue: catalogue, validity: validity)
        let follower = validity.map { CatalogueFollower(catalogue: catalogue, keys: keys, validity: $0, interval: refresh) }
        try await follower?.poll()
        let leases = PeriodicJobLeases(
            catalogue: catalogue, holder: gateway.id, duration: .seconds(settings.leaseSeconds), logger: logger)

        // The trail opens before the store: the engine records its own movements of bytes in it
        // (repair, scrub, garbage collection), the recovery's included.
        let auditWriter = try await Self.openAuditTrail(directory: directory, logger: logger)
        let audit = AuditTrail(
            writer: auditWriter,
            locations: Dictionary(uniqueKeysWithValues: setup.policy.locations.map {
                ($0.id, AuditTrail.LocationProfile(providerID: $0.profile.providerID, country: $0.profile.country))
            }),
            syslog: settings.syslog.isEmpty ? nil : try SyslogForwarder(target: settings.syslog))
        if withoutAuditTrail {
            logger.warning("running WITHOUT the audit trail (--without-audit-trail): requests leave no trace; for benchmarks only")
        }
        let store = setup.store(
            catalogue: catalogue, opened: opened, keys: keys, garbageGrace: .seconds(max(0, garbageGrace)),
            movements: withoutAuditTrail ? nil : audit, credentials: credentials)
        // Several gateways on one catalogue share their blob directory: a blob nobody references
        // may be another's write not yet committed (StraySweep).
        let sweep = try await Self.recover(
            store: store, locals: opened.locals, directory: directory,
            shared: settings.catalogue.kind == .postgres
                ? StraySweep.Shared(leases: leases, grace: .seconds(settings.strayBlobGraceSeconds)) : nil,
            logger: logger)

        let registry = PrometheusCollectorRegistry()
        var server = S3Server(
            store: store, verifier: SigV4Verifier(region: settings.region),
            addressing: S3Addressing(virtualHostBaseDomains: settings.domains),
            metrics: ServerMetrics(registry: registry), logger: Logger(label: "souverain.s3"),
            audit: withoutAuditTrail ? nil : audit, signatureV2: settings.signatureV2 ? SigV2Verifier() : nil)
        server.websiteAddressing = S3Addressing(virtualHostBaseDomains: settings.websiteDomains)
        server.lifecycleDays = settings.lifecycleDays
        server.gatewayID = gateway.id
        if let follower { server.follow(follower) }
        server.complianceReport = { [settings] in try await ReportGathering.served(settings: settings) }
        server.access = AccessSettings(
            publicClassifications: Set(settings.publicClassifications), trustedProxies: settings.trustedProxies.compactMap(IPAddressBlock.init),
            servesTLS: tls != nil)
        // Temporary credentials (docs/sts.md): session tokens sealed by the key store's master key.
        server.sts = STSService(
            sessions: SessionVerifier(store: keyStore),
            oidc: settings.sts.issuers.isEmpty ? nil : OIDCVerifier(issuers: settings.sts.issuers, logger: Logger(label: "souverain.sts")),
            minimumSessionSeconds: settings.sts.minimumSessionSeconds)
        server.consoleOIDC = try settings.sts.consoleOIDC()
        let region = settings.region
        let credentialsPath = directory.credentialsPath
        let endpointPath = directory.endpointPath
        let scheme = tls == nil ? "http" : "https"
        let refusals = RefusalRecorder(audit: withoutAuditTrail ? nil : audit, logger: Logger(label: "souverain.http"))
        let app = Application(
            responder: server,
            server: .guardedHTTP1(
                limits: settings.connectionLimits, refusals: refusals, tls: tls,
                additionalChannelHandlers: [ExpectContinueHandler()]),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Souverain"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                let shownHost = host.contains(":") ? "[\(host)]" : host
                let endpoint = "\(scheme)://\(shownHost == "0.0.0.0" ? "127.0.0.1" : shownHost):\(bound)"
                try? (endpoint + "\n").write(toFile: endpointPath, atomically: true, encoding: .utf8)
                Self.printBanner(endpoint: "\(scheme)://\(shownHost):\(bound)", region: region, admin: admin, newSecret: newSecret,
                                 credentialsPath: credentialsPath, setup: setup)
            },
            logger: Logger(label: "souverain.http"))
        let collector = GarbageCollector(store: store, leases: leases)
        let checkpointer = AuditCheckpointer(writer: auditWriter)
        let maintenance = ReplicaMaintenance(
            store: store, repairInterval: repairInterval, scrubInterval: scrubInterval, scrubPause: scrubPause, leases: leases,
            logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let tls {
            // SIGHUP is trapped before the endpoint is announced, so a reload asked at once is not lost.
            let signals = await UnixSignalsSequence(trapping: .sighup)
            services.append(.init(service: CertificateReloader(tls: tls, signals: signals, logger: logger)))
        }
        var coordination: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let follower { coordination.append(.init(service: CatalogueFollowing(follower: follower, logger: logger))) }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services + [
                .init(service: app), .init(service: collector), .init(service: checkpointer), .init(service: maintenance),
                .init(service: RefusalRecords(recorder: refusals)),
                .init(service: LifecycleService(
                    store: store, interval: settings.lifecycleInterval, rate: settings.lifecycleRate,
                    days: settings.lifecycleDays, leases: leases, logger: logger)),
            ] + coordination + (sweep.map { [.init(service: DeferredStraySweep(sweep: $0), successTerminationBehavior: .ignore)] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A stop (SIGTERM, SIGINT) closes idle connections at once and lets requests in flight
        // finish; past this bound what is left is cancelled (a client that stopped reading a
        // download cannot hold the process), so a gateway always leaves (docs/scale-out.md).
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(settings.shutdownGraceSeconds)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        await leases.releaseAll()
        try? FileManager.default.removeItem(atPath: endpointPath)
        // A final signed checkpoint over the last records.
        try await auditWriter.close()
        await opened.close()
        await keyStore.close()
        await (catalogue as? PostgresCatalogue)?.close()
        // Reached only on a graceful stop: the next start can skip the sweep for stray blobs,
        // unless a sweep this run owed (a shared directory's second one) is not done.
        if sweep?.isFinished ?? true {
            _ = FileManager.default.createFile(atPath: directory.cleanShutdownMarker, contents: nil)
        }
    }

    /// Opens the audit trail, creating its Ed25519 key on first start (private key 0600, public
    /// key beside it for auditors). A torn last record (a crash mid-write) is never accepted
    /// silently: it is logged as an error, kept aside in a file, and the trail records that it
    /// was cut before anything else is appended.
    static func openAuditTrail(directory: DataDirectory, logger: Logger) async throws -> AuditWriter {
        let key: AuditKey
        if FileManager.default.fileExists(atPath: directory.auditKeyPath) {
            key = try AuditKey.load(from: directory.auditKeyPath)
        } else {
            // A gateway with its own id keeps its trail and key under DATA/trails.
            try FileManager.default.createDirectory(
                atPath: (directory.auditKeyPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            key = AuditKey.generate()
            try key.save(to: directory.auditKeyPath)
            try (key.publicKey.base64 + "\n").write(toFile: directory.auditPublicKeyPath, atomically: true, encoding: .utf8)
        }
        let recovery = FileManager.default.fileExists(atPath: directory.auditDirectory)
            ? try AuditWriter.inspect(directory: directory.auditDirectory) : .clean
        if recovery != .clean {
            logger.error("the audit trail ends with a torn record; it is kept aside and the cut is recorded in the trail",
                         metadata: ["recovery": "\(recovery)"])
        }
        return try await AuditWriter.open(
            directory: directory.auditDirectory, key: key,
            onTornTail: recovery == .clean ? .refuse : .truncate(recovery))
    }

    /// The admin user: created on first start from SOUVERAIN_ADMIN_ACCESS_KEY / _SECRET_KEY or
    /// generated, and written to `credentials` (0600).
    static func adminUser(
        catalogue: any Catalogue, credentials: UserCredentials, directory: DataDirectory
    ) async throws -> (admin: User, secret: String?) {
        if let existing = try await catalogue.users().first(where: { $0.role == .admin }) { return (existing, nil) }
        let environment = ProcessInfo.processInfo.environment
        let accessKey = environment["SOUVERAIN_ADMIN_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? KeyGenerator.accessKeyID()
        let secret = environment["SOUVERAIN_ADMIN_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? KeyGenerator.secret()
        let text = "# Souverain admin credentials (created \(Date()))\naccess_key = \(accessKey)\nsecret_key = \(secret)\n"
        guard FileManager.default.createFile(atPath: directory.credentialsPath, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(directory.credentialsPath)")
        }
        let admin = try await credentials.addUser(name: "admin", role: .admin, accessKeyID: accessKey, secretAccessKey: secret)
        return (admin, secret)
    }

    /// Finishes what a previous run left: garbage blobs, and after an unclean stop, blobs renamed
    /// into place whose catalogue commit never happened (`StraySweep`, returned when one is owed).
    /// Alone on its directory, nothing can still read a dropped blob at start: garbage goes at once.
    /// With a `shared` catalogue, other gateways may be reading them: garbage waits for the
    /// collector, its grace and its lease.
    static func recover(
        store: ObjectStore, locals: [LocalLocation], directory: DataDirectory, shared: StraySweep.Shared?, logger: Logger
    ) async throws -> StraySweep? {
        let started = Date()
        if shared == nil {
            await store.collectGarbage(immediately: true)
        }
        let marker = directory.cleanShutdownMarker
        if FileManager.default.fileExists(atPath: marker) {
            try FileManager.default.removeItem(atPath: marker)
            return nil
        }
        let sweep = StraySweep(store: store, locals: locals, shared: shared, logger: logger, startedAt: started)
        await sweep.sweepAtStart()
        return sweep
    }

    /// `newSecret`: the admin's secret when it was just created, shown this once.
    static func printBanner(endpoint: String, region: String, admin: User, newSecret: String?, credentialsPath: String,
                            setup: PlacementSetup) {
        var lines = [
            "Souverain is serving S3.",
            "  Endpoint:    \(endpoint)",
            "  Region:      \(region)",
            "  Access key:  \(admin.accessKeyID)",
        ]
        if let newSecret {
            lines.append("  Secret key:  \(newSecret)")
            lines.append("  (kept in \(credentialsPath), mode 0600; shown only on this first start)")
        } else {
            lines.append("  Secret key:  in \(credentialsPath)")
        }
        for location in setup.policy.locations {
            let region = location.profile.region.map { " \($0)" } ?? ""
            lines.append("  Location:    \(location.id) (\(location.kind.rawValue), \(location.profile.providerID)\(region), \(location.profile.country))")
        }
        lines.append("  Buckets are classified '\(setup.policy.defaultClassification)' unless created with another classification.")
        lines += [
            "Try it:",
            "  export AWS_ACCESS_KEY_ID=\(admin.accessKeyID) AWS_SECRET_ACCESS_KEY=\(newSecret ?? "<secret from the credentials file>") AWS_DEFAULT_REGION=\(region)",
            "  aws --endpoint-url \(endpoint) s3 mb s3://my-bucket",
            "  aws --endpoint-url \(endpoint) s3 cp ./file s3://my-bucket/",
        ]
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

/// Signs a checkpoint over recent audit records every interval, so an idle trail is signed too.
struct AuditCheckpointer: Service {
    let writer: AuditWriter

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await writer.runCheckpointer()
        }
    }
}

/// Writes the records of requests the HTTP layer refused, under their rate limit.
struct RefusalRecords: Service {
    let recorder: RefusalRecorder

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await recorder.run()
        }
    }
}

extension Settings {
    var connectionLimits: ConnectionLimits {
        ConnectionLimits(
            headerTimeout: .seconds(headerTimeout), bodyTimeout: .seconds(bodyTimeout), minimumBodyRate: minimumBodyRate,
            idleTimeout: .seconds(idleTimeout), maximumConnectionsPerSource: maxConnectionsPerSource,
            maximumConnections: maxConnections)
    }
}

/// Deletes the blobs the catalogue has let go of, every few seconds.
struct GarbageCollector: Service {
    let store: ObjectStore
    /// One gateway at a time collects (lease `garbage-collection`).
    let leases: PeriodicJobLeases

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await leases.run("garbage-collection") {
                    await store.collectGarbage(immediately: false)
                }
                try await Task.sleep(for: .seconds(5))
            }
        }
    }
}

/// Probes the locations that are down every second, repairs missing or damaged replicas every
/// `repairInterval` seconds, and scrubs every `scrubInterval` seconds at the pace of
/// `scrubPause` milliseconds between objects (docs/replicas.md).
struct ReplicaMaintenance: Service {
    let store: ObjectStore
    let repairInterval: Int
    let scrubInterval: Int
    let scrubPause: Int
    /// One gateway at a time repairs (lease `repair`) and scrubs (lease `scrub`); each probes.
    let leases: PeriodicJobLeases
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                if scrubInterval > 0 { group.addTask { try await scrubLoop() } }
                try await probeAndRepairLoop()
            }
        }
    }

    private func scrubLoop() async throws {
        let pause = Duration.milliseconds(max(0, scrubPause))
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(scrubInterval))
            do {
                try await leases.run("scrub") { [store, logger] in
                    let report = try await store.scrub { try await Task.sleep(for: pause) }
                    logger.info("scrub done", metadata: [
                        "verified": "\(report.verified)", "damaged": "\(report.damaged)", "skipped": "\(report.skipped)"])
                }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("the scrub failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func probeAndRepairLoop() async throws {
        var sinceRepair = 0
        while !Task.isCancelled {
            await store.probeLocations()
            sinceRepair += 1
            if repairInterval > 0, sinceRepair >= repairInterval {
                sinceRepair = 0
                do {
                    try await leases.run("repair") { [store, logger] in
                        let report = try await store.repair(limit: 1000)
                        if report.repaired > 0 || report.changed > 0 {
                            logger.info("repaired replicas", metadata: [
                                "objects": "\(report.repaired)", "deferred": "\(report.deferred)", "changed": "\(report.changed)"])
                        }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("the repair pass failed", metadata: ["error": "\(error)"])
                }
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}
