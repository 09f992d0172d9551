import Foundation
import Testing
@testable import SouverainAudit

/// A torn tail is always reported, never accepted silently, and truncated only on an explicit
/// decision naming exactly what was found.
@Suite struct AuditTornTailTests {
    private func openError(_ directory: String, _ key: AuditKey) async -> AuditError? {
        do {
            let writer = try await AuditWriter.open(directory: directory, key: key)
            try? await writer.close()
            return nil
        } catch {
            return error as? AuditError
        }
    }

    @Test func garbageAfterTheLastRecordIsReportedAtTheRightOffset() async throws {
        let (trail, key) = try await makeTrail(count: 12, checkpointEvery: 5)
        let segment = try #require(try AuditSegment.list(directory: trail).last)
        let original = try readBytes(segment.path)
        let nextSequence = try #require(try frames(in: trail).last).record.sequence + 1
        var generator = SplitMix(seed: 42)
        for length in [1, 3, 4, 5, 35, 36, 200, 5000] {
            for zeros in [false, true] {
                let garbage = zeros ? [UInt8](repeating: 0, count: length) : (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try writeBytes(original + garbage, to: segment.path)
                let recovery = try AuditWriter.inspect(directory: trail)
                guard case .tornTail(let offset, let sequence, let name, let tornLength, _) = recovery else {
                    Issue.record("\(length) bytes of garbage accepted: \(recovery)")
                    continue
                }
                #expect(offset == Int64(original.count))
                #expect(sequence == nextSequence)
                #expect(name == segment.name)
                #expect(tornLength == Int64(length))
                let error = await openError(trail, key)
                #expect(error?.code == .tornTail)
                #expect(error?.recovery == recovery)
                #expect(try readBytes(segment.path) == original + garbage, "a refused open changed the segment")
            }
        }
        removeTrail(trail)
    }

    @Test func aCutAnywhereInsideTheLastRecordIsReportedAtThatRecord() async throws {
        let (trail, key) = try await makeTrail(count: 12, checkpointEvery: 5, close: false)
        let last = try #require(try frames(in: trail).last)
        #expect(last.record.kind == .event)
        let original = try readBytes(last.path)
        for cut in (last.range.lowerBound + 1)..<last.range.upperBound {
            try writeBytes(Array(original[0..<cut]), to: last.path)
            let expected = AuditRecovery.tornTail(
                at: last.offset, sequence: last.record.sequence, segment: last.segment, length: Int64(cut) - last.offset, reason: .incomplete
            )
            #expect(try AuditWriter.inspect(directory: trail) == expected)
            let error = await openError(trail, key)
            #expect(error?.code == .tornTail, "cut at \(cut)")
            #expect(error?.recovery == expected)
        }
        // A cut on the record boundary leaves a clean, shorter trail.
        try writeBytes(Array(original[0..<last.range.lowerBound]), to: last.path)
        #expect(try AuditWriter.inspect(directory: trail) == .clean)
        removeTrail(trail)
    }

    @Test func truncationHappensOnlyOnAnExplicitMatchingDecisionAndIsRecorded() async throws {
        let now = ManualNow()
        let (trail, key) = try await makeTrail(count: 12, checkpointEvery: 5, close: false, now: now)
        let last = try #require(try frames(in: trail).last)
        let original = try readBytes(last.path)
        let cut = last.range.lowerBound + 20
        try writeBytes(Array(original[0..<cut]), to: last.path)
        let found = try AuditWriter.inspect(directory: trail)

        // A decision about another tail is refused and changes nothing.
        let other = AuditRecovery.tornTail(at: last.offset + 1, sequence: last.record.sequence, segment: last.segment, length: 19, reason: .incomplete)
        do {
            _ = try await AuditWriter.open(directory: trail, key: key, onTornTail: .truncate(other))
            Issue.record("truncated a tail it was not told about")
        } catch let error as AuditError {
            #expect(error.code == .tornTail)
        }
        #expect(try readBytes(last.path).count == cut)

        let writer = try await AuditWriter.open(directory: trail, key: key, now: now.closure, onTornTail: .truncate(found))
        #expect(writer.recovery == found)
        // The torn record never became durable, so its sequence goes to the record of the recovery.
        #expect(await writer.nextSequence == last.record.sequence + 1)
        try await writer.close()

        let kept = try readBytes(trail + "/" + last.segment + ".torn-\(last.offset)")
        #expect(kept == Array(original[last.range.lowerBound..<cut]))
        let recovered = try #require(try frames(in: trail).first { $0.record.sequence == last.record.sequence })
        #expect(recovered.record.event?.operation == .auditRecovered)
        #expect(recovered.record.event?.detail?.contains("byte \(last.offset)") == true)
        let result = AuditVerifier.verify(directory: trail, publicKey: key.publicKey, strict: true)
        #expect(result.isValid, "\(result)")
        removeTrail(trail)
    }

    @Test func aDamagedLastHeaderIsCorruptionNotATornTail() async throws {
        let (trail, key) = try await makeTrail(count: 3)
        let segment = try #require(try AuditSegment.list(directory: trail).last)
        var bytes = try readBytes(segment.path)
        bytes[20] ^= 0xFF
        try writeBytes(bytes, to: segment.path)
        let error = await openError(trail, key)
        #expect(error?.code == .corrupt)
        removeTrail(trail)
    }
}

/// A small deterministic generator for test data.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
