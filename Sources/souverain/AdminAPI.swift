import ArgumentParser
import Foundation
import NIOCore
import SouverainS3Client

/// Calls to the admin API (`/_souverain/…`) of the server running on a data directory, signed with
/// the directory's admin credentials: how `keys`, `repair`, `migrate` and `location list` reach
/// the running server.
enum AdminAPI {
    /// One call to the server at `endpoint`; the answer's text, without its trailing newline.
    static func call(
        _ settings: Settings, directory: DataDirectory, endpoint: String, method: String, path: String,
        query: [(name: String, value: String?)] = []
    ) async throws -> String {
        let client = try S3Client(configuration: S3ClientConfiguration(
            endpoint: endpoint, region: settings.region, credentials: try directory.adminCredentials()))
        do {
            let body = try await client.adminRequest(method: method, path: path, query: query)
            try await client.shutdown()
            return String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            try? await client.shutdown()
            throw ValidationError("the server at \(endpoint) refused or failed: \(error)")
        }
    }

    /// One call to the server running on the data directory, its JSON answer decoded; refused
    /// when no server runs there.
    static func json(
        _ settings: Settings, method: String, path: String, query: [(name: String, value: String?)] = []
    ) async throws -> [String: Any] {
        let directory = try DataDirectory(settings)
        guard let endpoint = directory.runningEndpoint() else {
            throw ValidationError("no server runs on \(settings.data): start `souverain serve` first")
        }
        let text = try await call(settings, directory: directory, endpoint: endpoint, method: method, path: path, query: query)
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }
}
