import ArgumentParser
import Foundation
import SouverainServer
import NIOCore
import SouverainPortability
import SouverainS3Client

/// `souverain migrate --bucket B --to LOCATION`: moves a bucket's bytes to another location
/// while the server serves (docs/replicas.md). The running server does the work, a batch of
/// objects per call, each verified before the catalogue swaps it; this command walks the bucket
/// batch by batch and shows the progress. Interrupted, it resumes: objects already there are
/// skipped.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Move a bucket's bytes to another location, verified, while the server serves.")

    @OptionGroup var common: CommonOptions
    @Option(help: "The bucket to move.") var bucket: String
    @Option(help: "The location to move it to (its classification must allow it).") var to: String
    @Option(help: "Objects moved per call to the server (default 50).") var batch: Int = 50

    func run() async throws {
        let settings = try common.settings()
        let query: [(name: String, value: String?)] = [("bucket", bucket), ("to", to)]
        let plan = try await AdminAPI.decode(MigrationPlanAnswer.self, settings, method: "GET", path: "migrate", query: query)
        let progress = ProgressReporter(label: "migrate \(bucket) → \(to)")
        progress.expect(objects: plan.objects, bytes: plan.bytes)
        var after: String?
        var failed = 0
        try await progress.run {
            repeat {
                var step = query + [("limit", String(max(1, batch)))]
                if let after { step.append(("after", after)) }
                let answer = try await AdminAPI.decode(MigrationStepAnswer.self, settings, method: "POST", path: "migrate", query: step)
                for _ in 0..<answer.moved { progress.objectDone() }
                for _ in 0..<answer.failed { progress.objectFailed() }
                // Changed meanwhile: the new version was placed by its own write.
                for _ in 0..<answer.changed { progress.objectDone() }
                progress.add(bytes: answer.movedBytes)
                failed += answer.failed
                after = answer.next
            } while after != nil
        }
        guard failed == 0 else {
            throw ValidationError("\(failed) object(s) could not be moved (see the server's log); run the command again to retry them")
        }
    }
}
