public import Foundation
import Crypto
import Logging
import NIOCore
public import SouverainCatalogue
import SouverainKeys
import SouverainModel
import SouverainStorage

/// Replicas (docs/replicas.md): an object of a bucket whose rules ask for N copies at K distinct
/// operators is written, sealed once, to N locations at once and acknowledged only once they are
/// durable; a read takes the first copy that answers and moves to the next, resuming where it
/// stopped, when a location fails or returns bytes that do not authenticate; the repair re-creates
/// copies that are missing or damaged once their location answers again.
extension ObjectStore {
    /// The copies a write made: the first one's location, and the others.
    struct StoredCopies: Sendable {
        var location: String
        var replicas: [Replica]
    }

    /// Where a new object of `bucket` goes, refused up front when the rules cannot be met now.
    func planWrite(bucket: BucketRecord, now: Date) throws -> ReplicaPlan {
        let plan = try placement.replicaPlan(classification: placement.classification(of: bucket), health: health, now: now)
        try plan.check(stored: plan.write.count)
        return plan
    }

    /// One location's own writer for a single copy; a fan-out writer for several, and for a
    /// replicated object written degraded (one copy now, the others left to the repair), so that
    /// it too records the SHA-256 of its stored bytes, which the repair and the scrub check copies
    /// against.
    func makeWriter(for plan: ReplicaPlan) async throws -> (writer: any BlobWriter, fanOut: FanOutBlobWriter?) {
        if plan.write.count == 1, plan.missing.isEmpty {
            return (try await locations.location(plan.write[0]).makeBlobWriter(), nil)
        }
        var writers: [(location: String, writer: any BlobWriter)] = []
        var lastError: (any Error)?
        for id in plan.write {
            do {
                writers.append((id, try await locations.location(id).makeBlobWriter()))
            } catch {
                health.recordFailure(id, error: error)
                lastError = error
            }
        }
        guard !writers.isEmpty else { throw lastError ?? EngineError(.unavailable, "no location to write to") }
        let fanOut = FanOutBlobWriter(writers: writers, health: health)
        return (fanOut, fanOut)
    }

    /// The copies a committed write made, checked against the plan: when fewer than the rules
    /// require were made and the rules do not accept that, the copies made are deleted and the
    /// write refused.
    func storedCopies(plan: ReplicaPlan, fanOut: FanOutBlobWriter?) async throws -> StoredCopies {
        guard let fanOut else {
            return StoredCopies(location: plan.write[0], replicas: plan.missing.map { Replica(location: $0, locators: [], state: .missing) })
        }
        for copy in fanOut.miswritten { try? await locations.location(copy.location).delete(locator: copy.locator) }
        let committed = fanOut.committed
        do {
            try plan.check(stored: committed.count)
        } catch {
            for copy in committed { try? await locations.location(copy.location).delete(locator: copy.locator) }
            throw error
        }
        // Every planned location without a committed copy is missing, whether it failed while
        // writing, at the commit or before the first byte (starting its blob): each is left to
        // the repair, never forgotten.
        let made = Set(committed.map(\.location))
        let missing = (plan.write + plan.missing).filter { !made.contains($0) }
        return StoredCopies(
            location: committed[0].location,
            replicas: committed.dropFirst().map { Replica(location: $0.location, locators: [$0.locator], state: .ok) }
                + missing.map { Replica(location: $0, locators: [], state: .missing) })
    }

    // MARK: - Reads

    /// An error of the consumer of a read (the client went away): never a reason to fail over.
    private struct ConsumerFailure: Error {
        var underlying: any Error
    }

    /// Streams `range` of segment `index` of `record` from the first copy that answers, moving to
    /// the next copy when a location fails or its bytes do not authenticate, from the first byte
    /// not yet passed on. Errors that every copy would give (keys, a shredded bucket) are not
    /// retried.
    func readSegmentFromCopies(
        _ record: ObjectRecord, index: Int, range: Range<Int64>, customerKey: CustomerKey?,
        into consumer: (ByteBuffer) async throws -> Void
    ) async throws {
        let segment = record.segments[index]
        let copies = health.usableFirst(record.goodCopies) { $0.location }

        var remaining = range
        var lastError: (any Error)?
        for copy in copies {
            guard let location = locations.byID[copy.location] else { continue }
            var copySegment = segment
            copySegment.locator = copy.locators[index]
            var delivered: Int64 = 0
            do {
                try await readSegment(copySegment, bucket: record.bucket, at: location, range: remaining, customerKey: customerKey) { buffer in
                    delivered += Int64(buffer.readableBytes)
                    do { try await consumer(buffer) } catch { throw ConsumerFailure(underlying: error) }
                }
                health.recordSuccess(copy.location)
                return
            } catch let failure as ConsumerFailure {
                throw failure.underlying
            } catch let error as EngineError {
                throw error
            } catch {
                health.recordFailure(copy.location, error: error)
                logger.warning("a copy failed to read; trying the next", metadata: [
                    "bucket": "\(record.bucket)", "location": "\(copy.location)", "error": "\(error)"])
                lastError = error
                remaining = (remaining.lowerBound + delivered)..<remaining.upperBound
            }
        }
        throw lastError ?? EngineError(.unavailable, "No copy of this object can be read now.")
    }

    // MARK: - Repair

    /// What one repair pass did.
    public struct RepairReport: Sendable, Equatable {
        /// Copies re-created and verified.
        public var repaired = 0
        /// Objects left for a later pass (their location still down, the copy failed).
        public var deferred = 0
        /// Objects that changed while they were repaired (a new write placed them anew).
        public var changed = 0
        public init() {}
    }

    /// Re-creates missing or damaged copies whose locations answer, from a good copy, byte for
    /// byte (verified by SHA-256 read back), up to `limit` objects: current versions first, then
    /// noncurrent ones. Safe while the server serves:
    /// the object is swapped in the catalogue only if unchanged since it was read.
    public func repair(limit: Int = 100) async throws -> RepairReport {
        var report = RepairReport()
        var after: (bucket: String, key: String)?
        var visited = 0
        while visited < limit {
            let page = try await catalogue { try await $0.objectsNeedingRepair(after: after, limit: min(100, limit - visited)) }
            guard let last = page.last else { break }
            after = (last.bucket, last.key)
            visited += page.count
            for object in page {
                switch try await repair(object) {
                case .some(true): report.repaired += 1
                case .some(false): report.deferred += 1
                case nil: report.changed += 1
                }
            }
            if page.count < 100 { break }
        }
        // Noncurrent versions are data too: the scrub marks their copies as it marks current ones.
        var position: NoncurrentPosition?
        while visited < limit {
            let page = try await catalogue {
                try await $0.noncurrentVersionsNeedingRepair(after: position, limit: min(100, limit - visited))
            }
            guard let last = page.last else { break }
            position = last.position
            visited += page.count
            for (object, _) in page {
                switch try await repair(object) {
                case .some(true): report.repaired += 1
                case .some(false): report.deferred += 1
                case nil: report.changed += 1
                }
            }
            if page.count < 100 { break }
        }
        return report
    }

    /// Repairs one object: true if every copy is good now, false if some remain to be made, nil
    /// if the object changed meanwhile.
    private func repair(_ object: ObjectRecord) async throws -> Bool? {
        let sources = health.usableFirst(object.goodCopies) { $0.location }.compactMap { copy in
            locations.byID[copy.location].map { (location: $0, locators: copy.locators) }
        }
        var updated = object
        var complete = true
        for index in updated.replicas.indices where updated.replicas[index].state != .ok {
            let id = updated.replicas[index].location
            guard let target = locations.byID[id], health.isUsable(id) else {
                complete = false
                continue
            }
            var made: [String]?
            for source in sources where made == nil {
                do {
                    var locators: [String] = []
                    for (segmentIndex, segment) in object.segments.enumerated() {
                        var copy = segment
                        copy.locator = source.locators[segmentIndex]
                        locators.append(try await copySegment(copy, from: source.location, to: target).locator)
                    }
                    // On the record before the catalogue relies on it: a copy the trail cannot
                    // name is left to garbage collection.
                    try await record(Movement(
                        kind: .repair, bucket: object.bucket, key: object.key, version: object.versionID, bytes: UInt64(object.segments.reduce(0) { $0 + $1.storedSize }),
                        touched: [.init(source.location.id, .read), .init(id, .write)],
                        detail: "\(updated.replicas[index].state == .missing ? "missing" : "damaged") copy at \(id) re-created from \(source.location.id), verified"))
                    made = locators
                } catch let error as MovementRecordingFailure {
                    throw error
                } catch {
                    logger.warning("repair: a copy failed", metadata: [
                        "bucket": "\(object.bucket)", "from": "\(source.location.id)", "to": "\(id)", "error": "\(error)"])
                }
            }
            guard let made else {
                complete = false
                continue
            }
            health.recordSuccess(id)
            updated.replicas[index] = Replica(location: id, locators: made, state: .ok)
        }
        guard updated != object else { return complete }
        guard try await catalogue({ try await $0.updateCopies(of: object, to: updated) }) != nil else { return nil }
        return complete
    }

    /// How many objects lack a good copy.
    public func repairBacklog() async throws -> Int {
        try await catalogue { try await $0.repairBacklog() }
    }

    // MARK: - Probing

    /// Asks every location that is down and due for a probe whether it answers again (a read of
    /// a blob that does not exist must say so), and records the answer.
    public func probeLocations(now: Date = Date()) async {
        for (id, location) in locations.byID where health.state(of: id, now: now) == .probing {
            do {
                try await location.read(locator: BlobLocator.random(), range: nil, chunkSize: 4096) { _ in }
                health.recordSuccess(id)
            } catch let error as StorageError where error.code == .notFound {
                health.recordSuccess(id)
            } catch {
                health.recordFailure(id, error: error)
            }
        }
    }
}

// MARK: - Where copies are

extension ObjectRecord {
    /// Every location that holds a good copy of the object, the first copy's first: where a
    /// write put its bytes.
    public var writtenAt: [String] { goodCopies.map(\.location) }

    /// Every location that holds some blob of the object, good or not: where a delete lets go of bytes.
    public var heldAt: [String] {
        [location] + replicas.filter { !$0.locators.isEmpty && $0.location != location }.map(\.location)
    }
}

extension ObjectStore {
    /// The location a read of the object goes to first: the first copy, or, among several, the
    /// first whose location answers.
    public func readLocation(of record: ObjectRecord) -> String {
        guard !record.replicas.isEmpty else { return record.location }
        return health.usableFirst(record.goodCopies) { $0.location }.first?.location ?? record.location
    }
}

// MARK: - Scrub

extension ObjectStore {
    /// What one scrub pass found.
    public struct ScrubReport: Sendable, Equatable {
        /// Copies read whole and authenticated.
        public var verified = 0
        /// Copies found damaged or gone, now marked for the repair.
        public var damaged = 0
        /// Copies not checked: their location is down, or their blobs cannot be authenticated
        /// without a key this server does not hold (SSE-C) or are stored in clear.
        public var skipped = 0
        /// Bytes read from the locations, and which locations, for the trail.
        public var bytesRead: UInt64 = 0
        public var locationsRead: Set<String> = []
        public init() {}
    }

    /// Reads every copy of every replicated object whole and checks it: against the SHA-256 of
    /// the stored bytes recorded at write time, or, for objects written before that was recorded,
    /// by authenticating it chunk by chunk (the blob format's tags). A damaged or missing copy is
    /// marked for the repair; when it is the first copy, a good one takes its place. `pause` runs
    /// between two objects: the pace of a background scrub.
    public func scrub(pause: @Sendable () async throws -> Void = {}) async throws -> ScrubReport {
        var report = ScrubReport()
        for bucket in try await catalogue({ try await $0.buckets() }) where bucket.shreddedAt == nil {
            var position: ListPosition?
            while true {
                let page = try await catalogue { try await $0.listObjects(bucket: bucket.name, prefix: "", after: position, limit: 500) }
                for object in page where !object.replicas.isEmpty {
                    try await scrub(object, report: &report)
                    try await pause()
                }
                guard let last = page.last, page.count == 500 else {
                    // Noncurrent versions are data too.
                    for object in try await noncurrentVersions(of: bucket.name) where !object.replicas.isEmpty {
                        try await scrub(object, report: &report)
                        try await pause()
                    }
                    break
                }
                position = .key(last.key)
            }
        }
        try await record(Movement(
            kind: .scrub, bytes: report.bytesRead, touched: report.locationsRead.sorted().map { .init($0, .read) },
            detail: "scrub pass: \(report.verified) copies verified, \(report.damaged) damaged (marked for repair), \(report.skipped) not checked"))
        return report
    }

    private func scrub(_ object: ObjectRecord, report: inout ScrubReport) async throws {
        let checkable = object.segments.allSatisfy {
            $0.storedSHA256 != nil || ($0.encryption != nil && $0.encryption?.customerKeyMD5 == nil)
        }
        guard checkable else {
            report.skipped += 1 + object.replicas.count
            return
        }
        var bad: [(location: String, locators: [String], replica: Int?)] = []
        for copy in object.goodCopies {
            guard let location = locations.byID[copy.location], health.isUsable(copy.location) else {
                report.skipped += 1
                continue
            }
            let copyBytes = UInt64(object.segments.reduce(0) { $0 + $1.storedSize })
            report.bytesRead += copyBytes
            report.locationsRead.insert(copy.location)
            do {
                for (index, segment) in object.segments.enumerated() {
                    var stored = segment
                    stored.locator = copy.locators[index]
                    if let expected = segment.storedSHA256 {
                        var digest = SHA256()
                        try await location.read(locator: stored.locator, range: nil, chunkSize: ObjectStore.readChunkSize) { buffer in
                            buffer.withUnsafeReadableBytes { digest.update(bufferPointer: $0) }
                        }
                        guard Hex.encode(Array(digest.finalize())) == expected else {
                            throw StorageError(.io, "blob \(stored.locator) does not match its recorded SHA-256")
                        }
                    } else {
                        try await readSegment(stored, bucket: object.bucket, at: location, range: 0..<segment.size, customerKey: nil) { _ in }
                    }
                }
                report.verified += 1
            } catch let error as EngineError {
                throw error
            } catch {
                logger.warning("scrub: a damaged copy", metadata: [
                    "bucket": "\(object.bucket)", "location": "\(copy.location)", "error": "\(error)"])
                report.damaged += 1
                bad.append(copy)
                try await record(Movement(
                    kind: .scrub, bucket: object.bucket, key: object.key, bytes: copyBytes, touched: [.init(copy.location, .read)],
                    detail: "the copy at \(copy.location) is damaged or gone (\(error)); marked for repair", problem: "CorruptCopy"))
            }
        }
        guard !bad.isEmpty else { return }
        var updated = object
        for copy in bad {
            if let index = copy.replica { updated.replicas[index].state = .corrupt }
        }
        if bad.contains(where: { $0.replica == nil }) {
            // The first copy is damaged: a verified good one takes its place, the damaged one is
            // kept as a copy to re-create.
            guard let good = updated.replicas.firstIndex(where: { $0.state == .ok && $0.locators.count == object.segments.count })
            else { return }
            let promoted = updated.replicas[good]
            updated.replicas[good] = Replica(location: object.location, locators: object.segments.map(\.locator), state: .corrupt)
            updated.location = promoted.location
            for index in updated.segments.indices { updated.segments[index].locator = promoted.locators[index] }
        }
        _ = try await catalogue { try await $0.updateCopies(of: object, to: updated) }
    }
}
