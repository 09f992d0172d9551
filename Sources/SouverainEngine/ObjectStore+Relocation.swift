public import Foundation
import Crypto
import Logging
import NIOCore
public import SouverainCatalogue
import SouverainModel
import SouverainPlacement
import SouverainStorage

extension ObjectStore {
    /// A copy of an object stored where its bucket's classification no longer allows it.
    public struct Misplaced: Sendable {
        public var object: ObjectRecord
        /// The location of the misplaced copy: the object's first copy or a further one.
        public var location: String
        public var classification: String
        /// Why the rules reject that location now.
        public var reasons: [String]
        /// Where the copy may go, best first (locations already holding a copy left out); empty
        /// when no location is allowed.
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
                var objects = page
                // Noncurrent versions are data too: checked once the current objects are.
                if page.count < 1000 { objects += try await noncurrentVersions(of: bucket.name) }
                for object in objects {
                    let holders = object.replicaLocations
                    for location in holders where !lawful.contains(location) {
                        let evaluation = decision.evaluations.first { $0.location.id == location }
                        let reasons = evaluation.map { $0.reasons.map(\.message) }
                            ?? ["location '\(location)' is not configured any more"]
                        found.append(Misplaced(object: object, location: location, classification: classification,
                                               reasons: reasons.isEmpty ? [decision.refusal?.message ?? "not allowed"] : reasons,
                                               allowed: allowed.filter { !holders.contains($0) }))
                    }
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

    /// Moves a further copy of an object (not its first) from `from` to `target`: the first
    /// copy's blobs are copied there and verified, then the object's copies are swapped in the
    /// catalogue only if it did not change meanwhile. Returns the dropped blobs, or nil when the
    /// object changed.
    public func relocateCopy(_ object: ObjectRecord, from: String, to targetID: String) async throws -> [GarbageBlob]? {
        guard let index = object.replicas.firstIndex(where: { $0.location == from }) else { return nil }
        let source = try locations.location(object.location)
        let target = try locations.location(targetID)
        var locators: [String] = []
        do {
            for segment in object.segments { locators.append(try await copySegment(segment, from: source, to: target).locator) }
        } catch {
            for locator in locators { try? await target.delete(locator: locator) }
            throw error
        }
        var updated = object
        updated.replicas[index] = Replica(location: targetID, locators: locators, state: .ok)
        return try await catalogue { try await $0.updateCopies(of: object, to: updated) }
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
            // A copy is made only from a source that holds the bytes as written: repair and
            // relocation never spread a damaged copy (the caller tries another source).
            if let expected = segment.storedSHA256, Hex.encode(Array(sent.finalize())) != expected {
                throw StorageError(.io, "blob \(segment.locator) at \(source.id) does not match its recorded SHA-256")
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
        // Everything else recorded of the segment (a part's checksum) stays with it.
        var copy = segment
        copy.locator = writer.locator
        copy.storedSHA256 = Hex.encode(Array(sentDigest))
        return copy
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
                object: item.object, classification: item.classification, from: item.location, to: item.allowed.first,
                outcome: .moved)
            if let target = item.allowed.first {
                do {
                    // The object as it is now: an earlier move in this run may have changed its copies.
                    let current = try await catalogue {
                        try await $0.version(bucket: item.object.bucket, key: item.object.key, versionID: item.object.versionID)
                    }?.object
                    var moved: [GarbageBlob]?
                    if let current, current.location == item.location {
                        moved = try await relocate(current, to: target)
                    } else if let current {
                        moved = try await relocateCopy(current, from: item.location, to: target)
                    }
                    if moved == nil { relocation.outcome = .changed }
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
