import NIOCore
import SouverainS3Client

extension BenchSession {
    /// One mixed-workload worker's own state: its draws, the objects it created, its listing position.
    struct MixedWorker {
        var random: SplitMix64
        var created: [Int] = []
    }

    func mixed(_ written: inout Written) async throws -> WorkloadReport {
        let options = configuration.mixed
        if written.mixedBase.isEmpty {
            written.mixedBase = try await prepare("mixed/base", base: 0, count: options.preparedObjects, size: options.objectSize,
                                                  concurrency: options.concurrency)
        }
        let base = written.mixedBase.map { key("mixed/base", $0) }
        let weights: [(BenchOperation, UInt64)] = [
            (.put, UInt64(options.put)), (.get, UInt64(options.get)), (.head, UInt64(options.head)),
            (.list, UInt64(options.list)), (.delete, UInt64(options.delete)),
        ]
        let total = weights.reduce(0) { $0 + $1.1 }
        let source = PayloadSource(seed: configuration.seed, blockSize: max(1, options.objectSize))
        let (client, bucket, size, verify, pageSize) = (
            client, bucket, options.objectSize, configuration.verifyLength, options.pageSize
        )
        let keyPrefix = configuration.keyPrefix
        let seed = configuration.seed
        return await measure(
            .mixed, objectSize: size, concurrency: options.concurrency, limits: options.limits,
            state: { worker in MixedWorker(random: SplitMix64(seed: seed ^ (UInt64(worker + 1) &* 0x9E37_79B9_7F4A_7C15))) }
        ) { index, worker, stats in
            var draw = worker.random.next() % total
            var operation = BenchOperation.put
            for (candidate, weight) in weights {
                if draw < weight {
                    operation = candidate
                    break
                }
                draw -= weight
            }
            if operation == .delete, worker.created.isEmpty { operation = .put }
            let start = ContinuousClock.now
            do {
                switch operation {
                case .put:
                    _ = try await client.putObject(bucket: bucket, key: "\(keyPrefix)mixed/new/\(index)",
                                                   bytes: source.bytes(index: index, size: size))
                    worker.created.append(index)
                    stats.record(.put, since: start, bytes: Int64(size))
                case .get:
                    let key = base[Int(worker.random.next() % UInt64(base.count))]
                    let count = try await client.getObject(bucket: bucket, key: key).body.consume()
                    if verify, count != Int64(size) { throw LengthMismatch(key: key, expected: Int64(size), received: count) }
                    stats.record(.get, since: start, bytes: count)
                case .head:
                    let key = base[Int(worker.random.next() % UInt64(base.count))]
                    _ = try await client.headObject(bucket: bucket, key: key)
                    stats.record(.head, since: start)
                case .list:
                    _ = try await client.listObjectsV2(bucket: bucket, prefix: "\(keyPrefix)mixed/base/", maxKeys: pageSize)
                    stats.record(.list, since: start)
                case .delete:
                    let victim = worker.created.removeLast()
                    try await client.deleteObject(bucket: bucket, key: "\(keyPrefix)mixed/new/\(victim)")
                    stats.record(.delete, since: start)
                }
            } catch {
                stats.recordError(operation, error)
            }
        }.report
    }
}
