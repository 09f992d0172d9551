import ArgumentParser
import Foundation
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainKeys
import SouverainS3Client
import SouverainServer

/// `souverain keys`: the key hierarchy's administration (docs/keys.md). With a server running
/// on the data directory (DATA/endpoint), the server does the work, so that the keys it holds in
/// memory follow; otherwise the command opens the catalogue and the key store itself.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Rotate and retire master and bucket keys; create, grant, rotate, retire and shred named keys.",
        subcommands: [List.self, Create.self, Rotate.self, Retire.self, Shred.self, Grant.self, Revoke.self])

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
        @Option(help: "The named key to rotate (NAME, alias/NAME, its id or ARN).") var key: String?
        @Flag(help: "Rotate the master key.") var master = false

        func validate() throws {
            guard [bucket != nil, key != nil, master].filter({ $0 }).count == 1 else {
                throw ValidationError("give one of --bucket B, --key NAME or --master")
            }
        }

        func run() async throws {
            if let key {
                print(try await KeysCommand.perform(common, method: "POST", path: "keys/rotate", query: [("key", key)]) { store in
                    try await KeyAdministration.rotate(store, key: key)
                })
                return
            }
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
        @Option(help: "The named key whose version to retire.") var key: String?
        @Flag(help: "Retire a master key version.") var master = false
        @Option(help: "The version.") var version: UInt32

        func validate() throws {
            guard [bucket != nil, key != nil, master].filter({ $0 }).count == 1 else {
                throw ValidationError("give one of --bucket B, --key NAME or --master")
            }
        }

        func run() async throws {
            if let key {
                let query: [(name: String, value: String?)] = [("key", key), ("version", String(version))]
                print(try await KeysCommand.perform(common, method: "POST", path: "keys/retire", query: query) { store in
                    try await KeyAdministration.retire(store, key: key, version: Int(version))
                })
                return
            }
            var query: [(name: String, value: String?)] = bucket.map { [("bucket", $0)] } ?? [("master", "")]
            query.append(("version", String(version)))
            print(try await KeysCommand.perform(common, method: "POST", path: "keys/retire", query: query) { store in
                try await KeyAdministration.retire(store, bucket: bucket, version: version)
            })
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a named key that applications name as their SSE-KMS key (alias/NAME, its id or ARN).",
            discussion: """
                The key is kept wrapped by the master key (in the HSM's custody with key-store = pkcs11). \
                Admins may use it at once; other users need `souverain keys grant`.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "The alias, without alias/ (letters, digits, '/', '_', '-').") var alias: String
        @Option(help: "What the key is for.") var description = ""

        func run() async throws {
            let name = alias.hasPrefix("alias/") ? String(alias.dropFirst(6)) : alias
            let query: [(name: String, value: String?)] = [("alias", name), ("description", description)]
            print(try await KeysCommand.perform(common, method: "POST", path: "keys/create", query: query) { store in
                try await KeyAdministration.create(store, alias: name, description: description, creator: KeyAdministration.offlineCreator)
            })
        }
    }

    struct Shred: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Destroy a named key: every object under it, wherever it is stored, can never be read again.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The named key to shred.") var key: String
        @Flag(help: "Confirm: this cannot be undone.") var yes = false

        func run() async throws {
            guard yes else {
                throw ValidationError("shredding \(key) makes every object under it unreadable forever; add --yes to confirm")
            }
            print(try await KeysCommand.perform(common, method: "POST", path: "keys/shred", query: [("key", key)]) { store in
                try await KeyAdministration.shred(store, key: key)
            })
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allow a user to encrypt (write) or decrypt (read) with a named key; both when neither flag is given.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The named key.") var key: String
        @Option(help: "The user's name.") var user: String
        @Flag(help: "Writes under the key.") var encrypt = false
        @Flag(help: "Reads of objects under the key.") var decrypt = false

        func run() async throws {
            print(try await KeysCommand.grant(common, key: key, user: user, encrypt: encrypt, decrypt: decrypt, revoke: false))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw a user's use of a named key: --encrypt, --decrypt, or both when neither flag is given.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The named key.") var key: String
        @Option(help: "The user's name.") var user: String
        @Flag(help: "Writes under the key.") var encrypt = false
        @Flag(help: "Reads of objects under the key.") var decrypt = false

        func run() async throws {
            print(try await KeysCommand.grant(common, key: key, user: user, encrypt: encrypt, decrypt: decrypt, revoke: true))
        }
    }

    static func grant(_ common: CommonOptions, key: String, user: String, encrypt: Bool, decrypt: Bool, revoke: Bool) async throws -> String {
        var query: [(name: String, value: String?)] = [("key", key), ("user", user)]
        if encrypt { query.append(("encrypt", "")) }
        if decrypt { query.append(("decrypt", "")) }
        return try await perform(common, method: "POST", path: revoke ? "keys/revoke" : "keys/grant", query: query) { store in
            try await KeyAdministration.grant(
                store, key: key, user: user, encrypt: encrypt, decrypt: decrypt, revoke: revoke, decider: nil)
        }
    }

    /// Through the running server's admin API if there is one, else `offline` on a store opened
    /// here. Returns the JSON answer.
    static func perform(
        _ common: CommonOptions, method: String, path: String, query: [(name: String, value: String?)],
        offline: (ObjectStore) async throws -> any Encodable
    ) async throws -> String {
        let settings = try common.settings()
        let directory = try DataDirectory(settings)
        if let endpoint = directory.runningEndpoint() {
            return try await AdminAPI.call(settings, directory: directory, endpoint: endpoint, method: method, path: path, query: query)
        }
        let setup = try PlacementSetup(settings)
        let catalogue = try await directory.openCatalogue()
        let keyStore = try await KeyStoreSetup.open(settings, directory: directory)
        let store = setup.store(
            catalogue: catalogue, opened: OpenedLocations(), keys: BucketKeys(store: keyStore, catalogue: catalogue),
            credentials: UserCredentials(store: keyStore, catalogue: catalogue))
        let answer: any Encodable
        do {
            answer = try await offline(store)
        } catch let error as EngineError {
            await keyStore.close()
            throw ValidationError("\(error.code): \(error.message)")
        }
        await keyStore.close()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(answer), as: UTF8.self)
    }
}
