import ArgumentParser
import Foundation
import SouverainCatalogue
import SouverainCatalogueSQLite
import SouverainModel

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users and their access keys.", subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user with a new access key and secret.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "User name.") var name: String
        @Option(help: "admin, user or auditor (reads the audit trail, nothing else).") var role: String = "user"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("role must be admin, user or auditor") }
            guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
                throw ValidationError("a user name is 1 to 64 letters, digits, '-', '_', '.' or '@'")
            }
            let catalogue = try DataDirectory(try common.settings().data).openCatalogue()
            let user = User(name: name, accessKeyID: KeyGenerator.accessKeyID(), secretAccessKey: KeyGenerator.secret(), role: role)
            try await catalogue.addUser(user)
            if json {
                try printJSON(["name": user.name, "accessKey": user.accessKeyID, "secretKey": user.secretAccessKey, "role": role.rawValue])
            } else {
                print("Created \(role.rawValue) \(name).\n  Access key: \(user.accessKeyID)\n  Secret key: \(user.secretAccessKey)\n(The secret is shown only now.)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users (never their secrets).")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let catalogue = try DataDirectory(try common.settings().data).openCatalogue()
            let users = try await catalogue.users()
            if json {
                try printJSON(users.map { ["name": $0.name, "accessKey": $0.accessKeyID, "role": $0.role.rawValue] })
            } else {
                for user in users { print("\(user.name)\t\(user.role.rawValue)\t\(user.accessKeyID)") }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user, its access key and its grants.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "User name.") var name: String

        func run() async throws {
            let catalogue = try DataDirectory(try common.settings().data).openCatalogue()
            guard try await catalogue.removeUser(named: name) else { throw ValidationError("no user named \(name)") }
            print("Removed \(name).")
        }
    }
}

struct BucketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bucket", abstract: "Manage buckets and grants.", subcommands: [List.self, Grant.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List buckets with their owners and grants.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let catalogue = try DataDirectory(try common.settings().data).openCatalogue()
            for bucket in try await catalogue.buckets() { print("\(bucket.name)\towner=\(bucket.owner)\tregion=\(bucket.region)") }
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant a user read or read-write access to a bucket.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Bucket name.") var bucket: String
        @Option(help: "User name.") var user: String
        @Option(help: "read or read-write.") var permission: String

        func run() async throws {
            guard let permission = BucketPermission(rawValue: permission) else {
                throw ValidationError("permission must be read or read-write")
            }
            let catalogue = try DataDirectory(try common.settings().data).openCatalogue()
            guard try await catalogue.bucket(named: bucket) != nil else { throw ValidationError("no bucket named \(bucket)") }
            guard try await catalogue.user(named: user) != nil else { throw ValidationError("no user named \(user)") }
            try await catalogue.setGrant(SouverainModel.Grant(bucket: bucket, userName: user, permission: permission))
            print("Granted \(permission.rawValue) on \(bucket) to \(user).")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user's grant on a bucket.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Bucket name.") var bucket: String
        @Option(help: "User name.") var user: String

        func run() async throws {
            let catalogue = try DataDirectory(try common.settings().data).openCatalogue()
            guard try await catalogue.removeGrant(bucket: bucket, userName: user) else {
                throw ValidationError("\(user) has no grant on \(bucket)")
            }
            print("Revoked \(user)'s access to \(bucket).")
        }
    }
}

func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
