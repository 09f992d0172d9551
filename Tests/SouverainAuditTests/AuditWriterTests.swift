import Foundation
import Synchronization
import Testing
@testable import SouverainAudit

@Suite struct AuditWriterTests {
    @Test func concurrentAppendsGetDistinctConsecutiveSequencesAndTheChainVerifies() async throws {
        let directory = temporaryDirectory("group")
        let key = AuditKey.generate()
        // No checkpoint in between, so the 2,000 events take sequences 1...2000: none by count, and
        // none by time however slowly a loaded machine runs them (one took 146 s on a loaded CI).
        let writer = try await AuditWriter.open(
            directory: directory, key: key, configuration: .init(checkpointEveryRecords: 100_000, checkpointInterval: .seconds(86_400)))
        let tasks = 16
        let perTask = 125
        let started = ContinuousClock.now
        let sequences = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var mine: [UInt64] = []
                    for index in 0..<perTask {
                        mine.append(try await writer.append(sampleEvent(task * perTask + index)))
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - started
        let statistics = await writer.statistics
        try await writer.close()

        #expect(sequences.count == tasks * perTask)
        #expect(Set(sequences) == Set(1...UInt64(tasks * perTask)))
        let result = AuditVerifier.verify(directory: directory, publicKey: key.publicKey, strict: true)
        #expect(result.isValid, "\(result)")
        #expect(result.records == tasks * perTask + 1)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "audit group commit: \(tasks * perTask) appends from \(tasks) tasks in \(String(format: "%.3f", seconds)) s "
                + "= \(Int(Double(tasks * perTask) / seconds)) appends/s, \(statistics.batches) batches, \(statistics.syncs) fdatasyncs"
        )
        removeTrail(directory)
    }

    @Test func appendsArrivingDuringASyncShareTheNextOne() async throws {
        let directory = temporaryDirectory("batch")
        var configuration = AuditWriter.Configuration(checkpointEveryRecords: 100_000)
        configuration.beforeSync = { usleep(5000) }
        let writer = try await AuditWriter.open(directory: directory, key: .generate(), configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for index in 0..<20 { _ = try await writer.append(sampleEvent(task * 20 + index)) }
                }
            }
            try await group.waitForAll()
        }
        let statistics = await writer.statistics
        #expect(statistics.records == 320)
        #expect(statistics.syncs < 100, "\(statistics)")
        try await writer.close()
        removeTrail(directory)
    }

    @Test func aFailedSyncFailsItsAppendsAndRefusesEveryLaterOne() async throws {
        let directory = temporaryDirectory("failed")
        let syncs = Mutex(0)
        var configuration = AuditWriter.Configuration(checkpointEveryRecords: 100_000)
        configuration.beforeSync = { () throws(AuditError) in
            if syncs.withLock({ $0 += 1; return $0 }) == 2 { throw AuditError(.io, "fdatasync failed (injected)") }
        }
        let writer = try await AuditWriter.open(directory: directory, key: .generate(), configuration: configuration)
        #expect(try await writer.append(sampleEvent(1)) == 1)
        await #expect { _ = try await writer.append(sampleEvent(2)) } throws: { ($0 as? AuditError)?.code == .io }
        await #expect { _ = try await writer.append(sampleEvent(3)) } throws: { ($0 as? AuditError)?.code == .failed }
        await #expect { try await writer.flush() } throws: { ($0 as? AuditError)?.code == .failed }
        try await writer.close()
        #expect(syncs.withLock { $0 } == 2, "nothing is written after a failed sync, not even the closing checkpoint")
        removeTrail(directory)
    }

    @Test func underLoadAFailedSyncLosesNoAcknowledgedRecord() async throws {
        let directory = temporaryDirectory("failed-load")
        let key = AuditKey.generate()
        let syncs = Mutex(0)
        var configuration = AuditWriter.Configuration(checkpointEveryRecords: 100_000)
        configuration.beforeSync = { () throws(AuditError) in
            usleep(2000)
            if syncs.withLock({ $0 += 1; return $0 }) == 5 { throw AuditError(.io, "fdatasync failed (injected)") }
        }
        let writer = try await AuditWriter.open(directory: directory, key: key, configuration: configuration)
        let outcomes = await withTaskGroup(of: [Result<UInt64, AuditError>].self) { group in
            for task in 0..<16 {
                group.addTask {
                    var mine: [Result<UInt64, AuditError>] = []
                    for index in 0..<20 {
                        do {
                            mine.append(.success(try await writer.append(sampleEvent(task * 20 + index))))
                        } catch {
                            mine.append(.failure(error as? AuditError ?? AuditError(.io, "\(error)")))
                        }
                    }
                    return mine
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        try await writer.close()
        let acknowledged = outcomes.compactMap { try? $0.get() }.sorted()
        let failures = outcomes.compactMap { outcome -> AuditError.Code? in
            if case .failure(let error) = outcome { return error.code } else { return nil }
        }
        #expect(outcomes.count == 320)
        #expect(!failures.isEmpty && failures.allSatisfy { $0 == .io || $0 == .failed }, "\(failures)")
        // What was acknowledged is the chain's beginning, without a gap, and all of it is on disk.
        #expect(acknowledged == Array(1...UInt64(acknowledged.count)))
        let result = AuditVerifier.verify(directory: directory, publicKey: key.publicKey, strict: false)
        #expect(result.records >= acknowledged.count, "\(result)")
        removeTrail(directory)
    }

    @Test func reopeningContinuesTheChain() async throws {
        let key = AuditKey.generate()
        let now = ManualNow()
        let (directory, _) = try await makeTrail(count: 25, checkpointEvery: 10, key: key, now: now)
        let writer = try await AuditWriter.open(directory: directory, key: key, configuration: .init(checkpointEveryRecords: 10), now: now.closure)
        #expect(writer.recovery == .clean)
        #expect(await writer.nextSequence == 29)  // 25 events + checkpoints 11, 22 + the close checkpoint 28
        #expect(try await writer.append(sampleEvent(99)) == 29)
        try await writer.close()
        let result = AuditVerifier.verify(directory: directory, publicKey: key.publicKey, strict: true)
        #expect(result.isValid, "\(result)")
        #expect(result.records == 30)
        #expect(result.checkpoints == 4)
        removeTrail(directory)
    }

    @Test func reopeningAfterACrashWithoutCheckpointSignsTheUnsignedRecordsLater() async throws {
        let key = AuditKey.generate()
        let (directory, _) = try await makeTrail(count: 15, checkpointEvery: 10, close: false, key: key)
        let before = AuditVerifier.verify(directory: directory, publicKey: key.publicKey)
        #expect(before.isValid && before.unsignedTail == 5)
        let writer = try await AuditWriter.open(directory: directory, key: key)
        try await writer.close()
        let after = AuditVerifier.verify(directory: directory, publicKey: key.publicKey, strict: true)
        #expect(after.isValid, "\(after)")
        #expect(after.checkpoints == 2)
        removeTrail(directory)
    }

    @Test func rotationBySizeProducesSegmentsWhoseHeadersChain() async throws {
        let (directory, key) = try await makeTrail(count: 100, checkpointEvery: 1000, maximumSegmentBytes: 4096)
        let segments = try AuditSegment.list(directory: directory)
        #expect(segments.count >= 4)
        let all = try frames(in: directory)
        var trailID: AuditTrailID?
        for (index, file) in segments.enumerated() {
            let header = try AuditSegment.readHeader(path: file.path)
            #expect(header.firstSequence == file.firstSequence)
            #expect(header.keyFingerprint == key.publicKey.fingerprint)
            if index == 0 {
                trailID = header.trailID
                #expect(header.previousSegmentFirstSequence == 0)
                #expect(header.previousHead == AuditHash.genesis(trail: header.trailID))
                continue
            }
            #expect(header.trailID == trailID)
            let previous = try #require(all.last { $0.segment == segments[index - 1].name })
            #expect(header.firstSequence == previous.record.sequence + 1)
            #expect(header.previousHead == previous.hash)
            #expect(header.previousSegmentFirstSequence == segments[index - 1].firstSequence)
            // Every segment is closed by a checkpoint before the next one starts.
            #expect(previous.record.kind == .checkpoint)
            let size = try FileManager.default.attributesOfItem(atPath: segments[index - 1].path)[.size] as? Int ?? 0
            #expect(size < 4096 + 2 * 512)
        }
        let result = AuditVerifier.verify(directory: directory, publicKey: key.publicKey, strict: true)
        #expect(result.isValid, "\(result)")
        #expect(result.segments == segments.count)
        removeTrail(directory)
    }

    @Test func rotationByAgeAndCheckpointsByTimeFollowTheInjectedClock() async throws {
        let directory = temporaryDirectory("age")
        let key = AuditKey.generate()
        let now = ManualNow()
        let writer = try await AuditWriter.open(
            directory: directory, key: key,
            configuration: .init(checkpointEveryRecords: 1000, checkpointInterval: .seconds(60), maximumSegmentAge: .seconds(3600)),
            now: now.closure
        )
        for index in 0..<12 {
            _ = try await writer.append(sampleEvent(index))
            now.advance(.seconds(25 * 60))
        }
        try await writer.close()
        let segments = try AuditSegment.list(directory: directory)
        #expect(segments.count == 4, "\(segments.map(\.name))")
        let all = try frames(in: directory)
        // 25 minutes between appends: every event after the first is followed by a time checkpoint.
        #expect(all.filter { $0.record.kind == .checkpoint }.count >= 11)
        let times = all.map(\.record.time)
        #expect(times == times.sorted())
        #expect(AuditVerifier.verify(directory: directory, publicKey: key.publicKey, strict: true).isValid)
        removeTrail(directory)
    }

    @Test func theCheckpointerSignsAnIdleTrail() async throws {
        let directory = temporaryDirectory("idle")
        let key = AuditKey.generate()
        let now = ManualNow()
        let writer = try await AuditWriter.open(
            directory: directory, key: key,
            configuration: .init(checkpointEveryRecords: 1000, checkpointInterval: .milliseconds(100)), now: now.closure
        )
        _ = try await writer.append(sampleEvent(1))
        #expect(await writer.statistics.checkpoints == 0)
        now.advance(.seconds(1))
        let checkpointer = Task { try await writer.runCheckpointer() }
        for _ in 0..<200 where await writer.statistics.checkpoints == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        checkpointer.cancel()
        try await checkpointer.value
        #expect(await writer.statistics.checkpoints == 1)
        let result = AuditVerifier.verify(directory: directory, publicKey: key.publicKey, strict: true)
        #expect(result.isValid, "\(result)")
        try await writer.close()
        removeTrail(directory)
    }

    @Test func closedWritersAndOversizedRecordsAreRefused() async throws {
        let directory = temporaryDirectory("refuse")
        let writer = try await AuditWriter.open(directory: directory, key: .generate())
        await #expect(throws: AuditError.self) {
            _ = try await writer.append(AuditEvent(operation: "PutObject", detail: String(repeating: "x", count: 2 << 20)))
        }
        #expect(try await writer.append(sampleEvent(1)) == 1)  // the refused record took no sequence
        try await writer.close()
        do {
            _ = try await writer.append(sampleEvent(2))
            Issue.record("a closed writer accepted a record")
        } catch let error as AuditError {
            #expect(error.code == .closed)
        }
        removeTrail(directory)
    }

    @Test func anotherKeyCannotContinueATrail() async throws {
        let (directory, _) = try await makeTrail(count: 3)
        do {
            _ = try await AuditWriter.open(directory: directory, key: .generate())
            Issue.record("opened with another key")
        } catch let error as AuditError {
            #expect(error.code == .keyMismatch)
        }
        removeTrail(directory)
    }
}

@Suite struct AuditChainStateMachineTests {
    private func machine(checkpointEvery: Int = 3, maximumSegmentBytes: Int64 = 1 << 20) -> AuditChainStateMachine {
        let trailID = AuditTrailID(bytes: [UInt8](repeating: 1, count: 16))!
        let key = AuditKey.generate()
        let header = AuditChainStateMachine.firstHeader(trailID: trailID, keyFingerprint: key.publicKey.fingerprint, now: AuditTime(millisecondsSince1970: 0))
        let tail = AuditTail(
            file: AuditSegment.File(name: AuditSegment.fileName(firstSequence: 1), path: "/nowhere", firstSequence: 1),
            header: header, validEnd: Int64(AuditSegmentHeader.encodedSize), fileSize: Int64(AuditSegmentHeader.encodedSize),
            nextSequence: 1, head: header.previousHead, lastTime: header.created, unsigned: 0, lastCheckpointSequence: 0,
            lastCheckpointTime: header.created, recovery: .clean
        )
        let policy = AuditChainStateMachine.Policy(
            checkpointEveryRecords: checkpointEvery, checkpointInterval: .seconds(60), maximumSegmentBytes: maximumSegmentBytes,
            maximumSegmentAge: .seconds(86_400)
        )
        return AuditChainStateMachine(tail: tail, key: key, policy: policy)
    }

    @Test func theNthRecordIsFollowedByACheckpoint() throws {
        var chain = machine()
        let now = AuditTime(millisecondsSince1970: 1000)
        #expect(try chain.append(sampleEvent(1), now: now).actions.count == 1)
        #expect(try chain.append(sampleEvent(2), now: now).actions.count == 1)
        let (sequence, actions) = try chain.append(sampleEvent(3), now: now)
        #expect(sequence == 3)
        #expect(actions.count == 2)
        #expect(chain.nextSequence == 5)
        #expect(chain.lastCheckpointSequence == 4)
        #expect(chain.unsigned == 0)
        #expect(try chain.checkpoint(now: now).isEmpty)
    }

    @Test func aFullSegmentIsClosedByACheckpointThenRotated() throws {
        var chain = machine(checkpointEvery: 100, maximumSegmentBytes: 300)
        let now = AuditTime(millisecondsSince1970: 1000)
        _ = try chain.append(sampleEvent(1), now: now)
        let (sequence, actions) = try chain.append(sampleEvent(2), now: now)
        #expect(sequence == 3)
        #expect(actions.count == 3)
        guard actions.count == 3, case .rotate(let header) = actions[1] else {
            Issue.record("expected write, rotate, write: \(actions)")
            return
        }
        #expect(header.firstSequence == 3)
        #expect(header.previousSegmentFirstSequence == 1)
        #expect(chain.segmentFirstSequence == 3)
    }

    @Test func aRefusedRecordChangesNothing() {
        var chain = machine()
        let before = (chain.nextSequence, chain.head, chain.unsigned)
        #expect(throws: AuditError.self) {
            _ = try chain.append(AuditEvent(operation: "PutObject", status: 0), now: AuditTime(millisecondsSince1970: 5))
        }
        #expect(chain.nextSequence == before.0 && chain.head == before.1 && chain.unsigned == before.2)
    }

    @Test func aRefusedRecordChangesNothingWhenARotationIsDue() throws {
        var chain = machine(checkpointEvery: 100, maximumSegmentBytes: 300)
        _ = try chain.append(sampleEvent(1), now: AuditTime(millisecondsSince1970: 1000))
        let before = (chain.nextSequence, chain.head, chain.unsigned, chain.segmentFirstSequence)
        #expect(throws: AuditError.self) {
            _ = try chain.append(AuditEvent(operation: "PutObject", status: 0), now: AuditTime(millisecondsSince1970: 1001))
        }
        #expect(chain.nextSequence == before.0 && chain.head == before.1 && chain.unsigned == before.2)
        #expect(chain.segmentFirstSequence == before.3)
        // The next good record rotates as it would have.
        let (sequence, actions) = try chain.append(sampleEvent(2), now: AuditTime(millisecondsSince1970: 1002))
        #expect(sequence == 3 && actions.count == 3)
    }

    @Test func timeNeverGoesBackwards() throws {
        var chain = machine(checkpointEvery: 100)
        _ = try chain.append(sampleEvent(1), now: AuditTime(millisecondsSince1970: 5000))
        _ = try chain.append(sampleEvent(2), now: AuditTime(millisecondsSince1970: 1000))
        #expect(chain.lastTime == AuditTime(millisecondsSince1970: 5000))
    }
}
