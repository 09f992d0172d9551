import NIOCore
import SouverainS3
import SouverainS3Client

extension BenchSession {
    func largePut(_ written: inout Written) async -> WorkloadReport {
        let options = configuration.large
        let source = PayloadSource(seed: configuration.seed, blockSize: options.bufferSize)
        let (client, bucket, size) = (client, bucket, Int64(options.objectSize))
        let keyPrefix = configuration.keyPrefix
        let result = await measure(
            .largePut, objectSize: options.objectSize, concurrency: options.concurrency, limits: options.limits,
            base: written.nextLarge
        ) { index, stats in
            let start = ContinuousClock.now
            do {
                try await Self.putLarge(client, bucket: bucket, key: "\(keyPrefix)large/\(index)", index: index, size: size,
                                        source: source, options: options)
                stats.record(.put, since: start, bytes: size)
                stats.written.append(index)
            } catch {
                stats.recordError(.put, error)
            }
        }
        written.large += result.written
        written.nextLarge = result.next
        return result.report
    }

    static func putLarge(
        _ client: S3Client, bucket: String, key: String, index: Int, size: Int64, source: PayloadSource,
        options: BenchConfiguration.LargeObjects
    ) async throws {
        if let partSize = options.partSize {
            _ = try await client.uploadLarge(
                bucket: bucket, key: key, body: source.stream(index: index, size: size), partSize: partSize,
                concurrency: options.partConcurrency)
        } else {
            _ = try await client.putObject(bucket: bucket, key: key, body: source.stream(index: index, size: size), length: size)
        }
    }

    func largeGet(_ written: inout Written) async throws -> WorkloadReport {
        let options = configuration.large
        let (client, bucket, size, verify) = (client, bucket, Int64(options.objectSize), configuration.verifyLength)
        if written.large.isEmpty {
            let source = PayloadSource(seed: configuration.seed, blockSize: options.bufferSize)
            let base = written.nextLarge
            let keyPrefix = configuration.keyPrefix
            let outcome = await PhaseRunner(
                concurrency: options.concurrency, operations: options.concurrency, duration: .seconds(3600), firstIndex: base
            ).run { index, _, stats in
                do {
                    try await Self.putLarge(client, bucket: bucket, key: "\(keyPrefix)large/\(index)", index: index, size: size,
                                            source: source, options: options)
                    stats.written.append(index)
                } catch {
                    stats.recordError(.put, error)
                }
            }
            guard !outcome.stats.written.isEmpty else {
                throw BenchError(code: .setupFailed,
                                 message: "No large object could be prepared: \(outcome.stats.errorSamples.first ?? "no answer")")
            }
            written.large = outcome.stats.written.sorted()
            written.nextLarge = base + outcome.started
        }
        let pool = written.large.map { key("large", $0) }
        return await measure(
            .largeGet, objectSize: options.objectSize, concurrency: options.concurrency, limits: options.limits
        ) { index, stats in
            let key = pool[index % pool.count]
            let start = ContinuousClock.now
            do {
                let count = try await client.getObject(bucket: bucket, key: key).body.consume()
                if verify, count != size { throw LengthMismatch(key: key, expected: size, received: count) }
                stats.record(.get, since: start, bytes: count)
            } catch {
                stats.recordError(.get, error)
            }
        }.report
    }

    func smallPut(_ written: inout Written) async -> WorkloadReport {
        let options = configuration.small
        let source = PayloadSource(seed: configuration.seed, blockSize: max(1, options.objectSize))
        let (client, bucket, size) = (client, bucket, options.objectSize)
        let keyPrefix = configuration.keyPrefix
        let result = await measure(
            .smallPut, objectSize: size, concurrency: options.concurrency, limits: options.limits, base: written.nextSmall
        ) { index, stats in
            let start = ContinuousClock.now
            do {
                _ = try await client.putObject(bucket: bucket, key: "\(keyPrefix)small/\(index)",
                                               bytes: source.bytes(index: index, size: size))
                stats.record(.put, since: start, bytes: Int64(size))
                stats.written.append(index)
            } catch {
                stats.recordError(.put, error)
            }
        }
        written.small += result.written
        written.nextSmall = result.next
        return result.report
    }

    /// Makes sure at least `count` small objects exist (preparing the shortfall).
    func ensureSmall(_ count: Int, _ written: inout Written) async throws {
        guard written.small.count < count else { return }
        let options = configuration.small
        let missing = count - written.small.count
        written.small += try await prepare("small", base: written.nextSmall, count: missing, size: options.objectSize,
                                           concurrency: options.concurrency)
        written.nextSmall += missing
    }

    func smallRead(_ workload: BenchWorkload, _ written: inout Written) async throws -> WorkloadReport {
        let options = configuration.small
        if written.small.isEmpty { try await ensureSmall(options.preparedObjects, &written) }
        let pool = written.small.map { key("small", $0) }
        let (client, bucket, size, verify) = (client, bucket, Int64(options.objectSize), configuration.verifyLength)
        let isHead = workload == .smallHead
        return await measure(workload, objectSize: options.objectSize, concurrency: options.concurrency, limits: options.limits) {
            index, stats in
            let key = pool[index % pool.count]
            let start = ContinuousClock.now
            do {
                if isHead {
                    let head = try await client.headObject(bucket: bucket, key: key)
                    if verify, head.contentLength != size {
                        throw LengthMismatch(key: key, expected: size, received: head.contentLength)
                    }
                    stats.record(.head, since: start)
                } else {
                    let count = try await client.getObject(bucket: bucket, key: key).body.consume()
                    if verify, count != size { throw LengthMismatch(key: key, expected: size, received: count) }
                    stats.record(.get, since: start, bytes: count)
                }
            } catch {
                stats.recordError(isHead ? .head : .get, error)
            }
        }.report
    }

    func list(_ written: inout Written) async throws -> WorkloadReport {
        let options = configuration.list
        if !written.listPrepared, options.objectCount > 0 {
            _ = try await prepare("list", base: 0, count: options.objectCount, size: 0, concurrency: configuration.small.concurrency)
            written.listPrepared = true
        }
        let (client, bucket, pageSize) = (client, bucket, options.pageSize)
        let prefix = "\(configuration.keyPrefix)list/"
        return await measure(
            .list, objectSize: 0, concurrency: options.concurrency, limits: options.limits, state: { _ in String?.none }
        ) { _, token, stats in
            let start = ContinuousClock.now
            do {
                let page = try await client.listObjectsV2(bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: pageSize)
                token = page.isTruncated ? page.nextContinuationToken : nil
                stats.record(.list, since: start)
            } catch {
                token = nil
                stats.recordError(.list, error)
            }
        }.report
    }

    func smallDelete(_ written: inout Written) async throws -> WorkloadReport {
        let options = configuration.small
        if written.small.isEmpty {
            try await ensureSmall(min(options.preparedObjects, options.limits.operations) + options.limits.warmUpOperations, &written)
        }
        let pool = written.small.map { key("small", $0) }
        // Each object is deleted once: the bounds shrink to the objects there are.
        var limits = options.limits
        limits.warmUpOperations = min(limits.warmUpOperations, pool.count / 10)
        limits.operations = max(1, min(limits.operations, pool.count - limits.warmUpOperations))
        let (client, bucket) = (client, bucket)
        let result = await measure(.smallDelete, objectSize: options.objectSize, concurrency: options.concurrency, limits: limits) {
            index, stats in
            guard index < pool.count else { return }
            let start = ContinuousClock.now
            do {
                try await client.deleteObject(bucket: bucket, key: pool[index])
                stats.record(.delete, since: start)
                stats.written.append(index)
            } catch {
                stats.recordError(.delete, error)
            }
        }
        let deleted = Set(result.written.map { written.small[$0] })
        written.small.removeAll { deleted.contains($0) }
        return result.report
    }
}
