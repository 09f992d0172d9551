import ArgumentParser
import Foundation
import SouverainCatalogue
import SouverainCatalogueSQLite
import SouverainCataloguePostgres
import SouverainModel
import SouverainS3Client
import SouverainStorage

/// The embedded default's layout: `catalogue.sqlite`, `local/` (blobs of the local location) and
/// `credentials` (the admin's keys, mode 0600).
struct DataDirectory {
    let path: String
    /// Which catalogue `openCatalogue` opens: the embedded one, or PostgreSQL (docs/scale-out.md).
    var catalogue = CatalogueSettings()

    var cataloguePath: String { path + "/catalogue.sqlite" }
    var localRoot: String { path + "/local" }
    var credentialsPath: String { path + "/credentials" }
    var cleanShutdownMarker: String { path + "/clean-shutdown" }
    /// This gateway's audit trail, relative to the data directory: `audit` for the default
    /// gateway, `trails/ID` for one with an explicit `gateway-id` (GatewayIdentity.swift).
    var trailName = "audit"
    var auditDirectory: String { path + "/" + trailName }
    /// The master keys when the key store is the embedded keyring.
    var keyringPath: String { path + "/keyring.json" }
    /// The Ed25519 key that signs audit checkpoints (mode 0600), and its public half for auditors.
    var auditKeyPath: String { auditDirectory + ".key" }
    var auditPublicKeyPath: String { auditDirectory + ".pub" }
    /// The endpoint of the server running on this directory, written once it listens, removed
    /// when it stops: how the CLI reaches it for admin actions.
    var endpointPath: String { path + "/endpoint" }

    func runningEndpoint() -> String? {
        (try? String(contentsOfFile: endpointPath, encoding: .utf8)).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The admin key pair: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else the credentials file.
    func adminCredentials() throws -> S3Credentials {
        let environment = ProcessInfo.processInfo.environment
        if let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !key.isEmpty, !secret.isEmpty {
            return S3Credentials(accessKeyID: key, secretAccessKey: secret)
        }
        guard let text = try? String(contentsOfFile: credentialsPath, encoding: .utf8) else {
            throw ValidationError("no admin credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or keep \(credentialsPath)")
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let key = values["access_key"], let secret = values["secret_key"] else {
            throw ValidationError("\(credentialsPath) has no access_key and secret_key")
        }
        return S3Credentials(accessKeyID: key, secretAccessKey: secret)
    }

    init(_ path: String) throws {
        self.path = (path as NSString).standardizingPath
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// The data directory of `settings`, with the catalogue they choose.
    init(_ settings: Settings) throws {
        try self.init(settings.data)
        catalogue = settings.catalogue
        trailName = GatewayIdentity(settings).trailName
    }

    /// The catalogue of this data directory, as the settings choose: every command that reads or
    /// changes the catalogue opens it here, so that all of them follow `catalogue = postgres`.
    /// `keepingLookups`: the server's, which keeps the embedded catalogue's users and buckets in
    /// memory between their changes (LookupCache.swift).
    func openCatalogue(keepingLookups: Bool = false) async throws -> any Catalogue {
        switch catalogue.kind {
        case .sqlite:
            return try openEmbeddedCatalogue(keepingLookups: keepingLookups)
        case .postgres:
            let url = try catalogue.connectionURL()
            return try await PostgresCatalogue(
                configuration: url.configuration(poolSize: catalogue.postgresPoolSize), waitLimit: .seconds(catalogue.postgresWaitSeconds))
        }
    }

    /// The embedded SQLite catalogue, whatever the settings say (what migrate-to-postgres copies).
    func openEmbeddedCatalogue(keepingLookups: Bool = false) throws -> SQLiteCatalogue {
        let catalogue = try SQLiteCatalogue(path: cataloguePath, keepingLookups: keepingLookups)
        // The catalogue holds the users' secrets: readable by the owner only.
        for suffix in ["", "-wal", "-shm", "-commits"] where FileManager.default.fileExists(atPath: cataloguePath + suffix) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: cataloguePath + suffix)
        }
        return catalogue
    }
}
