import ArgumentParser
import Foundation
import NIOCore
import SouverainEngine
import SouverainKeys
import SouverainS3Client
import SouverainServer

/// `souverain keys`: the key hierarchy's administration (docs/keys.md). With a server running
/// on the data directory (DATA/endpoint), the server does the work, so that the keys it holds in
/// memory follow; otherwise the command opens the catalogue and the key store itself.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Rotate and retire master and bucket keys.",
        subcommands: [List.self, Rotate.self, Retire.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The master key versions, their state, and how many bucket keys each wraps.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            print(try await KeysCommand.perform(common, method: "GET", path: "keys", query: []) { store in
                try await KeyAdministration.list(store)
            })
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new key version and re-wrap what the old one protected, without re-encrypting any data.",
            discussion: """
                --bucket B: a new version of the bucket's key; every object's data keys are re-wrapped under it. \
                --master: a new master key version in the key store; every bucket key is re-wrapped under it. \
                Earlier versions keep working for reading until `souverain keys retire`.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "The bucket whose key to rotate.") var bucket: String?
        @Flag(help: "Rotate the master key.") var master = false

        func validate() throws {
            guard (bucket != nil) != master else { throw ValidationError("give either --bucket B or --master") }
        }

        func run() async throws {
            let query: [(name: String, value: String?)] = bucket.map { [("bucket", $0)] } ?? [("master", "")]
            print(try await KeysCommand.perform(common, method: "POST", path: "keys/rotate", query: query) { store in
                try await KeyAdministration.rotate(store, bucket: bucket)
            })
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a key version that nothing depends on any more (refused otherwise).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The bucket whose key version to retire.") var bucket: String?
        @Flag(help: "Retire a master key version.") var master = false
        @Option(help: "The version.") var version: UInt32

        func validate() throws {
            guard (bucket != nil) != master else { throw ValidationError("give either --bucket B or --master") }
        }

        func run() async throws {
            var query: [(name: String, value: String?)] = bucket.map { [("bucket", $0)] } ?? [("master", "")]
            query.append(("version", String(version)))
            print(try await KeysCommand.perform(common, method: "POST", path: "keys/retire", query: query) { store in
                try await KeyAdministration.retire(store, bucket: bucket, version: version)
            })
        }
    }

    /// Through the running server's admin API if there is one, else `offline` on a store opened
    /// here. Returns the JSON answer.
    static func perform(
        _ common: CommonOptions, method: String, path: String, query: [(name: String, value: String?)],
        offline: (ObjectStore) async throws -> [String: Any]
    ) async throws -> String {
        let settings = try common.settings()
        let directory = try DataDirectory(settings.data)
        if let endpoint = directory.runningEndpoint() {
            return try await AdminAPI.call(settings, directory: directory, endpoint: endpoint, method: method, path: path, query: query)
        }
        let setup = try PlacementSetup(settings)
        let catalogue = try directory.openCatalogue()
        let keyStore = try await KeyStoreSetup.open(settings, directory: directory)
        let store = setup.store(
            catalogue: catalogue, opened: OpenedLocations(), keys: BucketKeys(store: keyStore, catalogue: catalogue),
            credentials: UserCredentials(store: keyStore, catalogue: catalogue))
        let answer: [String: Any]
        do {
            answer = try await offline(store)
        } catch let error as EngineError {
            await keyStore.close()
            throw ValidationError("\(error.code): \(error.message)")
        }
        await keyStore.close()
        let data = try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
