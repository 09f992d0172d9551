import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import SouverainStorage
import SouverainTesting

/// Small blobs' group commit: who a sync covers, who waits for the next one, who gets its error.
/// Each test holds the sync in progress until the callers it needs are waiting, so what meets in
/// which sync never depends on timing.
@Suite struct FilesystemSyncTests {
    /// A sync that, while `held`, blocks until released; counts its runs and can fail them.
    final class Gate: Sendable {
        private let state = Mutex((runs: 0, held: true, failRuns: Set<Int>()))
        private let opened = DispatchSemaphore(value: 0)

        init(failRuns: Set<Int> = []) { state.withLock { $0.failRuns = failRuns } }

        var runs: Int { state.withLock { $0.runs } }

        func run() throws {
            let (run, held, fails) = state.withLock { state in
                state.runs += 1
                return (state.runs, state.held, state.failRuns.contains(state.runs))
            }
            if held { opened.wait() }
            if fails { throw StorageError(.io, "sync \(run) failed") }
        }

        /// Lets the sync in progress end; later ones run without waiting.
        func release() {
            state.withLock { $0.held = false }
            opened.signal()
        }
    }

    /// One caller leads a sync that `gate` holds open; `waiting` more come while it runs and wait;
    /// then the gate opens. Returns each caller's outcome once all have returned.
    private func leaderAndLateComers(
        _ waiting: Int, _ gate: Gate, _ group: FilesystemSync
    ) async throws -> (leader: Result<Void, StorageError>, others: [Result<Void, StorageError>]) {
        let leader = caller(of: group)
        try await eventually { gate.runs == 1 }
        let others = (0..<waiting).map { _ in caller(of: group) }
        try await eventually { group.statistics.waiting == waiting }
        gate.release()
        var results: [Result<Void, StorageError>] = []
        for task in others { results.append(await task.value) }
        return (await leader.value, results)
    }

    /// A caller of `sync` in a task of its own.
    private func caller(of group: FilesystemSync) -> Task<Result<Void, StorageError>, Never> {
        Task {
            do {
                try await group.sync()
                return .success(())
            } catch {
                return .failure(error as! StorageError)
            }
        }
    }

    /// Waits (bounded) until `condition` holds.
    private func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else { Issue.record("timed out"); return }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// More arrive while the first sync runs: it began before them, so it covers none. Two hundred
    /// are far more than the cooperative pool has threads: each waits as a suspended task, where
    /// callers that each blocked a thread could not all even begin.
    @Test(arguments: [7, 200]) func callersThatComeDuringASyncShareTheNextOne(lateComers: Int) async throws {
        let gate = Gate()
        let group = FilesystemSync(perform: gate.run)
        let (leader, others) = try await leaderAndLateComers(lateComers, gate, group)
        for result in [leader] + others { #expect(throws: Never.self) { try result.get() } }
        #expect(gate.runs == 2)
        #expect(group.statistics.syncs == 2)
        #expect(group.statistics.covered == lateComers + 1)
    }

    @Test func aCallerAloneSyncsAtOnce() async throws {
        let gate = Gate()
        gate.release()
        let group = FilesystemSync(perform: gate.run)
        try await group.sync()
        try await group.sync()
        #expect(gate.runs == 2)
    }

    @Test func aFailedSyncFailsTheCallersItCoveredAndOnlyThem() async throws {
        // The second sync (covering the seven that waited) fails; a caller after it succeeds.
        let gate = Gate(failRuns: [2])
        let group = FilesystemSync(perform: gate.run)
        let (leader, covered) = try await leaderAndLateComers(7, gate, group)
        #expect(throws: Never.self) { try leader.get() }
        for result in covered { #expect(throws: StorageError.self) { try result.get() } }
        try await group.sync()
        #expect(gate.runs == 3)
    }

    @Test func aFailureStaysWithItsCallersWhenALaterSyncSucceeds() async throws {
        // The first sync fails; while it runs, more callers come. One of them leads the next sync,
        // which succeeds: the failed one's own caller still gets the error, the others do not.
        let gate = Gate(failRuns: [1])
        let group = FilesystemSync(perform: gate.run)
        let (leader, later) = try await leaderAndLateComers(3, gate, group)
        #expect(throws: StorageError.self) { try leader.get() }
        for result in later { #expect(throws: Never.self) { try result.get() } }
        #expect(gate.runs == 2)
    }

    @Test func kernelVersions() {
        #expect(FilesystemSync.kernelVersion("6.1.0-28-amd64")! == (6, 1))
        #expect(FilesystemSync.kernelVersion("5.8.0")! == (5, 8))
        #expect(FilesystemSync.kernelVersion("5.10.0-rc1")! == (5, 10))
        #expect(FilesystemSync.kernelVersion("4.19") .map { $0 >= (5, 8) } == false)
        #expect(FilesystemSync.kernelVersion("linux") == nil)
        #expect(FilesystemSync.kernelVersion("6") == nil)
    }

    #if os(Linux)
    @Test func onlyKnownFileSystemsGetIt() throws {
        let root = NSTemporaryDirectory() + "souverain-fssync-" + UUID().uuidString
        for directory in ["blobs", "tmp"] {
            try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        defer { TestDirectories.removeLater(root) }
        let type = try #require(FilesystemSync.fileSystemType(root))
        let known = FilesystemSync.knownFileSystems.contains(type) && FilesystemSync.kernelReportsSyncfsErrors()
        #expect((FilesystemSync.open(blobs: root + "/blobs", tmp: root + "/tmp") != nil) == known)
        // Blobs written on one file system and renamed on another: a sync of either would not do.
        #expect(FilesystemSync.open(blobs: root + "/blobs", tmp: "/proc") == nil)
        // /proc is no disk file system: never.
        #expect(FilesystemSync.open(blobs: "/proc", tmp: "/proc") == nil)
        #expect(FilesystemSync.fileSystemType(root + "/missing") == nil)
    }
    #endif

    @Test func smallBlobsGoThroughTheGroupAndLargeOnesDoNot() async throws {
        let root = NSTemporaryDirectory() + "souverain-fssync-" + UUID().uuidString
        defer { TestDirectories.removeLater(root) }
        let gate = Gate()
        gate.release()
        let location = try await LocalLocation(id: "local", root: root, filesystemSync: { _ in FilesystemSync(perform: gate.run) })
        let small = try await location.makeBlobWriter()
        try await small.write(ByteBuffer(bytes: LocationContract.bytes(4096, seed: 1)))
        _ = try await small.commit()
        #expect(gate.runs == 1)
        // A blob that filled a batch was created and written before its commit: synced alone.
        let large = try await location.makeBlobWriter()
        try await large.write(ByteBuffer(bytes: LocationContract.bytes(LocalLocation.writeBatch + 10, seed: 2)))
        _ = try await large.commit()
        #expect(gate.runs == 1)
        for (writer, size, seed) in [(small, 4096, UInt8(1)), (large, LocalLocation.writeBatch + 10, UInt8(2))] {
            var read: [UInt8] = []
            try await location.read(locator: writer.locator, range: nil, chunkSize: 1 << 20) { read += Array(buffer: $0) }
            #expect(read == LocationContract.bytes(size, seed: seed))
        }
    }

    @Test func aFailedGroupSyncFailsTheCommit() async throws {
        let root = NSTemporaryDirectory() + "souverain-fssync-" + UUID().uuidString
        defer { TestDirectories.removeLater(root) }
        let location = try await LocalLocation(id: "local", root: root, filesystemSync: { _ in
            FilesystemSync { throw StorageError(.io, "syncfs failed") }
        })
        let writer = try await location.makeBlobWriter()
        try await writer.write(ByteBuffer(bytes: LocationContract.bytes(100, seed: 3)))
        await #expect(throws: StorageError.self) { try await writer.commit() }
    }
}
