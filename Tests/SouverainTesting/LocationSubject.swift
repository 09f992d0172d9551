import Foundation
public import SouverainS3Client
public import SouverainStorage
import SouverainStorageS3
public import Testing

/// A `Location` implementation to run a suite on: how to make a fresh, empty one, and how to
/// clean up after it.
public enum LocationSubject: String, Sendable, CaseIterable, CustomTestStringConvertible {
    /// A directory in a temp dir.
    case local
    /// `FaultyLocation` with its faults off, over a local directory: it must be transparent.
    case faultyLocalFaultsOff = "faulty-local-faults-off"
    /// `S3Location` on a fresh bucket of the suite's shared moto.
    case s3OnMoto = "s3-on-moto"
    /// `S3Location` on a fresh bucket of the suite's shared second Souverain.
    case s3OnSouverain = "s3-on-souverain"

    public var testDescription: String { rawValue }

    /// The server kind the subject needs, if any.
    public var server: TestServer.Kind? {
        switch self {
        case .local, .faultyLocalFaultsOff: nil
        case .s3OnMoto: .moto
        case .s3OnSouverain: .souverain
        }
    }

    /// The subjects whose servers are installed here.
    public static var available: [LocationSubject] {
        allCases.filter { $0.server.map(TestServer.isAvailable) ?? true }
    }

    /// A fresh location with id `id`, and what to call when done with it.
    public func make(id: String = "subject") async throws -> MadeLocation {
        switch self {
        case .local:
            let root = NSTemporaryDirectory() + "souverain-subject-" + UUID().uuidString
            return MadeLocation(location: try await LocalLocation(id: id, root: root)) { await TestDirectories.remove(root) }
        case .faultyLocalFaultsOff:
            let root = NSTemporaryDirectory() + "souverain-subject-" + UUID().uuidString
            let faulty = FaultyLocation(wrapping: try await LocalLocation(id: id, root: root), seed: 1)
            faulty.setEnabled(false)
            return MadeLocation(location: faulty) { await TestDirectories.remove(root) }
        case .s3OnMoto, .s3OnSouverain:
            let server = try TestServer.shared(server ?? .moto)
            return try await Self.s3Location(on: server, id: id)
        }
    }

    /// An `S3Location` (5 MiB parts) on a new bucket of `server`, its client shut down when done.
    public static func s3Location(on server: TestServer, id: String, retry: RetryPolicy = .standard) async throws -> MadeLocation {
        let client = try S3Client(configuration: S3ClientConfiguration(
            endpoint: server.endpoint, region: server.region,
            credentials: S3Credentials(accessKeyID: server.accessKey, secretAccessKey: server.secretKey),
            connectTimeout: .seconds(5), readTimeout: .seconds(30), retry: retry))
        let bucket = "subject-" + UUID().uuidString.lowercased().prefix(18)
        do {
            try await client.createBucket(String(bucket))
        } catch {
            try? await client.shutdown()
            throw error
        }
        let location = S3Location(id: id, client: client, bucket: String(bucket), prefix: "blobs/", partSize: 5 * 1024 * 1024)
        return MadeLocation(location: location) { try? await client.shutdown() }
    }
}

/// A location made for a test, with its cleanup.
public struct MadeLocation: Sendable {
    public let location: any Location
    public let cleanup: @Sendable () async -> Void

    public init(location: any Location, cleanup: @escaping @Sendable () async -> Void) {
        self.location = location
        self.cleanup = cleanup
    }
}
