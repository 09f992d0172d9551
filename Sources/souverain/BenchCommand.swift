import ArgumentParser
import Foundation
import SouverainBench
import SouverainS3Client

/// `souverain bench`: the native load generator, against any S3 endpoint.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure an S3 endpoint: large-object throughput, small-object ops/s with p50/p99/p999 latency, listing and a mixed workload.",
        discussion: """
            Every workload is bounded in operations and in time. Credentials come from --access-key/--secret-key \
            or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. --calibrate runs the same workloads against an in-process \
            server that does nothing, to show this generator's own ceiling on the machine.
            """)

    @Option(help: "The endpoint, such as http://127.0.0.1:9000 (not needed with --calibrate).") var endpoint: String?
    @Option(help: "Access key (default $AWS_ACCESS_KEY_ID).") var accessKey: String?
    @Option(help: "Secret key (default $AWS_SECRET_ACCESS_KEY).") var secretKey: String?
    @Option(help: "Region to sign for.") var region = "us-east-1"
    @Option(help: "Bucket to create and use.") var bucket = "souverain-bench"
    @Option(help: "Workloads, comma-separated: \(BenchWorkload.allCases.map(\.rawValue).joined(separator: ",")).")
    var workloads = BenchWorkload.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Large object size in MiB.") var largeSize = 64
    @Option(help: "Large objects in flight.") var largeConcurrency = 4
    @Option(help: "Large objects measured per workload.") var largeCount = 16
    @Option(help: "Small object size in bytes.") var smallSize = 4096
    @Option(help: "Small requests in flight.") var smallConcurrency = 32
    @Option(help: "Small operations measured per workload.") var smallCount = 10_000
    @Option(help: "Objects listed by the list workload.") var listObjects = 2000
    @Option(help: "Listings in flight.") var listConcurrency = 4
    @Option(help: "Longest measured time of each workload, in seconds.") var duration = 30
    @Option(help: "Label printed with the results.") var label: String?
    @Flag(help: "Run against an in-process null server.") var calibrate = false
    @Flag(help: "JSON instead of a table.") var json = false
    @Flag(help: "Leave the objects under the key prefix (and the bucket) in place at the end.") var keepObjects = false
    @Flag(help: "Turn versioning on for the bucket first: PUTs keep versions, DELETEs write delete markers.") var versioning = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let key = accessKey ?? environment["AWS_ACCESS_KEY_ID"] ?? (calibrate ? "calibration" : nil)
        let secret = secretKey ?? environment["AWS_SECRET_ACCESS_KEY"] ?? (calibrate ? "calibration" : nil)
        guard let key, let secret else { throw ValidationError("give --access-key and --secret-key, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") }
        guard calibrate || endpoint != nil else { throw ValidationError("give --endpoint, or --calibrate") }
        var chosen: [BenchWorkload] = []
        for name in workloads.split(separator: ",") {
            guard let workload = BenchWorkload(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("unknown workload \(name) (known: \(BenchWorkload.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            chosen.append(workload)
        }
        let limit = Duration.seconds(duration)
        var configuration = BenchConfiguration(
            client: S3ClientConfiguration(
                endpoint: endpoint ?? "http://127.0.0.1:1", region: region,
                credentials: S3Credentials(accessKeyID: key, secretAccessKey: secret), retry: .none,
                maximumConnections: max(largeConcurrency * 4, smallConcurrency)),
            bucket: bucket, workloads: chosen, calibrate: calibrate)
        configuration.large.objectSize = largeSize << 20
        configuration.large.concurrency = largeConcurrency
        configuration.large.limits.operations = largeCount
        configuration.large.limits.duration = limit
        configuration.small.objectSize = smallSize
        configuration.small.concurrency = smallConcurrency
        configuration.small.limits.operations = smallCount
        configuration.small.limits.duration = limit
        configuration.list.objectCount = listObjects
        configuration.list.concurrency = listConcurrency
        configuration.cleanUp = !keepObjects
        configuration.versioning = versioning
        configuration.list.limits.duration = limit
        configuration.mixed.concurrency = smallConcurrency
        configuration.mixed.limits.duration = limit
        let report = try await BenchRunner.run(configuration: configuration) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        if json {
            print(try report.json(compact: true))
        } else {
            if let label { print("== \(label)") }
            print(report.table(), terminator: "")
        }
        if report.errors > 0 { throw ExitCode(1) }
    }
}
