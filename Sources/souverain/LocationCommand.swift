import ArgumentParser
import Foundation
import SouverainServer
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainPlacement
import SouverainStorage

/// `souverain location`: the places bytes go, and their sovereignty profiles.
struct LocationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "location", abstract: "Manage storage locations and their sovereignty profiles.",
        subcommands: [List.self, Show.self, Check.self, Add.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per location: kind, where, provider, region, country, preference.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let setup = try PlacementSetup(settings)
            // What the running server saw of each location (up, down, probing); "-" without a server.
            let live = (try? await AdminAPI.decode(LocationHealthAnswer.self, settings, method: "GET", path: "locations"))?.locations ?? []
            let state = Dictionary(live.map { ($0.location, $0.state) }, uniquingKeysWith: { first, _ in first })
            print(["ID", "KIND", "WHERE", "PROVIDER", "REGION", "COUNTRY", "PREF", "HEALTH", "STATE"].joined(separator: "\t"))
            for (location, descriptor) in zip(setup.locations, setup.policy.locations) {
                print([
                    location.id, location.kind.rawValue, LocationCommand.place(location, setup), descriptor.profile.providerID,
                    descriptor.profile.region ?? "-", descriptor.profile.country, String(descriptor.preference), descriptor.health.rawValue,
                    state[location.id] ?? "-",
                ].joined(separator: "\t"))
            }
        }
    }

    static func place(_ location: LocationSettings, _ setup: PlacementSetup) -> String {
        switch location.kind {
        case .local: location.path ?? setup.directory.path + "/locations/" + location.id
        case .s3: "\(location.endpoint ?? "?")/\(location.bucket ?? "?")/\(location.prefix)"
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A location's settings (never its secret) and the registry facts about its provider, with their dates.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Location id.") var id: String

        func run() async throws {
            let setup = try PlacementSetup(try common.settings())
            var location = try setup.location(id)
            if location.secretKey != nil { location.secretKey = "(set, not shown)" }
            print(location.section(), terminator: "")
            let descriptor = location.descriptor(defaultCountry: setup.settings.country)
            print("country = \(descriptor.profile.country)\(location.country == nil ? " (from the `country` setting)" : "")")
            guard let provider = setup.policy.registry.provider(id: descriptor.profile.providerID) else {
                print("\nProvider '\(descriptor.profile.providerID)' is NOT in the registry: no placement rule with conditions will accept this location.")
                return
            }
            func day(_ date: Date) -> String { RegistryCommand.day(date) }
            let q = provider.qualifications
            let parent = provider.ultimateParent.value
            let exposure = provider.extraterritorialExposure.value
            print("""

                Registry facts (registry as of \(day(setup.policy.registry.asOf))):
                  provider          \(provider.name)
                  legal seat        \(provider.legalSeatCountry.value ?? "unknown")  (as of \(day(provider.legalSeatCountry.asOf)))
                  ultimate parent   \(parent.name ?? "unknown") (\(parent.country ?? "?"))  (as of \(day(provider.ultimateParent.asOf)))
                  CLOUD Act         \(exposure.usCloudAct.rawValue)  (as of \(day(provider.extraterritorialExposure.asOf)))
                  FISA 702          \(exposure.usFISA702.rawValue)
                  SecNumCloud       \(q.secNumCloud.value.status.rawValue)\(q.secNumCloud.value.stage.map { " \($0.displayName)" } ?? "")  (as of \(day(q.secNumCloud.asOf)))
                  HDS               \(q.hds.value.status.rawValue)  (as of \(day(q.hds.asOf)))
                  C5                \(q.c5.value.status.rawValue)  (as of \(day(q.c5.asOf)))
                """)
            if let code = descriptor.profile.region, let (_, region) = provider.region(code) {
                print("  region \(region.code)        in \(region.country.value), SecNumCloud scope \(region.secNumCloudScope.value.status.rawValue), HDS scope \(region.hdsScope.value.status.rawValue)  (as of \(day(region.country.asOf)))")
            }
            print("Why each classification accepts it or not: souverain placement explain --classification NAME")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Probe a location: reachability, then a write, read and delete round trip of a small blob.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Location id.") var id: String

        func run() async throws {
            let setup = try PlacementSetup(try common.settings())
            let settings = try setup.location(id)
            var opened = OpenedLocations()
            try await opened.add(settings, directory: setup.directory)
            let location = opened.all[0]
            let clock = ContinuousClock()
            var failed = false
            func step(_ name: String, _ body: () async throws -> Void) async {
                guard !failed else { return }
                let started = clock.now
                do {
                    try await body()
                    print("ok    \(name) (\((clock.now - started).formatted(.units(allowed: [.milliseconds]))))")
                } catch {
                    failed = true
                    print("FAIL  \(name): \(error)")
                }
            }
            var bytes = [UInt8](repeating: 0, count: 4096)
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
            var locator = ""
            await step("write a 4 KiB blob") {
                let writer = try await location.makeBlobWriter()
                locator = writer.locator
                try await writer.write(ByteBuffer(bytes: bytes))
                _ = try await writer.commit()
            }
            await step("read it back, byte for byte") {
                var read: [UInt8] = []
                try await location.read(locator: locator, range: nil, chunkSize: 65536) { read += $0.readableBytesView }
                guard read == bytes else { throw ValidationError("the blob read back differs from the one written") }
            }
            await step("delete it") { try await location.delete(locator: locator) }
            await opened.close()
            print(failed ? "Location \(id) FAILED its check." : "Location \(id) is reachable and stores, returns and deletes bytes faithfully.")
            if failed { throw ExitCode(1) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Declare a location in the configuration file (restart the server to use it).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Location id (lowercase letters, digits, hyphens).") var id: String
        @Option(help: "local or s3.") var kind: String = "local"
        @Option(help: "local: the directory.") var path: String?
        @Option(help: "s3: endpoint URL.") var endpoint: String?
        @Option(help: "s3: bucket.") var bucket: String?
        @Option(help: "s3: key prefix.") var prefix: String?
        @Option(help: "s3: region to sign for.") var signingRegion: String?
        @Option(help: "s3: access key.") var accessKey: String?
        @Option(help: "s3: name of the environment variable holding the secret key.") var secretKeyEnv: String?
        @Option(help: "s3: file holding the secret key.") var secretKeyFile: String?
        @Option(help: "s3: PEM file of the CAs the endpoint's certificate must chain to (default: the system's).") var caBundle: String?
        @Flag(help: "s3: accept a plain http:// endpoint (refused otherwise).") var allowPlainHttp = false
        @Option(help: "Provider id in the registry (default on-premise).") var provider: String?
        @Option(help: "The provider's region code.") var providerRegion: String?
        @Option(help: "ISO 3166 country of the datacentre.") var country: String?
        @Option(help: "Lower is preferred (default 0).") var preference: Int?
        @Option(help: "On-premise: the organisation operating the machines.") var organisation: String?

        func run() async throws {
            let settings = try common.settings()
            guard let file = settings.file else {
                throw ValidationError("locations live in the configuration file: give --config FILE (create one with `souverain init`)")
            }
            guard !settings.locations.contains(where: { $0.id == id }) else { throw ValidationError("location \(id) exists") }
            var location = LocationSettings(id: id)
            let values: [(String, String?)] = [
                ("kind", kind), ("path", path), ("endpoint", endpoint), ("bucket", bucket), ("prefix", prefix),
                ("signing-region", signingRegion), ("access-key", accessKey), ("secret-key-env", secretKeyEnv),
                ("secret-key-file", secretKeyFile), ("provider", provider), ("provider-region", providerRegion),
                ("country", country), ("preference", preference.map(String.init)), ("organisation", organisation),
                ("ca-bundle", caBundle), ("allow-plain-http", allowPlainHttp ? "true" : nil),
            ]
            for case let (key, value?) in values { try location.set(key, value) }
            try location.validate()
            if location.provider != ProviderRegistry.onPremiseID,
               try RegistryCommand.current(dataDirectory: DataDirectory(settings).path).provider(id: location.provider) == nil {
                throw ValidationError("provider \(location.provider) is not in the registry (see `souverain registry list`)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(("\n" + location.section()).utf8))
            try handle.close()
            if settings.locations.isEmpty {
                print("Note: \(file) declared no location, so the implicit location 'local' (\(settings.data)/local) was in use; declare it too if its objects must stay readable.")
            }
            print("Added location \(id) to \(file). Restart the server to use it.")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a location from the configuration file; refused while the catalogue references blobs there.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Location id.") var id: String

        func run() async throws {
            let settings = try common.settings()
            guard let file = settings.file else { throw ValidationError("give --config FILE") }
            guard settings.locations.contains(where: { $0.id == id }) else { throw ValidationError("no location \(id) in \(file)") }
            let catalogue = try await DataDirectory(settings).openCatalogue()
            let count = try await catalogue.blobCount(location: id)
            guard count == 0 else {
                throw ValidationError("location \(id) still holds \(count) blob(s): reclassify or move them (`placement enforce`) first")
            }
            let text = try String(contentsOfFile: file, encoding: .utf8)
            var kept: [Substring] = []
            var inSection = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("[") { inSection = Settings.locationSection(trimmed) == id }
                if !inSection { kept.append(line) }
            }
            try kept.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            print("Removed location \(id) from \(file). Restart the server to apply.")
        }
    }
}
