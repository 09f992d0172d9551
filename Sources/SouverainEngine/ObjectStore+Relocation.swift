public import Foundation
import Crypto
import Logging
import NIOCore
public import SouverainCatalogue
import SouverainModel
import SouverainPlacement
import SouverainStorage

extension ObjectStore {
    /// An object stored where its bucket's classification no longer allows it.
    public struct Misplaced: Sendable {
        public var object: ObjectRecord
        public var classification: String
        /// Why the rules reject the object's location now.
        public var reasons: [String]
        /// Where it may go, best first; empty when no location is allowed.
        public var allowed: [String]
    }

    /// Every object whose location its bucket's classification no longer allows, bucket by
    /// bucket in key order: after a change of rules, classifications, profiles or registry.
    public func misplacedObjects(now: Date = Date()) async throws -> [Misplaced] {
        var found: [Misplaced] = []
        for bucket in try await catalogue({ try await $0.buckets() }) {
            let classification = placement.classification(of: bucket)
            let decision = placement.decide(classification: classification, now: now)
            let lawful = Set(decision.evaluations.filter(\.lawful).map(\.location.id))
            let allowed = decision.eligible.map(\.id)
            var position: ListPosition?
            while true {
                let page = try await catalogue {
                    try await $0.listObjects(bucket: bucket.name, prefix: "", after: position, limit: 1000)
                }
                for object in page where !lawful.contains(object.location) {
                    let evaluation = decision.evaluations.first { $0.location.id == object.location }
                    let reasons = evaluation.map { $0.reasons.map(\.message) }
                        ?? ["location '\(object.location)' is not configured any more"]
                    found.append(Misplaced(object: object, classification: classification,
                                           reasons: reasons.isEmpty ? [decision.refusal?.message ?? "not allowed"] : reasons,
                                           allowed: allowed))
                }
                guard let last = page.last, page.count == 1000 else { break }
                position = .key(last.key)
            }
        }
        return found
    }

    /// Copies an object's bytes to `target`, checks the copy byte for byte (SHA-256 of what was
    /// read from the source against SHA-256 of what the target gives back), then swaps the
    /// object's location in the catalogue. The old blobs become garbage, deleted after the grace
    /// period so that reads in flight finish. Returns the old blobs, or nil when the object
    /// changed meanwhile (the copy is then discarded and the object left as it is).
    ///
    /// Safe while the server serves, and resumable: the copies are registered as pending before
    /// they are written, so an interrupted run leaves nothing a later run or the garbage
    /// collector does not clean.
    public func relocate(_ object: ObjectRecord, to targetID: String) async throws -> [GarbageBlob]? {
        let source = try locations.location(object.location)
        let target = try locations.location(targetID)
        var copies: [BlobSegment] = []
        do {
            for segment in object.segments {
                copies.append(try await copySegment(segment, from: source, to: target))
            }
        } catch {
            for copy in copies { try? await target.delete(locator: copy.locator) }
            throw error
        }
        return try await catalogue { try await $0.relocateObject(object, to: targetID, segments: copies) }
    }

    func copySegment(_ segment: BlobSegment, from source: any Location, to target: any Location) async throws -> BlobSegment {
        let writer = try await target.makeBlobWriter()
        try await catalogue { try await $0.addPendingBlob(GarbageBlob(location: target.id, locator: writer.locator)) }
        var sent = SHA256()
        do {
            try await source.read(locator: segment.locator, range: nil, chunkSize: ObjectStore.readChunkSize) { buffer in
                buffer.withUnsafeReadableBytes { sent.update(bufferPointer: $0) }
                try await writer.write(buffer)
            }
            let size = try await writer.commit()
            guard size == segment.storedSize else {
                throw EngineError(.internalError, "the copy of blob \(segment.locator) has \(size) bytes, the original \(segment.storedSize)")
            }
        } catch {
            await writer.abort()
            throw error
        }
        var stored = SHA256()
        try await target.read(locator: writer.locator, range: nil, chunkSize: ObjectStore.readChunkSize) { buffer in
            buffer.withUnsafeReadableBytes { stored.update(bufferPointer: $0) }
        }
        let sentDigest = sent.finalize()
        guard sentDigest == stored.finalize() else {
            try? await target.delete(locator: writer.locator)
            throw EngineError(.internalError, "the copy of blob \(segment.locator) at \(target.id) does not read back as written")
        }
        // Encrypted blobs move as they are: the same ciphertext, identity and wrapped data key.
        return BlobSegment(
            locator: writer.locator, size: segment.size, encryption: segment.encryption, storedSHA256: Hex.encode(Array(sentDigest)))
    }
}

extension ObjectStore {
    /// What enforcement did with one misplaced object.
    public struct Relocation: Sendable {
        public enum Outcome: String, Sendable {
            /// Copied, verified, swapped; the old blobs are garbage.
            case moved
            /// The object changed while it was copied; left as it is (a new write was placed anew).
            case changed
            /// No location may take it now; left where it is.
            case nowhereAllowed = "nowhere-allowed"
            case failed
        }

        public var object: ObjectRecord
        public var classification: String
        public var from: String
        public var to: String?
        public var outcome: Outcome
        public var message: String?
    }

    /// Moves every misplaced object to the first location its rules allow, one at a time,
    /// reporting each. Copies left by an interrupted earlier run are handed to garbage collection
    /// first; run one enforcement at a time.
    public func enforcePlacement(now: Date = Date(), report: (Relocation) async throws -> Void) async throws {
        _ = try await catalogue { try await $0.abandonPendingBlobs() }
        for item in try await misplacedObjects(now: now) {
            var relocation = Relocation(
                object: item.object, classification: item.classification, from: item.object.location, to: item.allowed.first,
                outcome: .moved)
            if let target = item.allowed.first {
                do {
                    if try await relocate(item.object, to: target) == nil { relocation.outcome = .changed }
                } catch {
                    relocation.outcome = .failed
                    relocation.message = "\(error)"
                    logger.error("cannot relocate an object", metadata: [
                        "bucket": "\(item.object.bucket)", "key": "\(item.object.key)", "to": "\(target)", "error": "\(error)"])
                }
            } else {
                relocation.outcome = .nowhereAllowed
                relocation.message = item.reasons.joined(separator: "; ")
            }
            try await report(relocation)
        }
    }
}
