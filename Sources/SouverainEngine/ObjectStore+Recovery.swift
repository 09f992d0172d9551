public import Foundation
import Logging
import SouverainCatalogue
public import SouverainStorage

extension ObjectStore {
    /// Deletes the blobs the catalogue dropped at least `garbageGrace` ago, or however recently
    /// when `immediately` (at start-up nothing can still be reading them), page after page until
    /// none is due or the pass is cancelled (its lease lost). Returns how many went.
    ///
    /// The grace runs from when each blob was dropped, as the catalogue recorded it: however many
    /// wait, each goes once its grace is over, not a page of them per grace period.
    @discardableResult
    public func collectGarbage(immediately: Bool) async -> Int {
        let age = immediately ? Duration.zero : garbageGrace
        var collected = 0
        while !Task.isCancelled {
            guard let page = try? await catalogueStore.garbage(olderThan: age, limit: Self.garbagePage), !page.isEmpty else { break }
            let done = await deleteGarbage(page)
            do {
                try await catalogueStore.forgetGarbage(done)
            } catch {
                logger.warning("cannot record deleted garbage", metadata: ["error": "\(error)"])
                break
            }
            collected += done.count
            // Blobs that could not go (their location down or unknown) would head the next page
            // again: they wait for the next pass.
            guard done.count == page.count, page.count == Self.garbagePage else { break }
        }
        return collected
    }

    /// Garbage read from the catalogue at a time.
    static let garbagePage = 1000
    /// Blobs of a page deleted at once, so that their records share the trail's syncs.
    static let garbageDeletionsAtOnce = 16

    /// Deletes a page of garbage, each blob on the record before its bytes go; a blob the trail
    /// or its location does not take stays for a later pass. Returns the blobs that went.
    private func deleteGarbage(_ page: [GarbageBlob]) async -> [GarbageBlob] {
        var done: [GarbageBlob] = []
        for start in stride(from: 0, to: page.count, by: Self.garbageDeletionsAtOnce) {
            let batch = page[start..<min(start + Self.garbageDeletionsAtOnce, page.count)]
            await withTaskGroup(of: GarbageBlob?.self) { group in
                for blob in batch {
                    guard let location = locations.byID[blob.location] else { continue }
                    group.addTask {
                        do {
                            try await self.record(Movement(
                                kind: .collectGarbage, bucket: blob.bucket, key: blob.key, touched: [.init(blob.location, .delete)],
                                detail: "blob \(blob.locator) at \(blob.location), no longer referenced by the catalogue"))
                            try await location.delete(locator: blob.locator)
                            return blob
                        } catch {
                            self.logger.warning("cannot delete a garbage blob", metadata: ["blob": "\(blob.locator)", "error": "\(error)"])
                            return nil
                        }
                    }
                }
                for await blob in group { if let blob { done.append(blob) } }
            }
        }
        return done
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
