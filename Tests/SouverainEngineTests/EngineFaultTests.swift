import Foundation
import SouverainCatalogue
@testable import SouverainEngine
import SouverainModel
import SouverainStorage
import SouverainTesting
import Testing

/// The engine driven through random operations over faulty locations (docs/fault-model.md).
///
/// Each run builds a real `ObjectStore` over a topology, injects faults at every location step
/// from a seed, and after each operation checks what must hold whatever fails: an acknowledged PUT
/// has every copy its rules require (or, only where the rules accept it, a copy marked missing),
/// checked inside each location; a GET returns the exact bytes or an error, never other bytes; a
/// listing shows exactly the acknowledged objects. Then faults stop, scrub and repair run, and
/// every object must read back right with every copy in place, except those whose every copy a
/// location silently damaged (those may fail to read, never return other bytes).
///
/// `SOUVERAIN_FAULT_SEEDS=200` runs seeds 1...200 instead of the CI set; `SOUVERAIN_FAULT_SEED=N`
/// replays one seed; `SOUVERAIN_FAULT_OPERATIONS` changes the operations per run.
@Suite(.serialized)
struct EngineFaultTests {
    enum Topology: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case oneFaultyLocal = "one-faulty-local"
        case localAndFaultyLocal = "local+faulty-local"
        case threeFaultyLocals = "three-faulty-locals"
        case faultyLocalAndFaultyS3 = "faulty-local+faulty-s3-on-moto"

        var testDescription: String { rawValue }

        var specs: [EngineUnderTest.Spec] {
            switch self {
            case .oneFaultyLocal:
                [.init(id: "disk", provider: "on-premise", backend: .local, faulty: true)]
            case .localAndFaultyLocal:
                [.init(id: "disk", provider: "on-premise", backend: .local, faulty: false),
                 .init(id: "provider", provider: "scaleway", backend: .local, faulty: true)]
            case .threeFaultyLocals:
                [.init(id: "disk", provider: "on-premise", backend: .local, faulty: true),
                 .init(id: "provider-a", provider: "scaleway", backend: .local, faulty: true),
                 .init(id: "provider-b", provider: "ovhcloud", backend: .local, faulty: true)]
            case .faultyLocalAndFaultyS3:
                [.init(id: "disk", provider: "on-premise", backend: .local, faulty: true),
                 .init(id: "remote", provider: "scaleway", backend: .s3OnMoto, faulty: true)]
            }
        }

        /// The classifications whose rules the topology can meet.
        var classifications: [String] {
            self == .oneFaultyLocal
                ? [EngineUnderTest.single]
                : [EngineUnderTest.single, EngineUnderTest.twiceStrict, EngineUnderTest.twiceLenient]
        }

        var isAvailable: Bool { self != .faultyLocalAndFaultyS3 || TestServer.isAvailable(.moto) }
    }

    static let topologies = Topology.allCases.filter(\.isAvailable)

    static let seeds: [UInt64] = {
        let environment = ProcessInfo.processInfo.environment
        if let seed = environment["SOUVERAIN_FAULT_SEED"].flatMap(UInt64.init) { return [seed] }
        if let count = environment["SOUVERAIN_FAULT_SEEDS"].flatMap(UInt64.init), count > 0 { return Array(1...count) }
        return [1, 2]
    }()

    static let operations = ProcessInfo.processInfo.environment["SOUVERAIN_FAULT_OPERATIONS"].flatMap(Int.init) ?? 250

    /// Faults at every step: each of fail, delay, short write and corruption 2% of calls, hangs 0.2%.
    static let plan: FaultPlan = {
        var plan = FaultPlan.everywhere(0.02, except: [.hang])
        for step in LocationStep.allCases { plan = plan.with(.hang, at: step, probability: 0.002) }
        return plan
    }()

    @Test(arguments: topologies, seeds)
    func randomOperationsUnderFaultsKeepTheInvariants(_ topology: Topology, seed: UInt64) async throws {
        // Printed first: if the process traps, the last line names the run to replay.
        print("EngineFaultTests: \(topology.rawValue), seed \(seed) (replay: SOUVERAIN_FAULT_SEED=\(seed))")
        let engine = try await EngineUnderTest.make(
            topology.specs, seed: seed, plan: Self.plan, stepTimeout: .milliseconds(300),
            health: LocationMonitor(failureThreshold: 3, cooldown: 0.2))
        do {
            var run = FaultRun(engine: engine, topology: topology, seed: seed)
            try await run.go(operations: Self.operations)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }
}

/// One randomized run and its model of what the store must hold.
struct FaultRun {
    let engine: EngineUnderTest
    let topology: EngineFaultTests.Topology
    let seed: UInt64
    var random: SeededGenerator
    /// The acknowledged objects: bucket → key → bytes.
    var model: [String: [String: [UInt8]]] = [:]
    var buckets: [String: BucketRecord] = [:]
    var tally: [String: Int] = [:]

    init(engine: EngineUnderTest, topology: EngineFaultTests.Topology, seed: UInt64) {
        self.engine = engine
        self.topology = topology
        self.seed = seed
        random = SeededGenerator(seed: seed)
    }

    static let keys = (0..<24).map { "k\($0 < 10 ? "0" : "")\($0)" }
    static let sizes = [0, 1, 100, 65_535, 65_536, 65_537, 150_000]

    mutating func go(operations: Int) async throws {
        for classification in topology.classifications {
            let name = "b-" + classification
            buckets[name] = try await engine.createBucket(name, classification: classification)
            model[name] = [:]
        }
        let names = buckets.keys.sorted()
        for index in 0..<operations {
            let bucket = names.randomElement(using: &random) ?? names[0]
            let key = Self.keys.randomElement(using: &random) ?? Self.keys[0]
            let context = "\(topology.rawValue), seed \(seed), operation \(index)"
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<35: await put(bucket: bucket, key: key, context)
            case 35..<60: await get(bucket: bucket, key: key, ranged: false, context)
            case 60..<70: await get(bucket: bucket, key: key, ranged: true, context)
            case 70..<78: try await delete(bucket: bucket, key: key, context)
            case 78..<85: try await list(bucket: bucket, store: engine.store, context)
            case 85..<91:
                _ = try await engine.store.repair()
                tally["repair", default: 0] += 1
            case 91..<93:
                _ = try await engine.store.scrub()
                tally["scrub", default: 0] += 1
            default:
                _ = await engine.store.collectGarbage(immediately: true)
                tally["garbage", default: 0] += 1
            }
        }
        try await settle()
    }

    mutating func put(bucket: String, key: String, _ context: String) async {
        guard let record = buckets[bucket] else { return }
        var size = Self.sizes.randomElement(using: &random) ?? 0
        if Bool.random(using: &random) { size = Int.random(in: 0...300_000, using: &random) }
        var data = LocationContract.bytes(size, seed: UInt8.random(in: 0...255, using: &random))
        for index in 0..<min(8, size) { data[index] = UInt8.random(in: 0...255, using: &random) }
        let piece = [1000, 65_536, 100_000].randomElement(using: &random) ?? 65_536
        do {
            let stored = try await engine.put(data, bucket: record, key: key, piece: piece)
            #expect(stored.size == Int64(size), "\(context)")
            let problems = await engine.copyProblems(of: stored, allowMissing: record.classification == EngineUnderTest.twiceLenient)
            #expect(problems == nil, "\(context): an acknowledged PUT: \(problems ?? "")")
            model[bucket]?[key] = data
            tally["put acknowledged", default: 0] += 1
        } catch {
            tally["put refused", default: 0] += 1
        }
    }

    mutating func get(bucket: String, key: String, ranged: Bool, _ context: String) async {
        guard let expected = model[bucket]?[key] else {
            do {
                _ = try await engine.get(bucket: bucket, key: key)
                Issue.record("\(context): a GET of a key never acknowledged returned bytes")
            } catch {
                #expect((error as? EngineError)?.code == .noSuchKey, "\(context): \(error)")
            }
            return
        }
        var range: ClosedRange<Int64>?
        if ranged, !expected.isEmpty {
            let lower = Int64.random(in: 0..<Int64(expected.count), using: &random)
            range = lower...Int64.random(in: lower..<Int64(expected.count), using: &random)
        }
        do {
            let bytes = try await engine.get(bucket: bucket, key: key, range: range)
            let wanted = range.map { Array(expected[Int($0.lowerBound)...Int($0.upperBound)]) } ?? expected
            #expect(bytes == wanted, "\(context): a GET returned other bytes (range \(String(describing: range)))")
            tally["get answered", default: 0] += 1
        } catch {
            tally["get failed", default: 0] += 1
        }
    }

    mutating func delete(bucket: String, key: String, _ context: String) async throws {
        try await engine.store.deleteObject(bucket: bucket, key: key)
        model[bucket]?[key] = nil
        tally["delete", default: 0] += 1
    }

    func list(bucket: String, store: ObjectStore, _ context: String) async throws {
        let page = try await store.list(bucket: bucket, prefix: "", delimiter: "", after: nil, maxKeys: 1000)
        let expected = (model[bucket] ?? [:]).sorted { $0.key < $1.key }
        #expect(page.objects.map(\.key) == expected.map(\.key), "\(context): the listing of \(bucket)")
        #expect(page.objects.map(\.size) == expected.map { Int64($0.value.count) }, "\(context): the sizes listed in \(bucket)")
    }

    /// Faults stop; a restarted store scrubs and repairs; then everything acknowledged reads back
    /// right with every copy in place, except objects whose every copy was silently damaged.
    mutating func settle() async throws {
        let context = "\(topology.rawValue), seed \(seed), after faults stopped"
        for location in engine.faulty { location.setEnabled(false) }
        let calm = engine.restarted()
        _ = try await calm.scrub()
        for _ in 0..<3 {
            guard try await calm.repairBacklog() > 0 else { break }
            _ = try await calm.repair(limit: 10_000)
        }
        await calm.collectGarbage(immediately: true)
        var lost = 0
        for (bucket, objects) in model.sorted(by: { $0.key < $1.key }) {
            try await list(bucket: bucket, store: calm, context)
            for (key, expected) in objects.sorted(by: { $0.key < $1.key }) {
                let record = try await calm.object(bucket: bucket, key: key)
                if engine.isLost(record) {
                    lost += 1
                    // Never other bytes: an error, or the bytes as written (an empty object reads no
                    // blob; a flipped byte the format does not depend on changes nothing it reads).
                    if let bytes = try? await engine.get(bucket: bucket, key: key, store: calm) {
                        #expect(bytes == expected, "\(context): \(bucket)/\(key): every copy damaged, and it read other bytes")
                    }
                    continue
                }
                let bytes = try? await engine.get(bucket: bucket, key: key, store: calm)
                #expect(bytes == expected, "\(context): \(bucket)/\(key) does not read back after repair")
                let problems = await engine.copyProblems(of: record, allowMissing: false)
                #expect(problems == nil, "\(context): \(bucket)/\(key) after repair: \(problems ?? "")")
            }
        }
        let injected = engine.faulty.map(\.injected.count).reduce(0, +)
        print("EngineFaultTests: \(topology.rawValue), seed \(seed): \(injected) faults injected, "
              + tally.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
              + ", lost to silent damage \(lost)")
    }
}
