public import Foundation
public import NIOCore
public import SouverainCatalogue
public import SouverainModel
import SouverainStorage

extension ObjectStore {
    /// Starts an upload; placement chooses now where all its parts go.
    public func createMultipartUpload(
        bucket: BucketRecord, key: String, metadata: ObjectMetadata, checksumAlgorithm: ChecksumAlgorithm?, owner: User,
        now: Date = Date()
    ) async throws -> UploadRecord {
        // Parts go to the first location of the plan; the other copies are made at completion.
        let location = try locations.location(try planWrite(bucket: bucket, now: now).write[0])
        var generator = SystemRandomNumberGenerator()
        let id = Hex.encode((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let upload = UploadRecord(
            uploadID: id, bucket: bucket.name, key: key, initiated: now, owner: owner.id, metadata: metadata,
            checksumAlgorithm: checksumAlgorithm, location: location.id)
        try await catalogue { try await $0.createUpload(upload) }
        return upload
    }

    /// The upload, checked against the bucket and key the request names.
    public func upload(id: String, bucket: String, key: String) async throws -> UploadRecord {
        guard let upload = try await catalogue({ try await $0.upload(id: id) }), upload.bucket == bucket, upload.key == key
        else {
            throw EngineError.from(CatalogueError(.noSuchUpload, id))
        }
        return upload
    }

    public func uploadPart<Body: AsyncSequence<ByteBuffer, any Error>>(
        upload: UploadRecord, partNumber: Int, body: Body, checks: WriteChecks, customerKey: CustomerKey? = nil,
        now: Date = Date()
    ) async throws -> PartRecord {
        // SSE-C: every part is written with the key the upload was created with.
        guard upload.metadata.customerKeyMD5 == customerKey?.md5 else {
            throw EngineError(.invalidArgument, upload.metadata.customerKeyMD5 == nil
                ? "The upload was created without a customer-provided key: send none with its parts."
                : "The parts of this upload must be sent with the customer-provided key it was created with.")
        }
        let (segment, digest) = try await writeBlob(
            to: try locations.location(upload.location), bucket: upload.bucket, from: body, checks: checks, customerKey: customerKey,
            namedKey: upload.metadata.namedKeyID)
        return try await recordPart(upload: upload, partNumber: partNumber, segment: segment, digest: digest, now: now)
    }

    /// UploadPartCopy. SSE-C: `sourceKey` reads a source written with a customer key; the part is
    /// written with `customerKey`, which must be the key the upload was created with.
    public func uploadPartCopy(
        upload: UploadRecord, partNumber: Int, source: ObjectRecord, range: ClosedRange<Int64>?,
        sourceKey: CustomerKey? = nil, customerKey: CustomerKey? = nil, now: Date = Date()
    ) async throws -> PartRecord {
        guard upload.metadata.customerKeyMD5 == customerKey?.md5 else {
            throw EngineError(.invalidArgument, upload.metadata.customerKeyMD5 == nil
                ? "The upload was created without a customer-provided key: send none with its parts."
                : "The parts of this upload must be sent with the customer-provided key it was created with.")
        }
        let algorithms: Set<ChecksumAlgorithm> = upload.checksumAlgorithm.map { [$0] } ?? []
        let (segment, digest) = try await copyBlob(
            source: source, range: range, to: try locations.location(upload.location), bucket: upload.bucket,
            checksums: algorithms, sourceKey: sourceKey, customerKey: customerKey, namedKey: upload.metadata.namedKeyID)
        return try await recordPart(upload: upload, partNumber: partNumber, segment: segment, digest: digest, now: now)
    }

    private func recordPart(
        upload: UploadRecord, partNumber: Int, segment: BlobSegment, digest: ObjectDigest.Result, now: Date
    ) async throws -> PartRecord {
        let part = PartRecord(
            uploadID: upload.uploadID, partNumber: partNumber, size: segment.size, etag: digest.md5Hex,
            lastModified: now, location: upload.location, segment: segment, checksums: digest.checksums)
        do {
            _ = try await catalogueStore.putPart(part)
        } catch {
            try? await locations.location(upload.location).delete(locator: segment.locator)
            throw EngineError.from(any: error)
        }
        return part
    }

    /// A part as the client lists it in CompleteMultipartUpload.
    public struct CompletedPart: Sendable {
        public var partNumber: Int
        public var etag: String
        public var checksums: [ChecksumAlgorithm: String]

        public init(partNumber: Int, etag: String, checksums: [ChecksumAlgorithm: String]) {
            self.partNumber = partNumber
            self.etag = etag
            self.checksums = checksums
        }
    }

    /// Assembles the listed parts into the object, atomically: the object appears whole or not at all.
    ///
    /// `checkChecksums` sees the object's checksums and size before anything is copied or
    /// committed, and throws to refuse them (a checksum the client stated that does not match).
    /// `condition` (If-None-Match, If-Match) is checked in the transaction that completes the
    /// upload; a refusal leaves the upload and its parts as they were.
    public func completeMultipartUpload(
        upload: UploadRecord, parts requested: [CompletedPart],
        checkChecksums: @Sendable (_ checksums: [ChecksumAlgorithm: String], _ size: Int64) throws -> Void = { _, _ in },
        condition: WriteCondition? = nil, now: Date = Date()
    ) async throws -> ObjectRecord {
        var stored: [Int: PartRecord] = [:]
        var after = 0
        while true {
            let page = try await catalogue { try await $0.parts(uploadID: upload.uploadID, after: after, limit: 1000) }
            for part in page { stored[part.partNumber] = part }
            guard let last = page.last, page.count == 1000 else { break }
            after = last.partNumber
        }
        var previous = 0
        var chosen: [PartRecord] = []
        for (index, request) in requested.enumerated() {
            guard request.partNumber > previous else {
                throw EngineError(.invalidPartOrder, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
            }
            previous = request.partNumber
            guard let part = stored[request.partNumber], part.etag == Self.unquoted(request.etag) else {
                throw EngineError(.invalidPart, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
            }
            for (algorithm, value) in request.checksums where part.checksums[algorithm] != nil && part.checksums[algorithm] != value {
                throw EngineError(.invalidPart, "The \(algorithm.rawValue) checksum of part \(part.partNumber) does not match the one uploaded.")
            }
            if index < requested.count - 1, part.size < ObjectStore.minimumPartSize {
                throw EngineError(.entityTooSmall, "Your proposed upload is smaller than the minimum allowed object size. Each part except the last must be at least 5 MiB.")
            }
            chosen.append(part)
        }
        guard !chosen.isEmpty else {
            throw EngineError(.invalidArgument, "You must specify at least one part")
        }
        let plan = try await checkStillAllowed(upload, now: now)
        guard let bucketRecord = try await catalogue({ try await $0.bucket(named: upload.bucket) }) else {
            throw EngineError(.noSuchBucket, "The specified bucket does not exist")
        }
        let checksums = Self.multipartChecksums(upload, chosen)
        let size = chosen.reduce(0) { $0 + $1.size }
        try checkChecksums(checksums, size)
        let version = try newVersion(bucket: bucketRecord, requested: upload.metadata.requestedLock, now: now)
        let parts = chosen.map { part in
            var segment = part.segment
            segment.partChecksum = upload.checksumAlgorithm.flatMap { part.checksums[$0] }
            return segment
        }
        let (segments, replicas) = try await replicateParts(parts, from: upload.location, plan: plan)
        var metadata = upload.metadata
        metadata.checksumType = nil
        let assembled = ObjectRecord(
            bucket: upload.bucket, key: upload.key, size: size,
            etag: MultipartETag.compute(partMD5Hexes: chosen.map(\.etag)), lastModified: now, metadata: metadata,
            checksums: checksums, location: upload.location, segments: segments, partCount: chosen.count, replicas: replicas)
        var record = assembled.withVersion(id: version.id, retention: version.lock?.retention, legalHold: version.lock?.legalHold ?? false)
        record.metadata.requestedLock = nil
        // The tags CreateMultipartUpload asked for belong to the object from now on.
        record.tags = record.metadata.requestedTags ?? [:]
        record.metadata.requestedTags = nil
        do {
            _ = try await catalogue { try await $0.completeUpload(id: upload.uploadID, object: record, condition: condition) }
        } catch {
            for replica in record.replicas {
                for locator in replica.locators { try? await locations.location(replica.location).delete(locator: locator) }
            }
            throw error
        }
        return record
    }

    /// The further copies of a completed upload's parts, made before the completion is
    /// acknowledged: each part copied verbatim (and verified) to the other locations of the plan.
    /// Returns the parts' segments with the checksum of their stored bytes, and the copies.
    private func replicateParts(
        _ segments: [BlobSegment], from primary: String, plan: ReplicaPlan
    ) async throws -> ([BlobSegment], [Replica]) {
        var segments = segments
        let others = (plan.write + plan.missing).filter { $0 != primary }.prefix(plan.required - 1)
        guard !others.isEmpty else { return (segments, []) }
        let source = try locations.location(primary)
        var replicas: [Replica] = []
        for id in others {
            guard health.isUsable(id), let target = locations.byID[id] else {
                replicas.append(Replica(location: id, locators: [], state: .missing))
                continue
            }
            var locators: [String] = []
            do {
                for (index, segment) in segments.enumerated() {
                    let copy = try await copySegment(segment, from: source, to: target)
                    locators.append(copy.locator)
                    segments[index].storedSHA256 = copy.storedSHA256
                }
                replicas.append(Replica(location: id, locators: locators, state: .ok))
            } catch {
                health.recordFailure(id, error: error)
                for locator in locators { try? await target.delete(locator: locator) }
                replicas.append(Replica(location: id, locators: [], state: .missing))
            }
        }
        do {
            try plan.check(stored: 1 + replicas.filter { $0.state == .ok }.count)
        } catch {
            for replica in replicas {
                for locator in replica.locators { try? await locations.location(replica.location).delete(locator: locator) }
            }
            throw error
        }
        return (segments, replicas)
    }

    /// The rules may have changed since the upload chose its location (a reclassified bucket, a
    /// withdrawn qualification): an object is never completed where the rules now refuse it.
    private func checkStillAllowed(_ upload: UploadRecord, now: Date) async throws -> ReplicaPlan {
        guard let bucket = try await catalogue({ try await $0.bucket(named: upload.bucket) }) else {
            throw EngineError(.noSuchBucket, "The specified bucket does not exist")
        }
        let classification = placement.classification(of: bucket)
        let targets = try placement.targets(classification: classification, now: now)
        guard targets.contains(upload.location) else {
            throw EngineError(.placementViolation, "Placement refused for classification '\(classification)': this upload's parts are at location '\(upload.location)', which the rules no longer allow (allowed now: \(targets.joined(separator: ", "))). Abort the upload and start it again.")
        }
        return try placement.replicaPlan(classification: classification, health: health, now: now)
    }

    public func abortMultipartUpload(upload: UploadRecord) async throws {
        _ = try await catalogue { try await $0.abortUpload(id: upload.uploadID) }
    }

    public static func unquoted(_ etag: String) -> String {
        var value = etag.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("W/") { value.removeFirst(2) }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
        return value
    }
}
