import ArgumentParser
import Foundation
import NIOCore
import SouverainS3Client
import SouverainServer

/// Calls to the admin API (`/_souverain/…`) of the server running on a data directory, signed with
/// the directory's admin credentials: how `keys`, `repair`, `migrate` and `location list` reach
/// the running server.
enum AdminAPI {
    /// One call to the server at `endpoint`; the answer's text, without its trailing newline.
    static func call(
        _ settings: Settings, directory: DataDirectory, endpoint: String, method: String, path: String,
        query: [(name: String, value: String?)] = []
    ) async throws -> String {
        let client = try S3Client(configuration: clientConfiguration(settings, directory: directory, endpoint: endpoint))
        do {
            let body = try await client.adminRequest(method: method, path: path, query: query)
            try await client.shutdown()
            return String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            try? await client.shutdown()
            throw ValidationError("the server at \(endpoint) refused or failed: \(error)")
        }
    }

    /// How the CLI reaches the server at `endpoint` on this data directory: signed with the
    /// directory's admin credentials and, over HTTPS, trusting the `server-ca-bundle` setting's
    /// CAs, else the certificate the directory's own server serves (`tls-cert`: a self-signed one,
    /// or a chain that ends with its root), else the system's trust store.
    static func clientConfiguration(_ settings: Settings, directory: DataDirectory, endpoint: String) throws -> S3ClientConfiguration {
        S3ClientConfiguration(
            endpoint: endpoint, region: settings.region, credentials: try directory.adminCredentials(),
            caBundle: caBundle(settings, endpoint: endpoint))
    }

    /// The CA bundle for a call to `endpoint`; nil for plain HTTP or the system's store.
    static func caBundle(_ settings: Settings, endpoint: String) -> String? {
        guard endpoint.lowercased().hasPrefix("https://") else { return nil }
        if !settings.tls.serverCABundle.isEmpty { return settings.tls.serverCABundle }
        return settings.tls.certificate.isEmpty ? nil : settings.tls.certificate
    }

    /// One call to the server running on the data directory, its JSON answer decoded as the
    /// server's own answer type (`SouverainServer`'s `Admin/*.swift`); refused when no server runs there.
    static func decode<Answer: Decodable>(
        _ type: Answer.Type, _ settings: Settings, method: String, path: String, query: [(name: String, value: String?)] = []
    ) async throws -> Answer {
        let directory = try DataDirectory(settings)
        guard let endpoint = directory.runningEndpoint() else {
            throw ValidationError("no server runs on \(settings.data): start `souverain serve` first")
        }
        let text = try await call(settings, directory: directory, endpoint: endpoint, method: method, path: path, query: query)
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(text.utf8))
        } catch {
            throw ValidationError("the server at \(endpoint) answered \(path) with JSON this command does not read: \(error)")
        }
    }

    /// An answer printed as JSON with sorted keys (the `--json` form of the commands).
    static func printJSON(_ answer: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(answer), as: UTF8.self))
    }
}
