import ArgumentParser
import Foundation
import NIOCore
import SouverainS3Client

/// `souverain repair`: the backlog of objects lacking a good copy, and a repair pass on demand
/// (the server also repairs in the background). Both go through the running server, which knows
/// which locations answer (docs/replicas.md).
struct RepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair", abstract: "Show and run the repair of missing or damaged replicas.",
        subcommands: [Status.self, Run.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "How many objects lack a good copy, and which locations answer.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let backlog = try await RepairCommand.adminJSON(settings, method: "GET", path: "repair")
            let locations = try await RepairCommand.adminJSON(settings, method: "GET", path: "locations")
            print("backlog\t\(backlog["backlog"] ?? 0) object(s) with a copy missing or damaged")
            for item in locations["locations"] as? [[String: Any]] ?? [] {
                print("\(item["location"] ?? "?")\t\(item["state"] ?? "?")\t\(item["consecutiveFailures"] ?? 0) failure(s) in a row")
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Repair now every object whose missing copies' locations answer.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let answer = try await RepairCommand.adminJSON(try common.settings(), method: "POST", path: "repair")
            let data = try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// One admin API call to the server running on the data directory, its JSON answer decoded.
    static func adminJSON(
        _ settings: Settings, method: String, path: String, query: [(name: String, value: String?)] = []
    ) async throws -> [String: Any] {
        let directory = try DataDirectory(settings.data)
        guard let endpoint = directory.runningEndpoint() else {
            throw ValidationError("no server runs on \(settings.data): start `souverain serve` first")
        }
        let client = try S3Client(configuration: S3ClientConfiguration(
            endpoint: endpoint, region: settings.region, credentials: try directory.adminCredentials()))
        do {
            let body = try await client.adminRequest(method: method, path: path, query: query)
            try await client.shutdown()
            return try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
        } catch {
            try? await client.shutdown()
            throw ValidationError("the server at \(endpoint) refused or failed: \(error)")
        }
    }
}
