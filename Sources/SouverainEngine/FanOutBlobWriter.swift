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
    /// After `commit`: copies a location committed with another size than the others; the caller
    /// deletes them.
    private(set) var miswritten: [(location: String, locator: String)] = []
    /// Once committed or aborted, the writer takes nothing more.
    private var finished = false

    init(writers: [(location: String, writer: any BlobWriter)], health: LocationMonitor) {
        self.writers = writers
        self.health = health
    }

    /// The locator of the first copy: the first committed one after `commit`, the first live
    /// writer's before.
    var locator: String { committed.first?.locator ?? writers.first?.writer.locator ?? "" }

    func write(_ buffer: ByteBuffer) async throws {
        guard !finished else { throw StorageError(.io, "a replicated blob was written to after its commit or abort") }
        buffer.withUnsafeReadableBytes { digest.update(bufferPointer: $0) }
        // Each child reports on the copy it was given, never on a position in `writers`, which
        // changes as copies fail.
        let live = writers
        let failures = await withTaskGroup(of: Failure?.self) { group in
            for (order, copy) in live.enumerated() {
                group.addTask {
                    do {
                        try await copy.writer.write(buffer)
                        return nil
                    } catch {
                        return Failure(order: order, location: copy.location, writer: copy.writer, error: error)
                    }
                }
            }
            var failures: [Failure] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures.sorted { $0.order < $1.order }
        }
        try await drop(failures)
    }

    func commit() async throws -> Int64 {
        guard !finished else { throw StorageError(.io, "a replicated blob was committed twice, or after its abort") }
        finished = true
        let live = writers
        writers = []
        let results = await withTaskGroup(of: (order: Int, result: Result<Int64, any Error>).self) { group in
            for (order, copy) in live.enumerated() {
                group.addTask {
                    do { return (order, .success(try await copy.writer.commit())) } catch { return (order, .failure(error)) }
                }
            }
            var results: [(order: Int, result: Result<Int64, any Error>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.order < $1.order }
        }
        var sizes: [Int64] = []
        for (copy, outcome) in zip(live, results.map(\.result)) {
            switch outcome {
            case .success(let written):
                sizes.append(written)
                committed.append((copy.location, copy.writer.locator))
                health.recordSuccess(copy.location)
            case .failure(let error):
                failed.append((copy.location, error))
                health.recordFailure(copy.location, error: error)
            }
        }
        storedSHA256 = Hex.encode(Array(digest.finalize()))
        guard let size = sizes.first else { throw failed.first?.error ?? StorageError(.unavailable, "no location took the blob") }
        // Every copy got the same bytes: a location that reports another size holds a bad copy.
        // The caller checks the first against what was sealed; the others are checked here.
        for (index, other) in sizes.enumerated().reversed() where other != size {
            let copy = committed.remove(at: index)
            miswritten.append(copy)
            failed.append((copy.location, StorageError(.io, "the copy at \(copy.location) holds \(other) bytes, not \(size)")))
        }
        return size
    }

    func abort() async {
        finished = true
        let live = writers
        writers = []
        for copy in live { await copy.writer.abort() }
    }

    /// A copy that failed while bytes were written.
    private struct Failure: Sendable {
        var order: Int
        var location: String
        var writer: any BlobWriter
        var error: any Error
    }

    /// Removes the copies that failed (aborting them); throws when none is left.
    private func drop(_ failures: [Failure]) async throws {
        guard !failures.isEmpty else { return }
        for failure in failures {
            failed.append((failure.location, failure.error))
            health.recordFailure(failure.location, error: failure.error)
            await failure.writer.abort()
        }
        let gone = Set(failures.map(\.location))
        writers.removeAll { gone.contains($0.location) }
        if writers.isEmpty { throw failures[0].error }
    }
}
