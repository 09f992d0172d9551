import Crypto
import NIOCore
import SouverainModel
import SouverainStorage

/// Writes the same bytes to one new blob at each of several locations at once: how an object's
/// replicas are made from one stream, sealed once. A location that fails is dropped (its blob
/// aborted, the failure reported to ``LocationMonitor``) and the others go on; the caller decides
/// from ``committed`` whether enough copies were made.
final class FanOutBlobWriter: BlobWriter, @unchecked Sendable {
    /// The blob writers still going, by location id, in preference order. Only touched by the one
    /// task that writes the blob (the `BlobWriter` contract: one caller, in sequence).
    private var writers: [(location: String, writer: any BlobWriter)]
    /// Locations that failed, with the error.
    private(set) var failed: [(location: String, error: any Error)] = []
    /// After `commit`: the locator of the committed blob at each location, in preference order.
    private(set) var committed: [(location: String, locator: String)] = []
    private let health: LocationMonitor
    /// Of every byte written, recorded as the copies' checksum.
    private var digest = SHA256()
    /// After `commit`: SHA-256 (hex) of the bytes every copy holds.
    private(set) var storedSHA256: String?

    init(writers: [(location: String, writer: any BlobWriter)], health: LocationMonitor) {
        self.writers = writers
        self.health = health
    }

    /// The locator of the first copy: the first committed one after `commit`, the first live
    /// writer's before.
    var locator: String { committed.first?.locator ?? writers.first?.writer.locator ?? "" }

    func write(_ buffer: ByteBuffer) async throws {
        buffer.withUnsafeReadableBytes { digest.update(bufferPointer: $0) }
        let results = await withTaskGroup(of: (Int, (any Error)?).self) { group in
            for (index, entry) in writers.enumerated() {
                group.addTask {
                    do {
                        try await entry.writer.write(buffer)
                        return (index, nil)
                    } catch {
                        return (index, error)
                    }
                }
            }
            var results: [(Int, (any Error)?)] = []
            for await result in group { results.append(result) }
            return results
        }
        try await drop(results.compactMap { index, error in error.map { (index, $0) } })
    }

    func commit() async throws -> Int64 {
        let results = await withTaskGroup(of: (Int, Result<Int64, any Error>).self) { group in
            for (index, entry) in writers.enumerated() {
                group.addTask {
                    do { return (index, .success(try await entry.writer.commit())) } catch { return (index, .failure(error)) }
                }
            }
            var results: [(Int, Result<Int64, any Error>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        var size: Int64 = 0
        for (index, result) in results {
            let entry = writers[index]
            switch result {
            case .success(let written):
                size = written
                committed.append((entry.location, entry.writer.locator))
                health.recordSuccess(entry.location)
            case .failure(let error):
                failed.append((entry.location, error))
                health.recordFailure(entry.location, error: error)
            }
        }
        writers = []
        storedSHA256 = Hex.encode(Array(digest.finalize()))
        guard !committed.isEmpty else { throw failed.first?.error ?? StorageError(.unavailable, "no location took the blob") }
        return size
    }

    func abort() async {
        for entry in writers { await entry.writer.abort() }
        writers = []
    }

    /// Removes failed writers (aborting them); throws when none is left.
    private func drop(_ failures: [(Int, any Error)]) async throws {
        guard !failures.isEmpty else { return }
        let indexes = Set(failures.map(\.0))
        for (index, error) in failures.sorted(by: { $0.0 < $1.0 }) {
            let entry = writers[index]
            failed.append((entry.location, error))
            health.recordFailure(entry.location, error: error)
            await entry.writer.abort()
        }
        writers = writers.enumerated().filter { !indexes.contains($0.offset) }.map(\.element)
        if writers.isEmpty { throw failures[0].1 }
    }
}
