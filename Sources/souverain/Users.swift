import ArgumentParser
import Foundation
import SouverainCatalogue
import SouverainCatalogueSQLite
import SouverainModel
import SouverainEngine
import SouverainKeys
import SouverainS3Client
import NIOCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users and their access keys.", subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user with a new access key and secret.",
            discussion: "Each user gets a random id that never changes and is never reused: buckets, grants and uploads refer to it, so a user re-created later under a removed user's name inherits nothing. The secret is stored sealed by the master key of the key store (keyring or PKCS#11), never in clear.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "User name.") var name: String
        @Option(help: "admin, user or auditor (reads the audit trail, nothing else).") var role: String = "user"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("role must be admin, user or auditor") }
            try administered { try UserAdministration.checkName(name) }
            let settings = try common.settings()
            let directory = try DataDirectory(settings)
            let catalogue = try await directory.openCatalogue()
            let keyStore = try await KeyStoreSetup.open(settings, directory: directory)
            let credentials = UserCredentials(store: keyStore, catalogue: catalogue)
            let created: UserAdministration.NewUser
            do {
                // A catalogue written before secrets were sealed is sealed here too, as the server does at start-up.
                _ = try await credentials.sealClearSecrets()
                created = try await administered {
                    try await UserAdministration(catalogue: catalogue).create(name: name, role: role, credentials: credentials)
                }
            } catch {
                await keyStore.close()
                throw error
            }
            await keyStore.close()
            let (user, secret) = (created.user, created.secretAccessKey)
            if json {
                try printJSON(["id": user.id, "name": user.name, "accessKey": user.accessKeyID, "secretKey": secret, "role": role.rawValue])
            } else {
                print("Created \(role.rawValue) \(name) (id \(user.id)).\n  Access key: \(user.accessKeyID)\n  Secret key: \(secret)\n(The secret is shown only now.)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users (never their secrets).")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let catalogue = try await DataDirectory(try common.settings()).openCatalogue()
            let users = try await catalogue.users()
            if json {
                try printJSON(users.map { ["id": $0.id, "name": $0.name, "accessKey": $0.accessKeyID, "role": $0.role.rawValue] })
            } else {
                for user in users { print("\(user.name)\t\(user.role.rawValue)\t\(user.accessKeyID)\t\(user.id)") }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a user, its access key and its grants.",
            discussion: "Refused while the user owns buckets (they are listed): give them to another user with --reassign-to, or delete them first. A user added later under the same name is a new identity and reads nothing of the removed one's.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "User name.") var name: String
        @Option(name: .customLong("reassign-to"), help: "Give the user's buckets to this user (a name) before removing it.")
        var reassignTo: String?

        func run() async throws {
            let catalogue = try await DataDirectory(try common.settings()).openCatalogue()
            let (user, moved): (User, [String])
            do {
                (user, moved) = try await UserAdministration(catalogue: catalogue).remove(name: name, reassigningTo: reassignTo)
            } catch let error as EngineError where error.code == .deleteConflict {
                throw ValidationError("\(error.message). Reassign them (--reassign-to OTHER) or delete them, then remove \(name).")
            } catch let error as EngineError {
                throw ValidationError(error.message)
            }
            if let reassignTo, !moved.isEmpty { print("Gave \(moved.count) bucket(s) to \(reassignTo): \(moved.joined(separator: ", ")).") }
            print("Removed \(name) (id \(user.id)).")
        }
    }
}

/// Runs a step of `UserAdministration`, its refusals shown as the CLI's usage errors.
@discardableResult
func administered<T>(_ step: () async throws -> T) async throws -> T {
    do {
        return try await step()
    } catch let error as EngineError {
        throw ValidationError(error.message)
    }
}

/// As `administered`, for a step that does not wait.
@discardableResult
func administered<T>(_ step: () throws -> T) throws -> T {
    do {
        return try step()
    } catch let error as EngineError {
        throw ValidationError(error.message)
    }
}

struct BucketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bucket", abstract: "Manage buckets, their classifications and grants.",
        subcommands: [List.self, Create.self, Classify.self, Grant.self, Revoke.self, Reassign.self, Shred.self])

    struct Reassign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a bucket to another user (for instance one left orphaned by a user removed before ids existed).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Bucket name.") var bucket: String
        @Option(help: "The new owner (name or id).") var to: String

        func run() async throws {
            let catalogue = try await DataDirectory(try common.settings()).openCatalogue()
            let owner = try await administered { try await UserAdministration(catalogue: catalogue).reassign(bucket: bucket, to: to) }
            print("\(bucket) is now owned by \(owner.name) (id \(owner.id)).")
        }
    }

    struct Shred: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Crypto-shredding: destroy a bucket's keys, so that none of its objects can ever be read again, anywhere.",
            discussion: """
                Every object is encrypted under keys wrapped by its bucket's key; destroying that key makes every copy \
                of the bucket's bytes unreadable at once, on every location, remote providers and stray copies \
                included (RGPD article 17 on storage Souverain does not physically control). Irreversible. Backups \
                of the catalogue taken before still hold the wrapped key: they must be destroyed too. With a server \
                running (DATA/endpoint), the server does it, so that no key stays cached in it.
                """)
        @OptionGroup var common: CommonOptions
        @Argument(help: "Bucket name.") var bucket: String
        @Flag(help: "Confirm: this cannot be undone.") var yes = false

        func run() async throws {
            guard yes else { throw ValidationError("shredding \(bucket) cannot be undone: add --yes to confirm") }
            let settings = try common.settings()
            let directory = try DataDirectory(settings)
            if let endpoint = directory.runningEndpoint() {
                let client = try S3Client(configuration: AdminAPI.clientConfiguration(settings, directory: directory, endpoint: endpoint))
                do {
                    let body = try await client.adminRequest(method: "POST", path: "buckets/shred", query: [("bucket", bucket)])
                    try await client.shutdown()
                    print("Shredded \(bucket) through the server at \(endpoint): \(String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines))")
                } catch {
                    try? await client.shutdown()
                    throw ValidationError("the server refused or failed the shredding: \(error)")
                }
                return
            }
            let setup = try PlacementSetup(settings)
            let store = setup.store(catalogue: try await setup.directory.openCatalogue(), opened: OpenedLocations())
            do {
                let destroyed = try await store.shredBucket(bucket)
                print("Shredded \(bucket): \(destroyed) key version(s) destroyed; its objects can never be read again.")
            } catch let error as EngineError {
                throw ValidationError("\(error.code): \(error.message)")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a bucket with a classification; refused when no configured location may hold it.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Bucket name.") var bucket: String
        @Option(help: "public, internal, personal, health, sensitive, public-archives, or one the rules define (default: default-classification).")
        var classification: String?
        @Option(help: "The owning user (default admin).") var owner: String = "admin"

        func run() async throws {
            guard BucketName.isValid(bucket) else { throw ValidationError("\(bucket) is not a valid S3 bucket name") }
            let setup = try PlacementSetup(try common.settings())
            let catalogue = try await setup.directory.openCatalogue()
            guard let user = try await catalogue.user(named: owner) else { throw ValidationError("no user named \(owner)") }
            let opened = OpenedLocations()
            let store = setup.store(catalogue: catalogue, opened: opened)
            do {
                try await store.createBucket(bucket, owner: user, classification: classification)
            } catch let error as EngineError {
                throw ValidationError("\(error.code): \(error.message)")
            }
            print("Created \(bucket), classified '\(classification ?? setup.policy.defaultClassification)', owned by \(owner).")
        }
    }

    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a bucket's classification; refused when no configured location may hold it.",
            discussion: "Objects already stored stay where they are: `placement audit` lists those the new rules refuse, `placement enforce` moves them.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Bucket name.") var bucket: String
        @Argument(help: "The new classification.") var classification: String

        func run() async throws {
            let setup = try PlacementSetup(try common.settings())
            let store = setup.store(catalogue: try await setup.directory.openCatalogue(), opened: OpenedLocations())
            do {
                try await store.classifyBucket(bucket, as: classification)
            } catch let error as EngineError {
                throw ValidationError("\(error.code): \(error.message)")
            }
            print("\(bucket) is now classified '\(classification)'.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List buckets with their owners and grants.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let catalogue = try await DataDirectory(try common.settings()).openCatalogue()
            let settings = try common.settings()
            let names = Dictionary(uniqueKeysWithValues: try await catalogue.users().map { ($0.id, $0.name) })
            for bucket in try await catalogue.buckets() {
                let classification = bucket.classification ?? "\(settings.defaultClassification) (default)"
                // The owner's name and id; an orphaned owner (gone before ids existed) shows as recorded.
                let owner = names[bucket.owner].map { "\($0) (\(bucket.owner))" } ?? bucket.owner
                print("\(bucket.name)\towner=\(owner)\tregion=\(bucket.region)\tclassification=\(classification)")
            }
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant a user read or read-write access to a bucket.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Bucket name.") var bucket: String
        @Option(help: "User name (or id).") var user: String
        @Option(help: "read or read-write.") var permission: String

        func run() async throws {
            guard let permission = BucketPermission(rawValue: permission) else {
                throw ValidationError("permission must be read or read-write")
            }
            let catalogue = try await DataDirectory(try common.settings()).openCatalogue()
            try await administered { try await UserAdministration(catalogue: catalogue).grant(bucket: bucket, to: user, permission) }
            print("Granted \(permission.rawValue) on \(bucket) to \(user).")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user's grant on a bucket.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Bucket name.") var bucket: String
        @Option(help: "User name (or id).") var user: String

        func run() async throws {
            let catalogue = try await DataDirectory(try common.settings()).openCatalogue()
            try await administered { try await UserAdministration(catalogue: catalogue).revoke(bucket: bucket, from: user) }
            print("Revoked \(user)'s access to \(bucket).")
        }
    }
}

func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
