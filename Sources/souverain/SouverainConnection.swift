import ArgumentParser
import Foundation
import SouverainS3Client

/// How the portability commands reach a Souverain server: the one running on the data directory
/// (its endpoint in DATA/endpoint, the admin credentials as `souverain keys` finds them), or any
/// endpoint given with credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
enum SouverainConnection {
    static func client(_ common: CommonOptions, endpoint: String?, region: String?, concurrency: Int) throws -> S3Client {
        let settings = try common.settings()
        let region = region ?? settings.region
        let resolved: String
        let credentials: S3Credentials
        var caBundle: String?
        if let endpoint {
            let environment = ProcessInfo.processInfo.environment
            guard let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !key.isEmpty,
                  !secret.isEmpty
            else {
                throw ValidationError("with --endpoint, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            resolved = endpoint
            credentials = S3Credentials(accessKeyID: key, secretAccessKey: secret)
        } else {
            guard FileManager.default.fileExists(atPath: settings.data) else {
                throw ValidationError("no data directory at \(settings.data); give --data DIR of a running server, or --endpoint")
            }
            let directory = try DataDirectory(settings)
            guard let running = directory.runningEndpoint() else {
                throw ValidationError(
                    "no server is running on \(directory.path) (no \(directory.endpointPath)); start `souverain serve`, or give --endpoint")
            }
            resolved = running
            credentials = try directory.adminCredentials()
            // The server of this data directory: its certificate is known (AdminAPI.caBundle).
            caBundle = AdminAPI.caBundle(settings, endpoint: running)
        }
        return try client(endpoint: resolved, region: region, credentials: credentials, concurrency: concurrency, caBundle: caBundle)
    }

    static func client(endpoint: String, region: String, credentials: S3Credentials, concurrency: Int, caBundle: String? = nil) throws -> S3Client {
        do {
            return try S3Client(configuration: S3ClientConfiguration(
                endpoint: endpoint, region: region, credentials: credentials, readTimeout: .seconds(300),
                maximumConnections: max(8, concurrency * 3), caBundle: caBundle))
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
