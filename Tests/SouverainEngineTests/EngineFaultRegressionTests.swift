import Crypto
import Foundation
import SouverainCatalogue
import SouverainCatalogueSQLite
@testable import SouverainEngine
import SouverainModel
import SouverainStorage
import SouverainTesting
import Testing

/// One test per defect that a location's fault could reach from a request, named after it.
@Suite
struct EngineFaultRegressionTests {
    typealias Spec = EngineUnderTest.Spec

    static let localAndFaultyLocal = [
        Spec(id: "disk", provider: "on-premise", backend: .local, faulty: false),
        Spec(id: "provider", provider: "scaleway", backend: .local, faulty: true),
    ]

    /// Issue 13: the first replicated PUT over a `local` and an `s3` location at two operators
    /// ended the process (index out of range in `FanOutBlobWriter.commit`).
    @Test(.enabled(if: TestServer.isAvailable(.moto)))
    func aReplicatedPutToALocalAndAnS3LocationIsAcknowledgedWithBothCopies() async throws {
        let engine = try await EngineUnderTest.make([
            Spec(id: "disk", provider: "on-premise", backend: .local, faulty: false),
            Spec(id: "remote", provider: "scaleway", backend: .s3OnMoto, faulty: false),
        ], seed: 1, plan: .off)
        do {
            let bucket = try await engine.createBucket("twice", classification: EngineUnderTest.twiceStrict)
            for size in [0, 100, 200_000] {
                let data = LocationContract.bytes(size, seed: 9)
                let record = try await engine.put(data, bucket: bucket, key: "k\(size)")
                #expect(Set(record.replicaLocations) == ["disk", "remote"])
                #expect(await engine.copyProblems(of: record, allowMissing: false) == nil)
                #expect(try await engine.get(bucket: "twice", key: "k\(size)") == data)
            }
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }

    /// A location that failed to start its blob was dropped from the write without a trace: under
    /// rules that accept fewer copies, the object was acknowledged with one copy and no copy
    /// marked missing, so the repair never made the second.
    @Test func aCopyThatCannotStartIsMarkedMissingAndRepaired() async throws {
        let engine = try await EngineUnderTest.make(Self.localAndFaultyLocal, seed: 6, plan: .off)
        do {
            let provider = try #require(engine.faulty.first)
            let bucket = try await engine.createBucket("lenient", classification: EngineUnderTest.twiceLenient)
            provider.forceNext(.fail, at: .makeBlobWriter)
            let record = try await engine.put(LocationContract.bytes(10_000, seed: 8), bucket: bucket, key: "k")
            #expect(record.replicas == [Replica(location: "provider", locators: [], state: .missing)])
            #expect(try await engine.store.repair().repaired == 1)
            let repaired = try await engine.store.object(bucket: "lenient", key: "k")
            #expect(await engine.copyProblems(of: repaired, allowMissing: false) == nil)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }

    /// Repair copied a missing copy from whichever copy answered first, without checking it
    /// against the SHA-256 recorded at write time: a silently damaged first copy was spread to the
    /// new one, which was then marked good.
    @Test func repairNeverCopiesADamagedCopy() async throws {
        let engine = try await EngineUnderTest.make([
            Spec(id: "disk", provider: "on-premise", backend: .local, faulty: true),
            Spec(id: "provider", provider: "scaleway", backend: .local, faulty: true),
        ], seed: 2, plan: .off)
        do {
            let disk = try #require(engine.faulty.first { $0.id == "disk" })
            let provider = try #require(engine.faulty.first { $0.id == "provider" })
            let bucket = try await engine.createBucket("lenient", classification: EngineUnderTest.twiceLenient)
            // The provider cannot start a blob (its copy is left missing), and the disk silently
            // damages what it is given.
            provider.forceNext(.fail, at: .makeBlobWriter)
            disk.forceNext(.corrupt, at: .write)
            let record = try await engine.put(LocationContract.bytes(10_000, seed: 3), bucket: bucket, key: "k")
            #expect(record.location == "disk" && record.replicas.map(\.state) == [.missing])

            _ = try await engine.store.repair()
            let after = try await engine.store.object(bucket: "lenient", key: "k")
            let copy = try #require(after.replicas.first)
            if copy.state == .ok {
                let stored = await engine.storedBytes(location: "provider", locator: copy.locators[0])
                #expect(stored.map { Hex.encode(Array(SHA256.hash(data: $0))) } == after.segments[0].storedSHA256,
                        "the repair made a copy from a damaged one and marked it good")
            }
            #expect(copy.state == .missing)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }

    /// A read that failed after passing on its last byte moved to the next copy with nothing left
    /// to read, and that empty read failed the whole GET.
    @Test func aReadThatFailsAfterItsLastByteStillAnswers() async throws {
        let engine = try await EngineUnderTest.make([
            Spec(id: "disk", provider: "on-premise", backend: .local, faulty: true),
            Spec(id: "provider", provider: "scaleway", backend: .local, faulty: false),
        ], seed: 3, plan: .off)
        do {
            let disk = try #require(engine.faulty.first)
            let bucket = try await engine.createBucket("twice", classification: EngineUnderTest.twiceStrict)
            let data = LocationContract.bytes(1000, seed: 4)
            let record = try await engine.put(data, bucket: bucket, key: "k")
            #expect(record.location == "disk")
            disk.setReadStrike(atChunk: 99)
            for range: ClosedRange<Int64>? in [nil, 10...99] {
                disk.forceNext(.fail, at: .read)
                let bytes = try await engine.get(bucket: "twice", key: "k", range: range)
                #expect(bytes == range.map { Array(data[Int($0.lowerBound)...Int($0.upperBound)]) } ?? data)
            }
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }

    /// A location step that never returned held the PUT (and a GET) for as long as it hung: no
    /// step had a time limit. Now the step fails at the limit and the copy counts as failed.
    @Test func aHungLocationFailsItsCopyInsteadOfHoldingTheRequest() async throws {
        // The faulty location sorts first, so that it holds the first copy a GET reads. The limit
        // leaves a healthy step room on a loaded machine (an fsync took over a second under a
        // parallel build); a hung step still ends long before the hang gives up by itself.
        let engine = try await EngineUnderTest.make([
            Spec(id: "a-provider", provider: "scaleway", backend: .local, faulty: true),
            Spec(id: "disk", provider: "on-premise", backend: .local, faulty: false),
        ], seed: 4, plan: .off, stepTimeout: .seconds(5), hangBound: .seconds(40))
        do {
            let provider = try #require(engine.faulty.first)
            let lenient = try await engine.createBucket("lenient", classification: EngineUnderTest.twiceLenient)
            let strict = try await engine.createBucket("strict", classification: EngineUnderTest.twiceStrict)

            provider.forceNext(.hang, at: .commit)
            let record = try await engine.put(LocationContract.bytes(5000, seed: 5), bucket: lenient, key: "k")
            #expect(record.replicas.map(\.state) == [.missing])
            #expect(engine.store.health.statuses(of: ["a-provider"]).first?.lastError?.contains("within") == true,
                    "the copy failed by the step limit, not by the hang giving up")

            provider.forceNext(.hang, at: .write)
            await #expect { _ = try await engine.put(LocationContract.bytes(5000, seed: 6), bucket: strict, key: "k") } throws: {
                ($0 as? EngineError)?.code == .placementViolation
            }

            let data = LocationContract.bytes(3000, seed: 7)
            let both = try await engine.put(data, bucket: strict, key: "read")
            #expect(both.location == "a-provider")
            provider.forceNext(.hang, at: .read)
            #expect(try await engine.get(bucket: "strict", key: "read") == data)
            #expect(engine.store.health.statuses(of: ["a-provider"]).first?.lastError?.contains("sent nothing") == true)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }

    /// Scrub, finding the first copy damaged, promoted the first further copy in state `ok`
    /// without checking it had one blob per segment: a catalogue entry with such a copy ended the
    /// process (index out of range).
    @Test func aScrubNeverPromotesACopyWithoutItsBlobs() async throws {
        let engine = try await EngineUnderTest.make(Self.localAndFaultyLocal, seed: 5, plan: .off)
        do {
            _ = try await engine.createBucket("twice", classification: EngineUnderTest.twiceStrict)
            let record = ObjectRecord(
                bucket: "twice", key: "k", size: 3, etag: "e", lastModified: Date(), metadata: ObjectMetadata(), checksums: [:],
                location: "disk", segments: [BlobSegment(locator: BlobLocator.random(), size: 3, storedSHA256: String(repeating: "0", count: 64))],
                partCount: nil, replicas: [Replica(location: "provider", locators: [], state: .ok)])
            _ = try await engine.catalogue.putObject(record)
            let report = try await engine.store.scrub()
            #expect(report.damaged == 1)
            #expect(try await engine.store.object(bucket: "twice", key: "k").location == "disk")
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }
}
