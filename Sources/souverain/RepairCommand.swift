import ArgumentParser
import Foundation
import SouverainServer

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
            let backlog = try await AdminAPI.decode(RepairBacklogAnswer.self, settings, method: "GET", path: "repair")
            let health = try await AdminAPI.decode(LocationHealthAnswer.self, settings, method: "GET", path: "locations")
            print("backlog\t\(backlog.backlog) object(s) with a copy missing or damaged")
            for item in health.locations {
                print("\(item.location)\t\(item.state)\t\(item.consecutiveFailures) failure(s) in a row")
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Repair now every object whose missing copies' locations answer.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try AdminAPI.printJSON(try await AdminAPI.decode(RepairAnswer.self, try common.settings(), method: "POST", path: "repair"))
        }
    }
}
