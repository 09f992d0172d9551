import ArgumentParser
import Foundation
import SouverainCataloguePostgres

/// Which catalogue a process opens (docs/scale-out.md): the embedded SQLite one of the data
/// directory, or a PostgreSQL one that several gateways share. The PostgreSQL URL carries a
/// password: it is read from `SOUVERAIN_POSTGRES_URL` or the file `postgres-url-file`, kept out
/// of every message (`PostgresConnectionURL.redacted` is what is shown).
struct CatalogueSettings {
    enum Kind: String { case sqlite, postgres }

    var kind = Kind.sqlite
    /// The URL itself (from SOUVERAIN_POSTGRES_URL, or the file: discouraged, the file is not secret).
    var postgresURL = ""
    /// A file holding the URL (mode 0600).
    var postgresURLFile = ""
    /// Connections each gateway keeps at most.
    var postgresPoolSize = 16
    /// Seconds a catalogue call may wait for PostgreSQL (a connection included) before the request
    /// is answered 503: how long a client waits when the database is down.
    var postgresWaitSeconds = 10
    /// Seconds between two readings of the catalogue's change feed (CatalogueFollower): what
    /// another gateway changes is in force here within twice this. PostgreSQL only.
    var refreshSeconds = 1

    static let keys = [
        "catalogue", "postgres-url", "postgres-url-file", "postgres-pool-size", "postgres-wait-seconds", "catalogue-refresh-seconds",
    ]

    mutating func set(_ key: String, _ value: String) throws {
        switch key {
        case "catalogue":
            guard let kind = Kind(rawValue: value) else { throw ValidationError("catalogue must be sqlite or postgres, got \(value)") }
            self.kind = kind
        case "postgres-url": postgresURL = value
        case "postgres-url-file": postgresURLFile = value
        case "postgres-pool-size":
            guard let size = Int(value), size > 0 else { throw ValidationError("postgres-pool-size must be a positive number, got \(value)") }
            postgresPoolSize = size
        case "postgres-wait-seconds":
            guard let seconds = Int(value), seconds > 0 else {
                throw ValidationError("postgres-wait-seconds must be a positive number of seconds, got \(value)")
            }
            postgresWaitSeconds = seconds
        case "catalogue-refresh-seconds":
            guard let seconds = Int(value), seconds > 0, seconds <= 3600 else {
                throw ValidationError("catalogue-refresh-seconds must be a number of seconds from 1 to 3600, got \(value)")
            }
            refreshSeconds = seconds
        default: throw ValidationError("unknown setting \(key)")
        }
    }

    /// The PostgreSQL URL: `postgres-url` (SOUVERAIN_POSTGRES_URL) if set, else the content of
    /// `postgres-url-file`. Errors never quote the URL.
    func connectionURL() throws -> PostgresConnectionURL {
        var text = postgresURL
        if text.isEmpty {
            guard !postgresURLFile.isEmpty else {
                throw ValidationError("catalogue = postgres needs SOUVERAIN_POSTGRES_URL or postgres-url-file")
            }
            do {
                text = try String(contentsOfFile: postgresURLFile, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read postgres-url-file \(postgresURLFile): \(error.localizedDescription)")
            }
        }
        do {
            return try PostgresConnectionURL(text)
        } catch let error as PostgresURLError {
            throw ValidationError("the PostgreSQL URL is not usable: \(error.description)")
        }
    }
}

extension CatalogueSettings {
    /// For `souverain init --postgres URL`: writes the URL to `CONFIG.postgres-url` (mode 0600)
    /// and returns the configuration text set to use it. The URL is checked, never printed.
    static func writePostgresURL(_ text: String, besides configPath: String, into file: String) throws -> String {
        let url: PostgresConnectionURL
        do {
            url = try PostgresConnectionURL(text)
        } catch let error as PostgresURLError {
            throw ValidationError("--postgres: \(error.description)")
        }
        let absolute = URL(fileURLWithPath: configPath).standardizedFileURL.path
        let urlPath = absolute + ".postgres-url"
        guard FileManager.default.createFile(atPath: urlPath, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw ValidationError("cannot write \(urlPath)") }
        // createFile keeps the mode of a file that existed: make sure it is the owner's alone.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: urlPath)
        print("Wrote the URL of \(url.redacted) to \(urlPath) (mode 0600).")
        return file
            .replacingOccurrences(of: "\ncatalogue = sqlite\n", with: "\ncatalogue = postgres\n")
            .replacingOccurrences(of: "# postgres-url-file = /etc/souverain/postgres-url\n", with: "postgres-url-file = \(urlPath)\n")
    }
}
