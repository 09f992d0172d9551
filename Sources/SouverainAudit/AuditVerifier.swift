/// Offline verification with nothing but the public key: recomputes every record hash, every
/// link, every segment header and every checkpoint signature, and reports the first broken point.
/// Reads the files; writes nothing.
public enum AuditVerifier {
    /// Verifies the trail in `directory`, from sequence `from` (default: the trail's start, which
    /// must then be present and chain from the genesis value) to `to` (default: the end). Records
    /// after `to` are read up to the next checkpoint, which signs the range. In `strict` mode,
    /// records after the last checkpoint are a failure (`unsignedTail`) rather than a count.
    public static func verify(
        directory: String,
        publicKey: AuditPublicKey,
        from: UInt64? = nil,
        to: UInt64? = nil,
        strict: Bool = false
    ) -> AuditVerification {
        var run = VerificationRun(publicKey: publicKey, from: from ?? 1, to: to ?? .max)
        run.run(directory: directory, startAtTrailStart: (from ?? 1) <= 1)
        if strict, run.result.failure == nil, let first = run.firstUnsigned, run.result.unsignedTail > 0 {
            run.result.failure = AuditVerificationFailure(
                kind: .unsignedTail, segment: first.segment, offset: first.offset, sequence: first.sequence,
                message: "\(run.result.unsignedTail) records after the last checkpoint are not signed"
            )
        }
        return run.result
    }
}

private struct VerificationRun {
    struct Place {
        var segment: String
        var offset: Int64
        var sequence: UInt64
    }

    /// The last accepted record.
    struct Previous {
        var file: AuditSegment.File
        var offset: Int64
        var record: AuditRecord
        var hash: AuditHash
    }

    let publicKey: AuditPublicKey
    let fingerprint: AuditHash
    let from: UInt64
    let to: UInt64
    var result = AuditVerification()
    var firstUnsigned: Place?

    private var trailID: AuditTrailID?
    private var expectedSequence: UInt64 = 1
    private var expectedLink = AuditHash(unchecked: [UInt8](repeating: 0, count: 32))
    /// The `from` the next checkpoint must carry; nil when verification started mid-trail.
    private var expectedCheckpointFrom: UInt64?
    private var previous: Previous?
    private var previousSegment: (file: AuditSegment.File, size: Int64)?

    init(publicKey: AuditPublicKey, from: UInt64, to: UInt64) {
        self.publicKey = publicKey
        fingerprint = publicKey.fingerprint
        self.from = from
        self.to = to
    }

    private func inRange(_ sequence: UInt64) -> Bool { sequence >= from && sequence <= to }

    private mutating func fail(
        _ kind: AuditVerificationFailure.Kind, _ segment: String, _ offset: Int64, _ sequence: UInt64, _ message: String
    ) {
        result.failure = AuditVerificationFailure(kind: kind, segment: segment, offset: offset, sequence: sequence, message: message)
    }

    mutating func run(directory: String, startAtTrailStart: Bool) {
        let files: [AuditSegment.File]
        do {
            files = try AuditSegment.list(directory: directory)
        } catch {
            return fail(.unreadable, "", 0, from, error.message)
        }
        guard let first = files.first else {
            return fail(.segmentMissing, "", 0, from, "no audit segment in \(directory)")
        }
        var start = 0
        if startAtTrailStart {
            guard first.firstSequence == 1 else {
                return fail(.segmentMissing, first.name, 0, 1, "the trail's first segment (sequence 1) is missing; the first present starts at \(first.firstSequence)")
            }
        } else {
            guard first.firstSequence <= from else {
                return fail(.segmentMissing, first.name, 0, from, "no segment holds sequence \(from); the first present starts at \(first.firstSequence)")
            }
            start = files.lastIndex { $0.firstSequence <= from } ?? 0
        }
        var cursor = TrailCursor(files: Array(files[start...]))
        while result.failure == nil {
            switch cursor.next() {
            case .end:
                return
            case .segment(let file, let header, let size):
                checkHeader(file, header)
                previousSegment = (file, size)
            case .badSegment(let file, let error):
                let kind: AuditVerificationFailure.Kind =
                    switch error.code {
                    case .io: .unreadable
                    case .unsupportedFormat: .unsupportedFormat
                    default: .segmentInvalid
                    }
                fail(kind, file.name, 0, expectedSequence, error.message)
            case .damaged(let damaged, let file):
                report(damaged, in: file)
            case .frame(let frame, let file):
                if frame.record.sequence == expectedSequence && frame.record.previousHash == expectedLink {
                    accept(frame, in: file)
                    if frame.record.kind == .checkpoint && frame.record.sequence > to { return }
                } else {
                    classify(frame, in: file, upcoming: cursor.peekFrames(2))
                }
            }
        }
    }

    private mutating func checkHeader(_ file: AuditSegment.File, _ header: AuditSegmentHeader) {
        result.segments += 1
        guard header.keyFingerprint == fingerprint else {
            return fail(.keyMismatch, file.name, 0, header.firstSequence, "the segment was written for the audit key with fingerprint \(header.keyFingerprint), not \(fingerprint)")
        }
        guard let previousSegment else {
            // The first segment read anchors the chain.
            trailID = header.trailID
            expectedSequence = header.firstSequence
            expectedLink = header.previousHead
            if header.firstSequence == 1 {
                guard header.previousSegmentFirstSequence == 0, header.previousHead == AuditHash.genesis(trail: header.trailID) else {
                    return fail(.segmentInvalid, file.name, 0, 1, "the first segment does not chain from the trail's genesis value")
                }
                expectedCheckpointFrom = 1
            }
            return
        }
        guard header.trailID == trailID else {
            return fail(.segmentInvalid, file.name, 0, expectedSequence, "the segment belongs to trail \(header.trailID), not \(trailID.map { "\($0)" } ?? "?")")
        }
        if header.firstSequence == expectedSequence, header.previousHead == expectedLink,
            header.previousSegmentFirstSequence == previousSegment.file.firstSequence
        {
            return
        }
        if header.previousSegmentFirstSequence != previousSegment.file.firstSequence {
            fail(
                .segmentMissing, file.name, 0, expectedSequence,
                "the segment follows the one starting at \(header.previousSegmentFirstSequence), which is missing (sequences \(expectedSequence)…\(header.firstSequence &- 1))"
            )
        } else if header.firstSequence > expectedSequence {
            fail(
                .recordDeleted, previousSegment.file.name, previousSegment.size, expectedSequence,
                "records \(expectedSequence)…\(header.firstSequence - 1) are missing from the end of the segment"
            )
        } else {
            fail(.chainBroken, file.name, 0, expectedSequence, "the segment header does not continue the chain of the segment before it")
        }
    }

    private mutating func accept(_ frame: ScannedFrame, in file: AuditSegment.File) {
        let record = frame.record
        if let checkpoint = record.checkpoint {
            guard checkpoint.keyFingerprint == fingerprint,
                let trailID,
                publicKey.isValidSignature(
                    checkpoint.signature,
                    for: AuditCheckpoint.signedBytes(trail: trailID, from: checkpoint.from, to: checkpoint.to, head: checkpoint.head)
                )
            else {
                return fail(.badSignature, file.name, frame.offset, record.sequence, "the checkpoint's signature does not verify with the public key")
            }
            guard checkpoint.to == record.sequence - 1, checkpoint.head == record.previousHash, checkpoint.from <= checkpoint.to,
                expectedCheckpointFrom.map({ $0 == checkpoint.from }) ?? true
            else {
                return fail(
                    .checkpointInvalid, file.name, frame.offset, record.sequence,
                    "the checkpoint signs \(checkpoint.from)…\(checkpoint.to) but stands after \(record.sequence - 1)"
                )
            }
            expectedCheckpointFrom = record.sequence + 1
            result.lastCheckpoint = record.sequence
            result.unsignedTail = 0
            firstUnsigned = nil
            if inRange(record.sequence) || (record.sequence > to && checkpoint.from <= to) { result.checkpoints += 1 }
        } else if inRange(record.sequence) {
            result.unsignedTail += 1
            if firstUnsigned == nil { firstUnsigned = Place(segment: file.name, offset: frame.offset, sequence: record.sequence) }
        }
        if inRange(record.sequence) {
            result.records += 1
            result.firstSequence = result.firstSequence ?? record.sequence
            result.lastSequence = record.sequence
        }
        result.head = frame.hash
        expectedSequence = record.sequence + 1
        expectedLink = frame.hash
        previous = Previous(file: file, offset: frame.offset, record: record, hash: frame.hash)
    }

    private mutating func report(_ damaged: DamagedFrame, in file: AuditSegment.File) {
        let sequence = expectedSequence
        switch damaged.damage {
        case .incomplete:
            fail(.truncated, file.name, damaged.offset, sequence, "the file ends inside the record")
        case .unsupportedVersion:
            fail(.unsupportedFormat, file.name, damaged.offset, sequence, "the record's format version is not supported")
        case .badLength, .hashMismatch, .lengthAltered, .undecodable:
            if let checkpoint = damaged.decoded?.checkpoint, let trailID,
                !publicKey.isValidSignature(
                    checkpoint.signature,
                    for: AuditCheckpoint.signedBytes(trail: trailID, from: checkpoint.from, to: checkpoint.to, head: checkpoint.head)
                )
            {
                return fail(.badSignature, file.name, damaged.offset, sequence, "the checkpoint was altered: its signature does not verify")
            }
            let why =
                switch damaged.damage {
                case .badLength: "its length field is impossible"
                case .lengthAltered: "its length field was changed"
                case .undecodable(let message): "its bytes do not decode (\(message))"
                default: "its bytes do not hash to the hash stored with them"
                }
            fail(.recordModified, file.name, damaged.offset, sequence, "the record was altered: \(why)")
        }
    }

    /// The frame is not where it should be; tell deletion, insertion, reordering and alteration apart
    /// by looking at the record before it and the two after it.
    private mutating func classify(_ frame: ScannedFrame, in file: AuditSegment.File, upcoming: [ScannedFrame]) {
        let record = frame.record
        let expected = expectedSequence
        let next = upcoming.first
        let afterNext = upcoming.dropFirst().first
        let link = expectedLink
        func fitsHere(_ candidate: ScannedFrame) -> Bool {
            candidate.record.sequence == expected && candidate.record.previousHash == link
        }
        if record.sequence == expected {
            if let next, fitsHere(next) {
                return fail(.recordInserted, file.name, frame.offset, expected, "a record that does not belong stands where \(expected) should be; \(expected) follows it")
            }
            if let next, let previous, next.record.previousHash == frame.hash, next.record.sequence == record.sequence + 1 {
                return fail(
                    .recordModified, previous.file.name, previous.offset, previous.record.sequence,
                    "the record was altered and its stored hash recomputed: the next record links to another value"
                )
            }
            return fail(.chainBroken, file.name, frame.offset, expected, "the record does not link to the record before it")
        }
        if let next, fitsHere(next) {
            if let afterNext, afterNext.hash == frame.hash {
                return fail(.recordInserted, file.name, frame.offset, expected, "a copy of record \(record.sequence) stands where \(expected) should be")
            }
            if record.previousHash == next.hash {
                return fail(.recordsReordered, file.name, frame.offset, expected, "record \(record.sequence) stands before \(expected)")
            }
            return fail(.recordInserted, file.name, frame.offset, expected, "a record that does not belong stands where \(expected) should be; \(expected) follows it")
        }
        if let previous, record.sequence == previous.record.sequence, record.previousHash == previous.record.previousHash {
            if let next, next.record.previousHash == frame.hash {
                return fail(
                    .recordInserted, previous.file.name, previous.offset, previous.record.sequence,
                    "two records claim sequence \(record.sequence); the chain continues from the second, so the first was inserted"
                )
            }
            return fail(.recordInserted, file.name, frame.offset, record.sequence, "two records claim sequence \(record.sequence)")
        }
        if record.sequence > expected {
            if record.previousHash != expectedLink,
                next.map({ $0.record.sequence == record.sequence + 1 && $0.record.previousHash == frame.hash }) ?? true
            {
                return fail(.recordDeleted, file.name, frame.offset, expected, "records \(expected)…\(record.sequence - 1) are missing")
            }
            return fail(.recordsReordered, file.name, frame.offset, expected, "record \(record.sequence) stands where \(expected) should be")
        }
        if next == nil {
            return fail(.recordInserted, file.name, frame.offset, expected, "a copy of the earlier record \(record.sequence) was appended")
        }
        fail(.recordsReordered, file.name, frame.offset, expected, "record \(record.sequence) stands where \(expected) should be")
    }
}
