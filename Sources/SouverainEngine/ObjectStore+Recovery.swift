public import Foundation
import Logging
public import SouverainCatalogue
public import SouverainStorage

extension ObjectStore {
    /// Deletes blobs the catalogue dropped, waiting `garbageGrace` after first seeing each unless
    /// `immediately` (at start-up nothing can still be reading them). Returns how many went.
    @discardableResult
    public func collectGarbage(seen: inout [GarbageBlob: ContinuousClock.Instant], immediately: Bool) async -> Int {
        let now = ContinuousClock.now
        guard let garbage = try? await catalogueStore.garbage(limit: 1000) else { return 0 }
        var done: [GarbageBlob] = []
        for blob in garbage {
            guard let location = locations.byID[blob.location] else { continue }
            let first = seen[blob] ?? now
            seen[blob] = first
            guard immediately || now - first >= garbageGrace else { continue }
            do {
                // On the record before the bytes go; a blob the trail cannot take stays for a later pass.
                try await record(Movement(
                    kind: .collectGarbage, bucket: blob.bucket, key: blob.key, touched: [.init(blob.location, .delete)],
                    detail: "blob \(blob.locator) at \(blob.location), no longer referenced by the catalogue"))
                try await location.delete(locator: blob.locator)
                done.append(blob)
                seen[blob] = nil
            } catch {
                logger.warning("cannot delete a garbage blob", metadata: ["blob": "\(blob.locator)", "error": "\(error)"])
            }
        }
        do {
            try await catalogueStore.forgetGarbage(done)
        } catch {
            logger.warning("cannot record deleted garbage", metadata: ["error": "\(error)"])
        }
        return done.count
    }

    /// After a crash: removes blob files that no catalogue entry references (a write renamed into
    /// place but never committed). Only files older than `startedAt` are considered.
    public func sweepStrayBlobs(in local: LocalLocation, startedAt: Date) async -> Int {
        var removed = 0
        for blob in local.allBlobs() where blob.modified < startedAt {
            guard let referenced = try? await catalogueStore.isReferenced(location: local.id, locator: blob.locator),
                  !referenced else { continue }
            if (try? await local.delete(locator: blob.locator)) != nil { removed += 1 }
        }
        return removed
    }
}
