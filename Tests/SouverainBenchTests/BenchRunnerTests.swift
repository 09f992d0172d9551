import SouverainTesting
import Foundation
import NIOCore
@testable import SouverainBench
import Synchronization
import SouverainS3Client
import Testing

/// Small bounded runs of every workload. Figures are checked for presence, never for speed.
@Suite(.serialized) struct BenchRunnerTests {
    /// 200 small operations per workload, 2 large objects of 8 MiB.
    static func smallRun(endpoint: String, accessKey: String, secretKey: String, calibrate: Bool) -> BenchConfiguration {
        var configuration = BenchConfiguration(
            client: S3ClientConfiguration(
                endpoint: endpoint, credentials: S3Credentials(accessKeyID: accessKey, secretAccessKey: secretKey),
                retry: .none),
            bucket: "bench-test", calibrate: calibrate)
        configuration.large = .init(
            objectSize: 8 << 20, concurrency: 2,
            limits: .init(operations: 2, duration: .seconds(120), warmUpOperations: 1, warmUpDuration: .seconds(60)))
        let smallLimits = BenchConfiguration.Limits(
            operations: 200, duration: .seconds(120), warmUpOperations: 20, warmUpDuration: .seconds(60))
        configuration.small = .init(objectSize: 4096, concurrency: 8, preparedObjects: 50, limits: smallLimits)
        configuration.list = .init(objectCount: 120, pageSize: 50, concurrency: 2,
                                   limits: .init(operations: 20, duration: .seconds(60), warmUpOperations: 2))
        configuration.mixed = .init(concurrency: 8, preparedObjects: 30, pageSize: 20, limits: smallLimits)
        return configuration
    }

    static func checkFigures(_ report: BenchReport, calibration: Bool) throws {
        #expect(report.tool == "souverain-bench")
        #expect(report.calibration == calibration)
        #expect(report.errors == 0, "\(report.table())")
        #expect(report.workloads.map(\.workload) == BenchWorkload.allCases)
        for workload in report.workloads {
            let expected: Int
            switch workload.workload {
            case .largePut, .largeGet: expected = 2
            case .list: expected = 20
            default: expected = 200
            }
            #expect(workload.operations == expected, "\(workload.workload)")
            #expect(workload.stoppedBy == "operations", "\(workload.workload)")
            #expect(workload.errors == 0, "\(workload.workload): \(workload.errorSamples)")
            #expect(workload.warmUpOperations > 0, "\(workload.workload)")
            #expect(workload.seconds > 0, "\(workload.workload)")
            #expect(workload.operationsPerSecond > 0, "\(workload.workload)")
            #expect(!workload.latency.isEmpty, "\(workload.workload)")
            #expect(workload.latency.reduce(0) { $0 + $1.count } == expected, "\(workload.workload)")
            for latency in workload.latency {
                #expect(latency.p50Milliseconds > 0 && latency.p50Milliseconds <= latency.p99Milliseconds)
                #expect(latency.p99Milliseconds <= latency.p999Milliseconds && latency.p999Milliseconds <= latency.maxMilliseconds)
            }
        }
        let byName = Dictionary(uniqueKeysWithValues: report.workloads.map { ($0.workload, $0) })
        #expect(byName[.largePut]?.bytes == Int64(2 * (8 << 20)))
        #expect(byName[.largeGet]?.bytes == Int64(2 * (8 << 20)))
        #expect(byName[.largePut]?.mebibytesPerSecond ?? 0 > 0)
        #expect(byName[.smallGet]?.bytes == Int64(200 * 4096))
        #expect(byName[.smallHead]?.latency.map(\.operation) == [.head])
        #expect(byName[.list]?.latency.map(\.operation) == [.list])
        #expect(byName[.smallDelete]?.latency.map(\.operation) == [.delete])
        let mixedOperations = Set(byName[.mixed]?.latency.map(\.operation) ?? [])
        #expect(mixedOperations.isSuperset(of: [.put, .get]))

        // JSON round trip, and the table names every workload.
        let json = try report.json()
        let decoded = try JSONDecoder().decode(BenchReport.self, from: Data(json.utf8))
        #expect(decoded == report)
        let table = report.table()
        for workload in BenchWorkload.allCases { #expect(table.contains(workload.rawValue)) }
    }

    @Test func calibrationAgainstTheNullEndpoint() async throws {
        let configuration = Self.smallRun(endpoint: "http://unused.invalid", accessKey: "AK", secretKey: "SK", calibrate: true)
        let report = try await BenchRunner.run(configuration: configuration)
        try Self.checkFigures(report, calibration: true)
        #expect(report.cleanup == nil)
        #expect(report.endpoint.hasPrefix("http://127.0.0.1:"))
    }

    /// Runs `body` against a fresh `souverain` server, stopped whatever the body does.
    static func againstSouverain(_ body: (TestServer, BenchConfiguration) async throws -> Void) async throws {
        let server = try await TestServer.start(.souverain)
        do {
            try await body(server, Self.smallRun(
                endpoint: server.endpoint, accessKey: server.accessKey, secretKey: server.secretKey, calibrate: false))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test(.enabled(if: TestServer.isAvailable(.souverain), "souverain binary not built (set SOUVERAIN_BINARY or build the package first)"))
    func everyWorkloadAgainstSouverain() async throws {
        try await Self.againstSouverain { _, configuration in
            let lines = LineCollector()
            let report = try await BenchRunner.run(configuration: configuration) { lines.append($0) }
            try Self.checkFigures(report, calibration: false)
            #expect(lines.count == BenchWorkload.allCases.count + 1)
            let cleanup = try #require(report.cleanup)
            #expect(cleanup.errors == 0)
            #expect(cleanup.deletedObjects > 0)
            #expect(cleanup.bucketDeleted)
            print(report.table())
        }
    }

    @Test(.enabled(if: TestServer.isAvailable(.souverain), "souverain binary not built (set SOUVERAIN_BINARY or build the package first)"))
    func everyWorkloadOnAVersionedBucketAndNothingLeftBehind() async throws {
        try await Self.againstSouverain { _, base in
            var configuration = base
            configuration.versioning = true
            configuration.cleanUp = false
            let report = try await BenchRunner.run(configuration: configuration)
            try Self.checkFigures(report, calibration: false)
            let client = try S3Client(configuration: configuration.client)
            do {
                // The bucket kept versions, and the deletes left markers.
                let versions = try await client.listObjectVersions(bucket: "bench-test", prefix: "bench/", maxKeys: 1000).entries
                #expect(versions.contains { $0.isDeleteMarker })
                #expect(versions.contains { !$0.isDeleteMarker && !$0.isLatest })
                #expect(try await client.getBucketVersioning("bench-test") == "Enabled")
                // Cleanup of a versioned run removes every version and marker, then the bucket.
                let cleanup = await BenchSession(configuration: configuration, client: client, progress: nil).cleanUp(deleteBucket: true)
                #expect(cleanup.errors == 0)
                #expect(cleanup.deletedObjects >= versions.count)
                #expect(cleanup.bucketDeleted)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    @Test func aRunStopsAtItsDuration() async throws {
        var configuration = BenchConfiguration(
            client: S3ClientConfiguration(endpoint: "http://unused.invalid", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b")),
            workloads: [.smallPut, .smallHead], calibrate: true)
        configuration.small.limits = .init(operations: 100_000_000, duration: .milliseconds(300), warmUpOperations: 0)
        let report = try await BenchRunner.run(configuration: configuration)
        for workload in report.workloads {
            // How many operations fit in 300 ms depends on the machine's load (none did once, on
            // 2 cores running four servers and a build): only the bound is asserted.
            #expect(workload.stoppedBy == "duration")
            #expect(workload.operations < 100_000_000)
            #expect(workload.warmUpOperations == 0)
            #expect(workload.seconds < 30)
        }
    }

    @Test func anUnreachableEndpointIsASetupError() async throws {
        let port = try TestServer.freePort()
        var configuration = BenchConfiguration(
            client: S3ClientConfiguration(
                endpoint: "http://127.0.0.1:\(port)", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"),
                connectTimeout: .seconds(1), retry: .none))
        configuration.workloads = [.smallPut]
        await #expect(throws: BenchError.self) { _ = try await BenchRunner.run(configuration: configuration) }
    }

    @Test func failedOperationsAreCountedByCodeNotThrown() async throws {
        let server = try await NullS3Server.start()
        let client = try S3Client(configuration: S3ClientConfiguration(
            endpoint: server.endpoint, credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"), retry: .none))
        var configuration = BenchConfiguration(client: client.configuration)
        configuration.keyPrefix = "t/"
        let session = BenchSession(configuration: configuration, client: client, progress: nil)
        let limits = BenchConfiguration.Limits(operations: 30, duration: .seconds(30), warmUpOperations: 5)
        let result = await session.measure(.smallGet, objectSize: 1, concurrency: 3, limits: limits) { index, stats in
            let start = ContinuousClock.now
            do {
                if index % 3 == 0 {
                    _ = try await client.putObject(bucket: "b", key: "t/\(index)", bytes: ByteBuffer(string: "x"))
                    stats.record(.put, since: start, bytes: 1)
                } else {
                    _ = try await client.getObject(bucket: "b", key: "t/missing-\(index)").body.consume()
                    stats.record(.get, since: start)
                }
            } catch {
                stats.recordError(.get, error)
            }
        }
        try await client.shutdown()
        await server.stop()
        let report = result.report
        #expect(report.warmUpOperations == 5)
        #expect(report.operations + report.errors == 30)
        #expect(report.operations == 10)
        #expect(report.errors == 20)
        #expect(report.errorsByCode == ["NoSuchKey": 20])
        #expect(report.errorSamples.count == 5)
        #expect(report.errorSamples.allSatisfy { $0.contains("NoSuchKey") })
        #expect(report.latency.map(\.operation) == [.put])
        #expect(report.bytes == 10)
    }
}

final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var count: Int { lines.withLock { $0.count } }
}
