import ArgumentParser
import Foundation
import SouverainPlacement

/// The provider registry: the shipped one, or `DATA/registry.json` once an operator imported an
/// update. Every fact shown carries its as-of date, since qualifications change.
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry", abstract: "Show and update the provider registry.", subcommands: [List.self, Show.self, Import.self])

    static func path(_ common: CommonOptions) throws -> String { try DataDirectory(try common.settings()).path + "/registry.json" }

    /// The registry in force for this data directory.
    static func current(_ common: CommonOptions) throws -> ProviderRegistry {
        try current(dataDirectory: try DataDirectory(try common.settings()).path)
    }

    /// The registry in force: `DATA/registry.json` once imported, else the shipped one.
    static func current(dataDirectory: String) throws -> ProviderRegistry {
        let path = dataDirectory + "/registry.json"
        if FileManager.default.fileExists(atPath: path) {
            return try ProviderRegistry.decode(from: try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        return try ProviderRegistry.shipped()
    }

    static func day(_ date: Date) -> String { String(ISO8601DateFormatter().string(from: date).prefix(10)) }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per provider, with the facts placement uses and their dates.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let registry = try RegistryCommand.current(common)
            print("registry as of \(RegistryCommand.day(registry.asOf)), \(registry.providers.count) providers")
            print(["id", "seat", "parent (country)", "CLOUD Act", "SecNumCloud", "HDS", "regions", "as of"].joined(separator: "\t"))
            for provider in registry.providers {
                let parent = provider.ultimateParent.value
                let snc = provider.qualifications.secNumCloud.value
                print([
                    provider.id,
                    provider.legalSeatCountry.value ?? "?",
                    "\(parent.name ?? "?") (\(parent.country ?? "?"))",
                    provider.extraterritorialExposure.value.usCloudAct.rawValue,
                    snc.stage.map { "\(snc.status.rawValue) \($0.displayName)" } ?? snc.status.rawValue,
                    provider.qualifications.hds.value.status.rawValue,
                    String(provider.objectStorage.count),
                    RegistryCommand.day(provider.qualifications.secNumCloud.asOf),
                ].joined(separator: "\t"))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every fact about one provider, with sources and dates (JSON).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Provider id (see `registry list`).") var id: String

        func run() throws {
            guard let provider = try RegistryCommand.current(common).provider(id: id) else {
                throw ValidationError("no provider with id \(id) in the registry")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(provider), as: UTF8.self))
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a registry file, show what it changes, and make it the one in force.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "A registry file (the format of the shipped registry.json).") var file: String
        @Flag(help: "Only validate and show the changes.") var dryRun = false

        func run() throws {
            let imported = try ProviderRegistry.decode(from: try Data(contentsOf: URL(fileURLWithPath: file)))
            let diff = ProviderRegistry.diff(old: try RegistryCommand.current(common), new: imported)
            print(diff.description)
            guard !dryRun else { return }
            try imported.encoded().write(to: URL(fileURLWithPath: try RegistryCommand.path(common)), options: .atomic)
            print("The registry of \(RegistryCommand.day(imported.asOf)) is now in force for this data directory.")
        }
    }
}
