import ArgumentParser
import Foundation
import SouverainCatalogue
import SouverainPolicy
import SouverainSTS

/// `souverain role create|list|delete` (docs/sts.md): roles that temporary credentials are issued
/// for, written to the catalogue as the admin API writes them (`/_souverain/roles`).
struct RoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role", abstract: "Manage roles for temporary credentials (STS).", subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a role from a trust policy (who may assume it) and a permission policy (what its sessions may do).",
            discussion: "Both policies are in the AWS policy language (docs/sts.md). Sessions of the role are issued by AssumeRole (users named in the trust policy) and AssumeRoleWithWebIdentity (OpenID Connect issuers named as Federated principals), with the ARN arn:aws:iam::souverain:role/NAME.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Role name (1 to 64 letters, digits or _+=,.@-).") var name: String
        @Option(name: .customLong("trust-policy"), help: "File holding the trust policy (JSON).") var trustPolicy: String
        @Option(name: .customLong("permission-policy"), help: "File holding the permission policy (JSON).") var permissionPolicy: String
        @Option(name: .customLong("max-session-seconds"), help: "Longest session, 3600 to 43200 seconds (default 3600).") var maxSessionSeconds: Int?

        func run() async throws {
            guard let trust = try? String(contentsOfFile: trustPolicy, encoding: .utf8) else { throw ValidationError("cannot read \(trustPolicy)") }
            guard let permissions = try? String(contentsOfFile: permissionPolicy, encoding: .utf8) else {
                throw ValidationError("cannot read \(permissionPolicy)")
            }
            let catalogue = try await DataDirectory(try common.settings()).openCatalogue()
            let role: RoleRecord
            do {
                let (record, policy) = try RoleDefinition.validate(
                    name: name, trustPolicy: trust, permissionPolicy: permissions, maxSessionSeconds: maxSessionSeconds, now: Date())
                for named in policy.namedUsers {
                    let byName = try await catalogue.user(named: named)
                    let byID = try await catalogue.user(id: named)
                    guard byName != nil || byID != nil else {
                        throw ValidationError("the trust policy names no user \(named)")
                    }
                }
                role = record
            } catch let error as STSError {
                throw ValidationError(error.message)
            }
            do {
                try await catalogue.addRole(role)
            } catch let error as CatalogueError where error.code == .roleExists {
                throw ValidationError("a role named \(name) exists")
            }
            print("Created role \(name): \(RoleName.arn(name)) (sessions up to \(role.maxSessionSeconds) s).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List roles.")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let roles = try await DataDirectory(try common.settings()).openCatalogue().roles()
            if json {
                try printJSON(roles.map { role -> [String: Any] in
                    ["name": role.name, "arn": RoleName.arn(role.name), "maxSessionSeconds": role.maxSessionSeconds,
                     "trustPolicy": role.trustPolicy, "permissionPolicy": role.permissionPolicy]
                })
            } else {
                for role in roles { print("\(role.name)\t\(RoleName.arn(role.name))\t\(role.maxSessionSeconds)s") }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a role; requests made with its sessions are refused from then on (InvalidToken).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Role name.") var name: String

        func run() async throws {
            let catalogue = try await DataDirectory(try common.settings()).openCatalogue()
            guard try await catalogue.removeRole(named: name) else { throw ValidationError("no role named \(name)") }
            print("Deleted role \(name).")
        }
    }
}
