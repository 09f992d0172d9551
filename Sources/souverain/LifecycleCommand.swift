import ArgumentParser
import Foundation
import SouverainServer

/// `souverain lifecycle run [--bucket B]`: one lifecycle pass now, through the running server
/// (which knows the day length it counts with), printing each action it took, refused or skipped.
struct LifecycleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle", abstract: "Apply buckets' lifecycle rules (docs/lifecycle.md).", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one lifecycle pass now, over one bucket or every bucket with a configuration, and print what it did.")
        @OptionGroup var common: CommonOptions

        @Option(help: "Only this bucket.")
        var bucket: String?

        @Flag(help: "Print the server's JSON answer instead of one line per action.")
        var json = false

        func run() async throws {
            let answer = try await AdminAPI.decode(
                LifecycleRunAnswer.self, try common.settings(), method: "POST", path: "lifecycle/run",
                query: bucket.map { [(name: "bucket", value: Optional($0))] } ?? [])
            if json {
                try AdminAPI.printJSON(answer)
                return
            }
            for action in answer.actions {
                var line = "\(action.outcome)\t\(action.action)\t\(action.bucket)\t\(action.key)"
                if let version = action.version { line += "\tversion \(version)" }
                if let upload = action.uploadId { line += "\tupload \(upload)" }
                line += "\trule \(action.rule)"
                print(line)
            }
            print("\(answer.actions.count) action(s) over \(answer.buckets.count) bucket(s), \(answer.examined) version(s) and upload(s) examined")
        }
    }
}
