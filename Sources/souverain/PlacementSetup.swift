import ArgumentParser
import Foundation
import Logging
import SouverainCatalogue
import SouverainEngine
import SouverainPlacement
import SouverainS3Client
import SouverainStorage
import SouverainStorageS3

/// What placement needs, assembled from the settings and the data directory: the locations
/// (declared, or the implicit local one), the rules, the registry in force and the default
/// classification. `serve` and every placement command use this one assembly.
struct PlacementSetup {
    let settings: Settings
    let directory: DataDirectory
    let locations: [LocationSettings]
    let policy: PlacementPolicy

    init(_ settings: Settings) throws {
        self.settings = settings
        directory = try DataDirectory(settings)
        var locations = settings.locations
        if locations.isEmpty {
            var local = LocationSettings(id: "local")
            local.path = directory.localRoot
            locations = [local]
        }
        self.locations = locations
        var rules = PlacementRules.defaults
        if !settings.placementRules.isEmpty {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: settings.placementRules))
            } catch {
                throw ValidationError("cannot read the placement rules \(settings.placementRules): \(error.localizedDescription)")
            }
            do {
                rules = try PlacementRules.decode(from: data)
            } catch {
                throw ValidationError("the placement rules \(settings.placementRules) are invalid: \(error)")
            }
        }
        guard rules.rules(for: settings.defaultClassification) != nil else {
            throw ValidationError(
                "default-classification '\(settings.defaultClassification)' is not defined by the placement rules (defined: \(rules.classifications.keys.map(\.name).sorted().joined(separator: ", ")))")
        }
        policy = PlacementPolicy(
            rules: rules, registry: try RegistryCommand.current(dataDirectory: directory.path),
            locations: locations.map { $0.descriptor(defaultCountry: settings.country) },
            defaultClassification: settings.defaultClassification)
    }

    func location(_ id: String) throws -> LocationSettings {
        guard let location = locations.first(where: { $0.id == id }) else {
            throw ValidationError("no location \(id) (configured: \(locations.map(\.id).joined(separator: ", ")))")
        }
        return location
    }

    /// The locations, opened. Call `close` when done: S3 locations hold connection pools.
    func open() async throws -> OpenedLocations {
        var opened = OpenedLocations()
        do {
            for location in locations { try await opened.add(location, directory: directory) }
        } catch {
            await opened.close()
            throw error
        }
        return opened
    }

    /// The data path over `opened`. Without `keys` it neither encrypts nor decrypts (commands that
    /// only create buckets or move blobs as they are).
    func store(
        catalogue: any Catalogue, opened: OpenedLocations, keys: BucketKeys? = nil, garbageGrace: Duration = .seconds(60),
        movements: (any MovementSink)? = nil, credentials: UserCredentials? = nil
    ) -> ObjectStore {
        ObjectStore(
            catalogue: catalogue, locations: StorageLocations(opened.all), placement: policy, region: settings.region,
            keys: keys, logger: Logger(label: "souverain.engine"), garbageGrace: garbageGrace, movements: movements,
            credentials: credentials)
    }
}

/// Open locations: the local ones (swept after a crash) and the S3 clients to shut down.
struct OpenedLocations {
    var all: [any Location] = []
    var locals: [LocalLocation] = []
    var clients: [S3Client] = []

    mutating func add(_ settings: LocationSettings, directory: DataDirectory) async throws {
        switch settings.kind {
        case .local:
            let root = settings.path ?? directory.path + "/locations/" + settings.id
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let local = try await LocalLocation(id: settings.id, root: root)
            locals.append(local)
            all.append(local)
        case .s3:
            let client: S3Client
            do {
                client = try S3Client(configuration: S3Location.clientConfiguration(
                    endpoint: settings.endpoint!, region: settings.signingRegion,
                    credentials: S3Credentials(accessKeyID: settings.accessKey!, secretAccessKey: try settings.secret()),
                    caBundle: settings.caBundle))
            } catch let error as S3ClientError {
                throw ValidationError("location \(settings.id): \(error.message)")
            }
            clients.append(client)
            all.append(S3Location(id: settings.id, client: client, bucket: settings.bucket!, prefix: settings.prefix))
        }
    }

    func close() async {
        for client in clients { try? await client.shutdown() }
    }
}
