public import Foundation
public import Logging
public import NIOCore
public import SouverainCatalogue
public import SouverainModel
import SouverainPlacement
import SouverainStorage

/// The data path: the one place where a PUT becomes a durable blob plus a catalogue entry, and a
/// GET finds its bytes again. Knows nothing of HTTP.
///
/// A write asks placement which locations the bucket's classification allows (and is refused with
/// `placementViolation` when none may take it), streams the body into a new blob at the first of
/// them while hashing it, verifies what the client declared, makes the blob durable
/// (`BlobWriter.commit`), and only then commits the catalogue entry, which is the instant the
/// object becomes visible. An overwrite therefore swaps whole objects; a crash
/// at any point leaves either the old object or the new one, and at worst a stray blob that
/// `recover` removes.
public struct ObjectStore: Sendable {
    public let catalogueStore: any Catalogue
    public let locations: StorageLocations
    public let placement: PlacementPolicy
    public let region: String
    /// The bucket keys that encrypt every new blob; nil stores blobs in clear (a benchmark switch).
    public let keys: BucketKeys?
    /// Users' secrets, sealed at rest by the key store; nil where no key store is open (a CLI
    /// command that authenticates nobody).
    public let credentials: UserCredentials?
    /// Which locations answer, learnt from the requests (and the prober).
    public let health: LocationMonitor
    let logger: Logger
    /// How long a garbage blob survives after it was dropped, so that a GET already streaming it
    /// finishes.
    let garbageGrace: Duration
    /// Where repairs, scrub findings and garbage collection are recorded (the audit trail); nil
    /// records nothing (tests and benchmarks without a trail).
    let movements: (any MovementSink)?

    public static let minimumPartSize: Int64 = 5 * 1024 * 1024
    public static let maximumPartNumber = 10_000
    /// Largest blob one request may write: a single PUT, a part, a copy (5 GiB, as in S3).
    public static let maximumBlobSize: Int64 = 5 * 1024 * 1024 * 1024
    public static let readChunkSize = 256 * 1024

    /// How long one step of a location (starting a blob, one write, the commit, a delete, the wait
    /// for the next chunk of a read) may take before the copy counts as failed.
    public static let defaultStepTimeout: Duration = .seconds(60)

    public init(catalogue: any Catalogue, locations: StorageLocations, placement: PlacementPolicy, region: String,
                keys: BucketKeys?, logger: Logger, garbageGrace: Duration = .seconds(60), health: LocationMonitor = LocationMonitor(),
                movements: (any MovementSink)? = nil, credentials: UserCredentials? = nil,
                stepTimeout: Duration = ObjectStore.defaultStepTimeout) {
        self.credentials = credentials
        self.catalogueStore = catalogue
        self.movements = movements
        self.health = health
        self.keys = keys
        self.locations = locations.bounded(by: stepTimeout)
        self.placement = placement
        self.region = region
        self.logger = logger
        self.garbageGrace = garbageGrace
    }

    /// Records an internal movement where the store was told to; throws when it cannot be
    /// recorded, so the caller does not make (or rely on) a movement without a trace.
    func record(_ movement: Movement) async throws {
        do {
            try await movements?.record(movement)
        } catch {
            logger.critical("cannot record an internal movement in the audit trail; not making it", metadata: [
                "movement": "\(movement.kind)", "error": "\(error)"])
            throw MovementRecordingFailure(underlying: error)
        }
    }

    /// Runs a catalogue call, turning its failures into engine errors.
    func catalogue<T>(_ body: (any Catalogue) async throws -> T) async throws -> T {
        do {
            return try await body(catalogueStore)
        } catch let error as CatalogueError {
            throw EngineError.from(error)
        }
    }

    // MARK: - Buckets

    /// Creates a bucket with a classification (the configured default when nil), refused with
    /// `placementViolation` when no configured location may hold its objects.
    /// `objectLock` creates it with Object Lock (and so versioning) on, as a classification that
    /// requires immutability does whatever the request says.
    public func createBucket(_ name: String, owner: User, classification: String? = nil, objectLock: Bool = false, now: Date = Date()) async throws {
        try authorizeS3(owner)
        let classification = classification ?? placement.defaultClassification
        _ = try placement.targets(classification: classification, now: now)
        let lock = try objectLockForNewBucket(classification: classification, requested: objectLock)
        do {
            try await catalogueStore.createBucket(BucketRecord(
                name: name, owner: owner.id, createdAt: now, region: region, classification: classification,
                versioning: lock == nil ? nil : .enabled, objectLock: lock))
        } catch let error as CatalogueError where error.code == .bucketExists {
            let existing = try await catalogue { try await $0.bucket(named: name) }
            if existing?.owner == owner.id {
                throw EngineError(.bucketAlreadyOwnedByYou, "Your previous request to create the named bucket succeeded and you already own it.")
            }
            throw EngineError(.bucketAlreadyExists, "The requested bucket name is not available.")
        } catch let error as CatalogueError {
            throw EngineError.from(error)
        }
    }


    /// Crypto-shredding: destroys the bucket's keys, so that every byte of it, on every location
    /// and in every stray copy, can never be decrypted again. Its objects stay listed; reading one
    /// answers `objectShredded`. Returns how many key versions were destroyed.
    /// Refused while any version of the bucket is under retention or legal hold: shredding would
    /// destroy what Object Lock promises to keep (the refusal lists them).
    public func shredBucket(_ name: String, now: Date = Date()) async throws -> Int {
        try await refuseWhileLocked(bucket: name, action: "shredded", now: now)
        let destroyed = try await catalogue { try await $0.shredBucket(name, at: now) }
        await keys?.forget(bucket: name)
        return destroyed
    }

    /// Changes a bucket's classification, refused with `placementViolation` when no configured
    /// location may hold its objects. Objects already stored stay where they are until
    /// `placement enforce` moves those the new rules no longer allow.
    public func classifyBucket(_ name: String, as classification: String, now: Date = Date()) async throws {
        _ = try placement.targets(classification: classification, now: now)
        if placement.rules.rules(for: classification)?.requireObjectLock == true,
           try await catalogue({ try await $0.bucket(named: name) })?.objectLock == nil {
            throw EngineError(.invalidRequest, """
                Classification '\(classification)' requires Object Lock (requireObjectLock), which bucket \(name) does not have: \
                create a new bucket of that classification and copy the objects into it.
                """)
        }
        try await catalogue { try await $0.setClassification(bucket: name, classification: classification) }
    }

    // MARK: - Objects

    /// What a write must compute and check before it commits.
    public struct WriteChecks: Sendable {
        /// Checksums to compute and store (the client sent or asked for them).
        public var checksums: Set<ChecksumAlgorithm>
        /// Called once the whole body has been read, before anything is committed: throws to
        /// refuse the object (a digest mismatch, a short body).
        public var verify: @Sendable (ObjectDigest.Result) throws -> Void

        public init(checksums: Set<ChecksumAlgorithm>, verify: @escaping @Sendable (ObjectDigest.Result) throws -> Void) {
            self.checksums = checksums
            self.verify = verify
        }
    }

    public func object(bucket: String, key: String) async throws -> ObjectRecord {
        guard let record = try await catalogue({ try await $0.object(bucket: bucket, key: key) }) else {
            throw EngineError(.noSuchKey, "The specified key does not exist.")
        }
        return record
    }

    /// Stores a whole object from `body` and makes it visible once durable. `bucket` is the
    /// record `authorize` returned: its classification decides where the bytes go. `tags` are the
    /// new version's; `condition` (If-None-Match, If-Match) is checked as the object is committed,
    /// and a refused write leaves no blob behind.
    public func putObject<Body: AsyncSequence<ByteBuffer, any Error>>(
        bucket: BucketRecord, key: String, metadata: ObjectMetadata, body: Body, checks: WriteChecks,
        customerKey: CustomerKey? = nil, lock: RequestedLock? = nil, tags: [String: String] = [:],
        condition: WriteCondition? = nil, now: Date = Date()
    ) async throws -> ObjectRecord {
        let version = try newVersion(bucket: bucket, requested: lock, now: now)
        let plan = try planWrite(bucket: bucket, now: now)
        let (segment, digest, copies) = try await writeBlob(
            plan: plan, bucket: bucket.name, from: body, checks: checks, customerKey: customerKey, namedKey: metadata.namedKeyID)
        return try await commitSinglePart(
            bucket: bucket.name, key: key, metadata: metadata, copies: copies, segment: segment, digest: digest, version: version,
            tags: tags, condition: condition, now: now)
    }

    /// Makes a durable blob visible as the object: the catalogue commit is the instant it
    /// appears. If the commit fails (or `condition` refuses it), the blob is deleted: nothing
    /// references it.
    private func commitSinglePart(
        bucket: String, key: String, metadata: ObjectMetadata, copies: StoredCopies, segment: BlobSegment,
        digest: ObjectDigest.Result, version: NewVersion, tags: [String: String] = [:], condition: WriteCondition? = nil,
        now: Date
    ) async throws -> ObjectRecord {
        var record = ObjectRecord(
            bucket: bucket, key: key, size: digest.byteCount, etag: digest.md5Hex, lastModified: now,
            metadata: metadata, checksums: digest.checksums, location: copies.location, segments: [segment], partCount: nil,
            replicas: copies.replicas)
            .withVersion(id: version.id, retention: version.lock?.retention, legalHold: version.lock?.legalHold ?? false)
        record.tags = tags
        do {
            _ = try await catalogueStore.putObject(record, condition: condition)
        } catch {
            try? await locations.location(copies.location).delete(locator: segment.locator)
            for replica in copies.replicas {
                for locator in replica.locators { try? await locations.location(replica.location).delete(locator: locator) }
            }
            throw EngineError.from(any: error)
        }
        return record
    }

    /// Deletes the object; returns the location that held it (nil if there was none).
    @discardableResult
    /// Deletes an object; returns every location that held a copy of it (none if there was no
    /// such object). Its blobs go when garbage collection takes them.
    public func deleteObject(bucket: String, key: String) async throws -> [String] {
        try await catalogue { try await $0.deleteObject(bucket: bucket, key: key) }?.0.heldAt ?? []
    }

    /// Streams the bytes of `range` (or all) of an object to `consumer`.
    public func read(
        _ record: ObjectRecord, range: ClosedRange<Int64>?, customerKey: CustomerKey? = nil,
        into consumer: (ByteBuffer) async throws -> Void
    ) async throws {
        let wanted = range.map { $0.lowerBound..<($0.upperBound + 1) } ?? 0..<record.size
        var segmentStart: Int64 = 0
        for (index, segment) in record.segments.enumerated() {
            let segmentRange = segmentStart..<(segmentStart + segment.size)
            segmentStart += segment.size
            let overlap = segmentRange.clamped(to: wanted)
            guard !overlap.isEmpty else { continue }
            let local = (overlap.lowerBound - segmentRange.lowerBound)..<(overlap.upperBound - segmentRange.lowerBound)
            if record.replicas.isEmpty {
                let location = try locations.location(record.location)
                try await readSegment(segment, bucket: record.bucket, at: location, range: local, customerKey: customerKey, into: consumer)
            } else {
                try await readSegmentFromCopies(record, index: index, range: local, customerKey: customerKey, into: consumer)
            }
        }
    }

    /// Copies an object's bytes into a new blob under a new key. SSE-C: `sourceKey` reads a
    /// source written with a customer key, `customerKey` encrypts the copy with one (else the
    /// copy is under the organisation's keys).
    public func copyObject(
        source: ObjectRecord, range: ClosedRange<Int64>? = nil, toBucket bucket: BucketRecord, key: String,
        metadata: ObjectMetadata, checksums: Set<ChecksumAlgorithm>, sourceKey: CustomerKey? = nil,
        customerKey: CustomerKey? = nil, lock: RequestedLock? = nil, tags: [String: String] = [:], now: Date = Date()
    ) async throws -> ObjectRecord {
        let version = try newVersion(bucket: bucket, requested: lock, now: now)
        let plan = try planWrite(bucket: bucket, now: now)
        let (segment, digest, copies) = try await copyBlob(
            source: source, range: range, plan: plan, bucket: bucket.name, checksums: checksums, sourceKey: sourceKey,
            customerKey: customerKey, namedKey: metadata.namedKeyID)
        return try await commitSinglePart(
            bucket: bucket.name, key: key, metadata: metadata, copies: copies, segment: segment, digest: digest, version: version,
            tags: tags, now: now)
    }

    // MARK: - Blobs

    /// Streams a body into a new durable blob at one location, computing its digests; verifies before commit.
    func writeBlob<Body: AsyncSequence<ByteBuffer, any Error>>(
        to location: any Location, bucket: String, from body: Body, checks: WriteChecks, customerKey: CustomerKey? = nil,
        namedKey: String? = nil
    ) async throws -> (BlobSegment, ObjectDigest.Result) {
        let plan = ReplicaPlan(classification: "", write: [location.id], missing: [], required: 1, acceptUnderReplicated: false)
        let (segment, digest, _) = try await writeBlob(
            plan: plan, bucket: bucket, from: body, checks: checks, customerKey: customerKey, namedKey: namedKey)
        return (segment, digest)
    }

    /// Streams a body into a new durable blob at every location of `plan` at once (sealed once),
    /// computing its digests; verifies before commit.
    func writeBlob<Body: AsyncSequence<ByteBuffer, any Error>>(
        plan: ReplicaPlan, bucket: String, from body: Body, checks: WriteChecks, customerKey: CustomerKey? = nil,
        namedKey: String? = nil
    ) async throws -> (BlobSegment, ObjectDigest.Result, StoredCopies) {
        let (blobWriter, fanOut) = try await makeWriter(for: plan)
        var writer = try await SealedBlobWriter(
            writer: blobWriter, bucket: bucket, keys: keys, customerKey: customerKey, namedKey: namedKey)
        var digest = ObjectDigest(checksums: checks.checksums, lanes: .shared)
        do {
            for try await buffer in body {
                await digest.update(buffer)
                if digest.byteCount > ObjectStore.maximumBlobSize {
                    throw EngineError(.entityTooLarge, "Your proposed upload exceeds the maximum allowed object size.")
                }
                try await writer.write(buffer)
            }
            let result = await digest.finish()
            try checks.verify(result)
            var segment = try await writer.commit(plaintextSize: result.byteCount)
            segment.storedSHA256 = fanOut?.storedSHA256
            return (segment, result, try await storedCopies(plan: plan, fanOut: fanOut))
        } catch {
            digest.abandon()
            await writer.abort()
            throw error
        }
    }

    func copyBlob(
        source: ObjectRecord, range: ClosedRange<Int64>?, to location: any Location, bucket: String, checksums: Set<ChecksumAlgorithm>,
        sourceKey: CustomerKey? = nil, customerKey: CustomerKey? = nil, namedKey: String? = nil
    ) async throws -> (BlobSegment, ObjectDigest.Result) {
        let plan = ReplicaPlan(classification: "", write: [location.id], missing: [], required: 1, acceptUnderReplicated: false)
        let (segment, digest, _) = try await copyBlob(
            source: source, range: range, plan: plan, bucket: bucket, checksums: checksums, sourceKey: sourceKey, customerKey: customerKey,
            namedKey: namedKey)
        return (segment, digest)
    }

    func copyBlob(
        source: ObjectRecord, range: ClosedRange<Int64>?, plan: ReplicaPlan, bucket: String, checksums: Set<ChecksumAlgorithm>,
        sourceKey: CustomerKey? = nil, customerKey: CustomerKey? = nil, namedKey: String? = nil
    ) async throws -> (BlobSegment, ObjectDigest.Result, StoredCopies) {
        try checkCustomerKey(source, sourceKey)
        let (blobWriter, fanOut) = try await makeWriter(for: plan)
        var writer = try await SealedBlobWriter(
            writer: blobWriter, bucket: bucket, keys: keys, customerKey: customerKey, namedKey: namedKey)
        var digest = ObjectDigest(checksums: checksums, lanes: .shared)
        do {
            try await read(source, range: range, customerKey: sourceKey) { buffer in
                await digest.update(buffer)
                try await writer.write(buffer)
            }
            let result = await digest.finish()
            var segment = try await writer.commit(plaintextSize: result.byteCount)
            segment.storedSHA256 = fanOut?.storedSHA256
            return (segment, result, try await storedCopies(plan: plan, fanOut: fanOut))
        } catch {
            digest.abandon()
            await writer.abort()
            throw error
        }
    }
}

extension EngineError {
    static func from(any error: any Error) -> any Error {
        (error as? CatalogueError).map(EngineError.from) ?? error
    }

    static func from(_ error: CatalogueError) -> EngineError {
        switch error.code {
        case .noSuchBucket: EngineError(.noSuchBucket, "The specified bucket does not exist")
        case .noSuchUpload:
            EngineError(.noSuchUpload, "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
        case .bucketNotEmpty: EngineError(.bucketNotEmpty, "The bucket you tried to delete is not empty")
        case .bucketExists: EngineError(.bucketAlreadyExists, "The requested bucket name is not available.")
        case .keyRetired: EngineError(.unavailable, "The key this write was encrypted under was retired while it ran; retry the request.")
        case .versionLocked: EngineError(.objectLocked, error.message)
        case .isDeleteMarker: EngineError(.methodNotAllowed, "The specified method is not allowed against this resource: the version is a delete marker.")
        case .preconditionFailed: EngineError(.preconditionFailed, "At least one of the pre-conditions you specified did not hold")
        case .noCurrentObject: EngineError(.noSuchKey, "The specified key does not exist.")
        default: EngineError(.unavailable, "The catalogue is unavailable", cause: error)
        }
    }
}

extension ObjectDigest {
    /// Feeds a body buffer, handing the MD5's jobs to the lanes as they fill. The lanes hash the
    /// bytes where they lie, keeping the buffer's storage alive until then: a ByteBuffer's bytes
    /// are never written while another reference to its storage is held (copy on write).
    mutating func update(_ buffer: ByteBuffer) async {
        var offset = 0
        let count = buffer.readableBytes
        while offset < count {
            offset += buffer.withUnsafeReadableBytesWithStorageManagement { bytes, storage in
                absorb(UnsafeRawBufferPointer(rebasing: bytes[offset...]), owner: storage.takeUnretainedValue())
            }
            if mustHandOff { await handOff() }
        }
    }
}
