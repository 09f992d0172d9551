import Foundation
import Testing
@testable import SouverainAudit

/// Every kind of tampering makes the verifier fail at exactly the right place, with the right kind.
/// The trail: 40 events, a checkpoint every 10 records: events 1–10, checkpoint 11, events 12–21,
/// checkpoint 22, 23–32, 33, 34–43, 44.
@Suite struct AuditVerifierTests {
    let trail: String
    let key: AuditKey
    let all: [FrameLocation]
    let segment: String

    init() async throws {
        (trail, key) = try await makeTrail(count: 40, checkpointEvery: 10)
        all = try frames(in: trail)
        segment = all[0].path
    }

    private func frame(_ sequence: UInt64) -> FrameLocation { all[Int(sequence) - 1] }

    private func verify(_ directory: String? = nil, strict: Bool = false) -> AuditVerification {
        AuditVerifier.verify(directory: directory ?? trail, publicKey: key.publicKey, strict: strict)
    }

    /// Rewrites the (single) segment as its header followed by `frames`, in that order.
    private func rewrite(_ frames: [[UInt8]]) throws {
        let original = try readBytes(segment)
        try writeBytes(Array(original[0..<AuditSegmentHeader.encodedSize]) + frames.joined(), to: segment)
    }

    private func bytes(_ location: FrameLocation, _ original: [UInt8]) -> [UInt8] { Array(original[location.range]) }

    private func expectFailure(
        _ result: AuditVerification, _ kind: AuditVerificationFailure.Kind, offset: Int64, sequence: UInt64,
        segment: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.failure?.kind == kind, "\(result)", sourceLocation: sourceLocation)
        #expect(result.failure?.offset == offset, "\(result)", sourceLocation: sourceLocation)
        #expect(result.failure?.sequence == sequence, "\(result)", sourceLocation: sourceLocation)
        if let segment { #expect(result.failure?.segment == segment, sourceLocation: sourceLocation) }
    }

    @Test func anUntouchedTrailVerifies() {
        let result = verify(strict: true)
        #expect(result.isValid, "\(result)")
        #expect(result.records == 44)
        #expect(result.checkpoints == 4)
        #expect(result.segments == 1)
        #expect(result.unsignedTail == 0)
        #expect(result.firstSequence == 1 && result.lastSequence == 44 && result.lastCheckpoint == 44)
        #expect(result.head == all.last?.hash)
        removeTrail(trail)
    }

    @Test func modifyingAnyByteOfARecordIsFoundAtThatRecord() throws {
        let original = try readBytes(segment)
        let target = frame(15)
        for index in target.range {
            var damaged = original
            damaged[index] ^= 0x5A
            try writeBytes(damaged, to: segment)
            expectFailure(verify(), .recordModified, offset: target.offset, sequence: 15, segment: target.segment)
        }
        removeTrail(trail)
    }

    @Test func aRecordModifiedWithItsHashRecomputedIsFoundThroughItsSuccessor() throws {
        let original = try readBytes(segment)
        var forged = frame(15).record
        guard case .event(var event) = forged.content else { Issue.record("not an event"); return }
        event.bucket = "elsewhere"
        forged.content = .event(event)
        try rewrite(all.map { $0.record.sequence == 15 ? frameBytes(forged) : bytes($0, original) })
        expectFailure(verify(), .recordModified, offset: frame(15).offset, sequence: 15)
        removeTrail(trail)
    }

    @Test(arguments: [1, 15, 22] as [UInt64])
    func deletingARecordIsFoundWhereItWas(_ sequence: UInt64) throws {
        let original = try readBytes(segment)
        try rewrite(all.filter { $0.record.sequence != sequence }.map { bytes($0, original) })
        expectFailure(verify(), .recordDeleted, offset: frame(sequence).offset, sequence: sequence)
        removeTrail(trail)
    }

    @Test func insertingACopyOfAnotherRecordIsFound() throws {
        let original = try readBytes(segment)
        var frames = all.map { bytes($0, original) }
        frames.insert(bytes(frame(5), original), at: 14)
        try rewrite(frames)
        expectFailure(verify(), .recordInserted, offset: frame(15).offset, sequence: 15)
        removeTrail(trail)
    }

    @Test func insertingAWellFormedForgeryIsFound() throws {
        let original = try readBytes(segment)
        // A record that claims sequence 15 and links correctly to 14, standing before the real 15.
        let forged = AuditRecord(
            sequence: 15, time: frame(14).record.time, previousHash: frame(14).hash,
            content: .event(AuditEvent(operation: "DeleteObject", bucket: "archives", key: "evidence", status: 204))
        )
        var frames = all.map { bytes($0, original) }
        frames.insert(frameBytes(forged), at: 14)
        try rewrite(frames)
        expectFailure(verify(), .recordInserted, offset: frame(15).offset, sequence: 15)

        // The same forgery after the real 15.
        frames = all.map { bytes($0, original) }
        frames.insert(frameBytes(forged), at: 15)
        try rewrite(frames)
        expectFailure(verify(), .recordInserted, offset: frame(16).offset, sequence: 16)

        // A forgery that does not even link.
        var unlinked = forged
        unlinked.previousHash = frame(3).hash
        frames = all.map { bytes($0, original) }
        frames.insert(frameBytes(unlinked), at: 14)
        try rewrite(frames)
        expectFailure(verify(), .recordInserted, offset: frame(15).offset, sequence: 15)
        removeTrail(trail)
    }

    @Test func aReplayedRecordAppendedAtTheEndIsFound() throws {
        let original = try readBytes(segment)
        try rewrite(all.map { bytes($0, original) } + [bytes(frame(12), original)])
        expectFailure(verify(), .recordInserted, offset: Int64(original.count), sequence: 45)
        removeTrail(trail)
    }

    @Test func swappingTwoRecordsIsFoundAtTheFirst() throws {
        let original = try readBytes(segment)
        for (first, second) in [(15, 16), (15, 19), (21, 22)] as [(UInt64, UInt64)] {
            var frames = all.map { bytes($0, original) }
            frames.swapAt(Int(first) - 1, Int(second) - 1)
            try rewrite(frames)
            expectFailure(verify(), .recordsReordered, offset: frame(first).offset, sequence: first)
        }
        removeTrail(trail)
    }

    @Test func truncatingTheLastSegmentInsideARecordIsFound() throws {
        let original = try readBytes(segment)
        let last = frame(44)
        for cut in (last.range.lowerBound + 1)..<last.range.upperBound {
            try writeBytes(Array(original[0..<cut]), to: segment)
            expectFailure(verify(), .truncated, offset: last.offset, sequence: 44)
        }
        let middle = frame(30)
        try writeBytes(Array(original[0..<(middle.range.lowerBound + 7)]), to: segment)
        expectFailure(verify(), .truncated, offset: middle.offset, sequence: 30)
        // Zeros where the file was extended but never written.
        try writeBytes(original + [UInt8](repeating: 0, count: 4096), to: segment)
        expectFailure(verify(), .truncated, offset: Int64(original.count), sequence: 45)
        removeTrail(trail)
    }

    @Test func truncatingAfterTheLastCheckpointLeavesAnUnsignedTail() throws {
        let original = try readBytes(segment)
        // Cut on a record boundary: the last checkpoint (44) and the record before it are gone.
        try writeBytes(Array(original[0..<frame(43).range.lowerBound]), to: segment)
        let relaxed = verify()
        #expect(relaxed.isValid, "\(relaxed)")
        #expect(relaxed.unsignedTail == 9)
        #expect(relaxed.lastCheckpoint == 33)
        expectFailure(verify(strict: true), .unsignedTail, offset: frame(34).offset, sequence: 34)
        removeTrail(trail)
    }

    @Test func replacingACheckpointSignatureIsABadSignature() throws {
        let original = try readBytes(segment)
        let target = frame(22)
        let checkpoint = try #require(target.record.checkpoint)
        let otherKey = AuditKey.generate()
        let foreign = try otherKey.sign(AuditCheckpoint.signedBytes(trail: AuditTrailID(bytes: [UInt8](repeating: 7, count: 16))!, from: 12, to: 21, head: checkpoint.head))
        let signatures = [
            foreign,
            try key.sign(Array("something else".utf8)),
            [UInt8](repeating: 0, count: 64),
        ]
        for signature in signatures {
            var replaced = target.record
            replaced.content = .checkpoint(AuditCheckpoint(from: 12, to: 21, head: checkpoint.head, keyFingerprint: checkpoint.keyFingerprint, signature: signature))
            // With the stored hash left as it was, and with it recomputed.
            for recomputed in [false, true] {
                let replacedFrame = recomputed ? frameBytes(replaced) : AuditFrame.encode(canonical: replaced.canonicalBytes, hash: target.hash)
                try rewrite(all.map { $0.record.sequence == 22 ? replacedFrame : bytes($0, original) })
                expectFailure(verify(), .badSignature, offset: target.offset, sequence: 22)
            }
        }
        removeTrail(trail)
    }

    @Test func aWrongPublicKeyFailsVerification() {
        let result = AuditVerifier.verify(directory: trail, publicKey: AuditKey.generate().publicKey)
        #expect(result.failure?.kind == .keyMismatch)
        #expect(result.failure?.offset == 0)
        #expect(result.failure?.sequence == 1)
        removeTrail(trail)
    }

    @Test func aSubRangeIsVerifiedUpToTheCheckpointThatSignsIt() {
        let result = AuditVerifier.verify(directory: trail, publicKey: key.publicKey, from: 12, to: 20)
        #expect(result.isValid, "\(result)")
        #expect(result.records == 9)
        #expect(result.checkpoints == 1)
        #expect(result.unsignedTail == 0)
        #expect(result.lastCheckpoint == 22)
        removeTrail(trail)
    }
}

/// Segment-level tampering, on a trail rotated into several segments.
@Suite struct AuditVerifierSegmentTests {
    @Test func deletingAMiddleSegmentIsFound() async throws {
        let (trail, key) = try await makeTrail(count: 60, checkpointEvery: 10, maximumSegmentBytes: 2000)
        let segments = try AuditSegment.list(directory: trail)
        try #require(segments.count >= 4)
        let untouched = AuditVerifier.verify(directory: trail, publicKey: key.publicKey, strict: true)
        #expect(untouched.isValid, "\(untouched)")
        #expect(untouched.segments == segments.count)

        let copy = try copyTrail(trail)
        try FileManager.default.removeItem(atPath: copy + "/" + segments[1].name)
        let result = AuditVerifier.verify(directory: copy, publicKey: key.publicKey)
        #expect(result.failure?.kind == .segmentMissing, "\(result)")
        #expect(result.failure?.segment == segments[2].name)
        #expect(result.failure?.offset == 0)
        #expect(result.failure?.sequence == segments[1].firstSequence)

        try FileManager.default.removeItem(atPath: trail + "/" + segments[0].name)
        let headless = AuditVerifier.verify(directory: trail, publicKey: key.publicKey)
        #expect(headless.failure?.kind == .segmentMissing)
        #expect(headless.failure?.segment == segments[1].name)
        #expect(headless.failure?.sequence == 1)
        // From the second segment on, what remains verifies.
        let rest = AuditVerifier.verify(directory: trail, publicKey: key.publicKey, from: segments[1].firstSequence)
        #expect(rest.isValid, "\(rest)")
        #expect(rest.segments == segments.count - 1)
        removeTrail(trail)
        removeTrail(copy)
    }

    @Test func deletingTheLastRecordOfASegmentIsFoundAtTheEndOfThatSegment() async throws {
        let (trail, key) = try await makeTrail(count: 30, checkpointEvery: 10, maximumSegmentBytes: 2000)
        let segments = try AuditSegment.list(directory: trail)
        let first = try frames(in: trail).filter { $0.segment == segments[0].name }
        let last = try #require(first.last)
        let bytes = try readBytes(segments[0].path)
        try writeBytes(Array(bytes[0..<last.range.lowerBound]), to: segments[0].path)
        let result = AuditVerifier.verify(directory: trail, publicKey: key.publicKey)
        #expect(result.failure?.kind == .recordDeleted, "\(result)")
        #expect(result.failure?.segment == segments[0].name)
        #expect(result.failure?.offset == last.offset)
        #expect(result.failure?.sequence == last.record.sequence)
        removeTrail(trail)
    }

    @Test func aDamagedSegmentHeaderIsFound() async throws {
        let (trail, key) = try await makeTrail(count: 30, checkpointEvery: 10, maximumSegmentBytes: 2000)
        let segments = try AuditSegment.list(directory: trail)
        var bytes = try readBytes(segments[1].path)
        bytes[40] ^= 1  // inside the first sequence field
        try writeBytes(bytes, to: segments[1].path)
        let result = AuditVerifier.verify(directory: trail, publicKey: key.publicKey)
        #expect(result.failure?.kind == .segmentInvalid, "\(result)")
        #expect(result.failure?.segment == segments[1].name)
        removeTrail(trail)
    }

    @Test func anEmptyDirectoryHasNoTrail() throws {
        let directory = temporaryDirectory("empty")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = AuditVerifier.verify(directory: directory, publicKey: AuditKey.generate().publicKey)
        #expect(result.failure?.kind == .segmentMissing)
        removeTrail(directory)
    }
}
