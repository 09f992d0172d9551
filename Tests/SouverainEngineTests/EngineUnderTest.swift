import Crypto
import Foundation
import Logging
import NIOCore
import NIOPosix
import SouverainCatalogue
import SouverainCatalogueSQLite
import SouverainS3Client
@testable import SouverainEngine
import SouverainKeys
import SouverainModel
import SouverainPlacement
import SouverainStorage
import SouverainTesting

/// A real `ObjectStore` assembled as `souverain serve` assembles it (SQLite catalogue and keyring in
/// a temp dir, so encryption is on; placement rules; location descriptors), over locations a test
/// chooses, each optionally wrapped in a `FaultyLocation`.
struct EngineUnderTest: Sendable {
    /// One location of the store.
    struct Spec: Sendable {
        enum Backend: String, Sendable { case local, s3OnMoto = "s3-on-moto" }
        var id: String
        /// The provider in the registry: its operator is what distinct-operator rules count.
        var provider: String
        var backend: Backend
        var faulty: Bool
    }

    /// The classifications every store defines: one copy; two at two operators, strict and lenient.
    static let single = "single", twiceStrict = "twice-strict", twiceLenient = "twice-lenient"

    static let rules = PlacementRules(classifications: [
        .public: ClassificationRules(),
        "single": ClassificationRules(),
        "twice-strict": ClassificationRules(minimumReplicas: 2, minimumDistinctOperators: 2),
        "twice-lenient": ClassificationRules(
            minimumReplicas: 2, minimumDistinctOperators: 2, acceptUnderReplicatedWrites: true),
    ])

    static let owner = User(id: "id-alice", name: "alice", accessKeyID: "AKALICE", storedSecret: "not-a-secret", role: .user)

    let directory: String
    let catalogue: SQLiteCatalogue
    let keys: BucketKeys
    let policy: PlacementPolicy
    /// Each location as the store sees it (faulty ones wrapped), by id.
    let locations: [String: any Location]
    /// The locations underneath, to look inside them without faults.
    let raw: [String: any Location]
    let faulty: [FaultyLocation]
    let specs: [Spec]
    let store: ObjectStore
    private let cleanups: [@Sendable () async -> Void]

    /// A store over one healthy local location, "disk", with no faults planned.
    static func onOneDisk() async throws -> EngineUnderTest {
        try await make([Spec(id: "disk", provider: "on-premise", backend: .local, faulty: false)], seed: 1, plan: .off)
    }

    /// Builds the store; faulty locations start with `plan`, seeded from `seed`.
    static func make(
        _ specs: [Spec], seed: UInt64, plan: FaultPlan, stepTimeout: Duration = .seconds(30),
        health: LocationMonitor = LocationMonitor(), hangBound: Duration = .seconds(10)
    ) async throws -> EngineUnderTest {
        // In memory where the system has it: a local location makes and syncs 4096 directories
        // when it starts, which on a loaded disk costs seconds per location and run.
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        let directory = base + "souverain-engine-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var cleanups: [@Sendable () async -> Void] = [{ await TestDirectories.remove(directory) }]
        // Local locations do their file work on a thread pool of the engine's own: on the
        // process's shared pool it queued behind every other suite's, and a healthy step then
        // overran the step limits the fault tests set.
        let files = NIOThreadPool(numberOfThreads: 2)
        files.start()
        cleanups.append { try? await files.shutdownGracefully() }
        do {
            let catalogue = try SQLiteCatalogue(path: directory + "/catalogue.sqlite")
            let keyStore = try await KeyringKeyStore.create(path: directory + "/keyring.json")
            let keys = BucketKeys(store: keyStore, catalogue: catalogue)
            var locations: [String: any Location] = [:], raw: [String: any Location] = [:], faulty: [FaultyLocation] = []
            for (index, spec) in specs.enumerated() {
                let base: any Location
                switch spec.backend {
                case .local:
                    base = try await LocalLocation(id: spec.id, root: directory + "/" + spec.id, threadPool: files)
                case .s3OnMoto:
                    // A moto of its own: a run's thousands of requests and faults never reach another's.
                    let server = try await TestServer.start(.moto)
                    cleanups.append { await server.stop() }
                    let made = try await LocationSubject.s3Location(on: server, id: spec.id, retry: .none)
                    cleanups.append(made.cleanup)
                    base = made.location
                }
                raw[spec.id] = base
                if spec.faulty {
                    let wrapped = FaultyLocation(
                        wrapping: base, seed: seed &* 1_000_003 &+ UInt64(index), plan: plan, hangBound: hangBound)
                    faulty.append(wrapped)
                    locations[spec.id] = wrapped
                } else {
                    locations[spec.id] = base
                }
            }
            let policy = PlacementPolicy(
                rules: rules, registry: try ProviderRegistry.shipped(),
                locations: specs.map { LocationDescriptor(id: $0.id, kind: $0.backend == .local ? .local : .s3,
                                                          profile: SovereigntyProfile(providerID: $0.provider, country: "FR")) },
                defaultClassification: single)
            var logger = Logger(label: "souverain.engine.test")
            logger.logLevel = .critical
            let store = ObjectStore(
                catalogue: catalogue, locations: StorageLocations(specs.compactMap { locations[$0.id] }), placement: policy,
                region: "us-east-1", keys: keys, logger: logger, garbageGrace: .zero, health: health, stepTimeout: stepTimeout)
            return EngineUnderTest(
                directory: directory, catalogue: catalogue, keys: keys, policy: policy, locations: locations, raw: raw,
                faulty: faulty, specs: specs, store: store, cleanups: cleanups)
        } catch {
            for cleanup in cleanups.reversed() { await cleanup() }
            throw error
        }
    }

    /// The same catalogue, keys and locations under a new store: a fresh view of the locations'
    /// health, another step timeout and garbage grace (what a restarted server would have).
    func restarted(stepTimeout: Duration = .seconds(30), garbageGrace: Duration = .zero) -> ObjectStore {
        var logger = Logger(label: "souverain.engine.test")
        logger.logLevel = .critical
        return ObjectStore(
            catalogue: catalogue, locations: StorageLocations(specs.compactMap { locations[$0.id] }), placement: policy,
            region: "us-east-1", keys: keys, logger: logger, garbageGrace: garbageGrace, health: LocationMonitor(), stepTimeout: stepTimeout)
    }

    func close() async {
        for cleanup in cleanups.reversed() { await cleanup() }
    }

    /// Every locator a faulty location damaged silently (acknowledged, yet not as written).
    var damagedLocators: Set<String> { faulty.reduce(into: Set<String>()) { $0.formUnion($1.damagedLocators) } }

    func createBucket(_ name: String, classification: String) async throws -> BucketRecord {
        try await store.createBucket(name, owner: Self.owner, classification: classification)
        guard let bucket = try await catalogue.bucket(named: name) else { throw TestServerError("bucket \(name) vanished") }
        return bucket
    }

    /// PUTs `data` in pieces of `piece` bytes.
    func put(_ data: [UInt8], bucket: BucketRecord, key: String, piece: Int = 65_536, store: ObjectStore? = nil) async throws -> ObjectRecord {
        let body = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            var offset = 0
            while offset < data.count {
                let end = min(offset + max(1, piece), data.count)
                continuation.yield(ByteBuffer(bytes: data[offset..<end]))
                offset = end
            }
            continuation.finish()
        }
        return try await (store ?? self.store).putObject(
            bucket: bucket, key: key, metadata: ObjectMetadata(), body: body,
            checks: ObjectStore.WriteChecks(checksums: [], verify: { _ in }))
    }

    /// GETs the object (or `range` of it) as the engine serves it.
    func get(bucket: String, key: String, range: ClosedRange<Int64>? = nil, store: ObjectStore? = nil) async throws -> [UInt8] {
        let store = store ?? self.store
        let record = try await store.object(bucket: bucket, key: key)
        try await store.checkReadable(record)
        var out: [UInt8] = []
        try await store.read(record, range: range) { out += $0.readableBytesView }
        return out
    }

    /// The blob as stored inside a location, read without faults; nil when it is not there.
    func storedBytes(location: String, locator: String) async -> [UInt8]? {
        guard let raw = raw[location] else { return nil }
        var out: [UInt8] = []
        do {
            try await raw.read(locator: locator, range: nil, chunkSize: 1 << 20) { out += $0.readableBytesView }
        } catch {
            return nil
        }
        return out
    }

    /// Why the copies of `record` are not what its rules require, checked inside each location;
    /// nil when they are. A copy a faulty location damaged silently is expected not to match.
    func copyProblems(of record: ObjectRecord, allowMissing: Bool) async -> String? {
        guard let bucket = try? await catalogue.bucket(named: record.bucket) else { return "bucket gone" }
        let classification = policy.classification(of: bucket)
        let rules = policy.rules.rules(for: classification) ?? ClassificationRules()
        let locations = record.replicaLocations
        if Set(locations).count != locations.count { return "two copies at one location: \(locations)" }
        if locations.count < rules.minimumReplicas { return "\(locations.count) copies planned, \(rules.minimumReplicas) required" }
        let operators = Set(locations.compactMap { id in specs.first { $0.id == id }?.provider })
        if operators.count < min(rules.minimumDistinctOperators, rules.minimumReplicas) {
            return "copies at \(operators.count) operators, \(rules.minimumDistinctOperators) required"
        }
        if !allowMissing, let missing = record.replicas.first(where: { $0.state != .ok }) {
            return "copy at \(missing.location) is \(missing.state) and the rules accept no missing copy"
        }
        let damaged = damagedLocators
        for copy in record.goodCopies {
            for (index, segment) in record.segments.enumerated() {
                let locator = copy.locators[index]
                guard let stored = await storedBytes(location: copy.location, locator: locator) else {
                    return "copy at \(copy.location) (\(locator)) is not in the location"
                }
                if damaged.contains(locator) { continue }
                if Int64(stored.count) != segment.storedSize {
                    return "copy at \(copy.location) holds \(stored.count) bytes, \(segment.storedSize) recorded"
                }
                if let expected = segment.storedSHA256, Hex.encode(Array(SHA256.hash(data: stored))) != expected {
                    return "copy at \(copy.location) does not match the recorded SHA-256"
                }
            }
        }
        return nil
    }

    /// Whether every copy of `record` was silently damaged: its bytes are lost, and a GET may
    /// only fail.
    func isLost(_ record: ObjectRecord) -> Bool {
        let damaged = damagedLocators
        return record.goodCopies.allSatisfy { copy in copy.locators.contains(where: damaged.contains) }
    }
}
