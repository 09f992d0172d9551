import ArgumentParser
import Foundation
import NIOCore
import SouverainS3Client
import SouverainCatalogue
import SouverainCatalogueSQLite
import SouverainEngine
import SouverainPlacement

/// `souverain placement`: why a bucket's bytes may go where, which stored objects the rules no
/// longer allow, and moving them.
struct PlacementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placement", abstract: "Explain, audit and enforce placement by law.",
        subcommands: [Explain.self, Audit.self, Enforce.self, Rules.self])

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, location by location, why a bucket's (or a classification's) bytes may go there or not, with the registry facts and their dates.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The bucket whose classification to explain.") var bucket: String?
        @Option(help: "A classification to explain, without a bucket.") var classification: String?
        @Flag(help: "JSON instead of text.") var json = false

        func run() async throws {
            let setup = try PlacementSetup(try common.settings())
            let name: String
            switch (bucket, classification) {
            case (let bucket?, nil):
                guard let record = try await setup.directory.openCatalogue().bucket(named: bucket) else {
                    throw ValidationError("no bucket named \(bucket)")
                }
                name = setup.policy.classification(of: record)
            case (nil, let classification?): name = classification
            default: throw ValidationError("give --bucket or --classification")
            }
            let explanation = setup.policy.explain(classification: name)
            if json {
                print(String(decoding: try explanation.json(), as: UTF8.self))
            } else {
                if let bucket { print("Bucket \(bucket) is classified '\(name)'.") }
                print(explanation.text(), terminator: "")
            }
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every object stored where its bucket's classification no longer allows it.")
        @OptionGroup var common: CommonOptions
        @Flag(help: "JSON Lines instead of text.") var json = false

        func run() async throws {
            let setup = try PlacementSetup(try common.settings())
            let opened = try await setup.open()
            let store = setup.store(catalogue: try await setup.directory.openCatalogue(), opened: opened)
            let misplaced = try await store.misplacedObjects()
            for item in misplaced {
                if json {
                    try printJSON([
                        "bucket": item.object.bucket, "key": item.object.key, "size": item.object.size,
                        "location": item.location, "classification": item.classification,
                        "reasons": item.reasons, "allowed": item.allowed,
                    ])
                } else {
                    let to = item.allowed.isEmpty ? "nowhere allowed" : "may go to \(item.allowed.joined(separator: ", "))"
                    print("\(item.object.bucket)/\(item.object.key)\t\(item.object.size) bytes at \(item.location)\t[\(item.classification)] \(to)")
                    for reason in item.reasons { print("    \(reason)") }
                }
            }
            if !json {
                print(misplaced.isEmpty ? "Every object is where its rules allow." : "\(misplaced.count) object(s) stored where their rules no longer allow.")
            }
            await opened.close()
        }
    }

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the placement rules in force (JSON): the built-in ones, or those of `placement-rules`.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let setup = try PlacementSetup(try common.settings())
            print(String(decoding: try setup.policy.rules.encoded(), as: UTF8.self))
        }
    }
}

extension PlacementCommand {
    struct Enforce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move every object stored where its rules no longer allow it to an allowed location, through the running server.",
            discussion: """
                The server does the moves, so that each one is a record of its audit trail: a verified copy, the \
                catalogue switched to the copy, then the old blobs deleted after the garbage grace period. Safe while \
                the server serves (an object overwritten meanwhile is left to its new placement) and resumable: run it \
                again after an interruption. The endpoint comes from --endpoint or DATA/endpoint (written by `serve`), \
                the admin credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or DATA/credentials.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "The server's endpoint (default: the one in DATA/endpoint).") var endpoint: String?
        @Flag(help: "JSON Lines, as the server answers.") var json = false

        func run() async throws {
            let settings = try common.settings()
            let directory = try DataDirectory(settings)
            guard let endpoint = endpoint ?? directory.runningEndpoint() else {
                throw ValidationError("no running server found (DATA/endpoint is absent): start `souverain serve` or give --endpoint")
            }
            let client = try S3Client(configuration: AdminAPI.clientConfiguration(settings, directory: directory, endpoint: endpoint))
            let body: ByteBuffer
            do {
                body = try await client.adminRequest(method: "POST", path: "placement/enforce")
            } catch {
                try? await client.shutdown()
                throw ValidationError("the server refused or failed the enforcement: \(error)")
            }
            try await client.shutdown()
            var counts: [String: Int] = [:]
            for line in String(buffer: body).split(separator: "\n") {
                if json { print(line); continue }
                guard let item = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                let outcome = item["outcome"] as? String ?? "?"
                counts[outcome, default: 0] += 1
                let to = (item["to"] as? String).map { " -> \($0)" } ?? ""
                let message = (item["message"] as? String).map { ": \($0)" } ?? ""
                print("\(outcome)\t\(item["bucket"] ?? "")/\(item["key"] ?? "")\t\(item["from"] ?? "")\(to)\(message)")
            }
            if !json {
                let summary = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                print(summary.isEmpty ? "Nothing to move: every object is where its rules allow." : "Done: \(summary).")
            }
            if counts["failed", default: 0] > 0 { throw ExitCode(1) }
        }
    }
}
