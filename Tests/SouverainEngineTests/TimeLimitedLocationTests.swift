import Foundation
import NIOCore
@testable import SouverainEngine
@testable import SouverainStorage
import SouverainTesting
import Synchronization
import Testing

/// Which steps of a blob write and read are bounded in time: a bounded step runs in a watched task
/// of its own, and a step that cannot wait runs in the caller's task, as it is. Each task is two
/// more jobs for the shared executor, each of which may wake a thread: a small PUT made three where
/// one step could wait, a small GET one where none could.
@Suite final class TimeLimitedLocationTests: Sendable {
    let root = NSTemporaryDirectory() + "souverain-limited-" + UUID().uuidString

    deinit { TestDirectories.removeLater(root) }

    private static func currentTask() -> Int { withUnsafeCurrentTask { $0?.hashValue ?? 0 } }

    @Test(arguments: [true, false])
    func stepsThatCannotWaitRunInTheCallersTask(startsInMemory: Bool) async throws {
        let recording = TaskRecordingLocation(
            wrapped: try await LocalLocation(id: "disk", root: root), startsWritersInMemory: startsInMemory)
        let location = TimeLimitedLocation(wrapped: recording, limit: .seconds(60))
        let caller = Self.currentTask()
        var generator = SeededGenerator(seed: 18)
        let content = generator.bytes(count: 3 * LocalLocation.writeBatch + 777)

        let writer = try await location.makeBlobWriter()
        // Making a writer is watched unless the location says it only sets up memory.
        #expect((recording.steps(.start) == [caller]) == startsInMemory)

        // 100 bytes fit in the batch: copied there in the caller's task, nothing sent.
        try await writer.write(ByteBuffer(bytes: content[0..<100]))
        // These fill the batch exactly: copied in the caller's task, then sent, watched.
        try await writer.write(ByteBuffer(bytes: content[100..<LocalLocation.writeBatch]))
        #expect(recording.steps(.gather) == [caller, caller])
        #expect(recording.steps(.write).isEmpty)
        #expect(recording.steps(.writeGathered).count == 1)
        #expect(!recording.steps(.writeGathered).contains(caller))
        // More than a batch does not fit: handed over, watched.
        try await writer.write(ByteBuffer(bytes: content[LocalLocation.writeBatch...]))
        #expect(recording.steps(.write).count == 1)
        #expect(!recording.steps(.write).contains(caller))

        #expect(try await writer.commit() == Int64(content.count))
        #expect(recording.steps(.commit).count == 1)
        #expect(!recording.steps(.commit).contains(caller))
        // Several chunks are never at hand: asked in the caller's task, then read watched.
        var read: [UInt8] = []
        try await location.read(locator: writer.locator, range: nil, chunkSize: 256 * 1024) { read += Array($0.readableBytesView) }
        #expect(read == content)
        #expect(recording.steps(.readAtHand) == [caller])
        #expect(recording.steps(.read).count == 1)
        #expect(!recording.steps(.read).contains(caller))

        // One chunk just written is in the kernel's caches: read in the caller's task, where the
        // system can tell (openat2 with RESOLVE_CACHED), and watched where it cannot.
        let small = try await location.makeBlobWriter()
        try await small.write(ByteBuffer(bytes: content[0..<5000]))
        _ = try await small.commit()
        var smallRead: [UInt8] = []
        try await location.read(locator: small.locator, range: 10..<4010, chunkSize: 256 * 1024) { smallRead += Array($0.readableBytesView) }
        #expect(smallRead == Array(content[10..<4010]))
        #expect(recording.steps(.readAtHand) == [caller, caller])
        #expect(recording.steps(.read).count == (recording.foundAtHand ? 1 : 2))
        #expect(!recording.steps(.read).contains(caller))
    }
}

/// A local location that records the task in which each step of a blob write or read ran.
private final class TaskRecordingLocation: Location {
    enum Step: Hashable { case start, gather, write, writeGathered, commit, readAtHand, read }

    let wrapped: LocalLocation
    let startsWritersInMemory: Bool
    private let recorded = Mutex<[Step: [Int]]>([:])

    init(wrapped: LocalLocation, startsWritersInMemory: Bool) {
        self.wrapped = wrapped
        self.startsWritersInMemory = startsWritersInMemory
    }

    var id: String { wrapped.id }

    func steps(_ step: Step) -> [Int] { recorded.withLock { $0[step] ?? [] } }

    /// Whether the last `readAtHand` returned bytes.
    var foundAtHand: Bool { found.withLock { $0 } }
    private let found = Mutex(false)

    func record(_ step: Step) {
        let task = withUnsafeCurrentTask { $0?.hashValue ?? 0 }
        recorded.withLock { $0[step, default: []].append(task) }
    }

    func makeBlobWriter() async throws -> any BlobWriter {
        record(.start)
        let writer = try #require(try await wrapped.makeBlobWriter() as? any GatheringBlobWriter)
        return Writer(wrapped: writer, location: self)
    }

    func read(
        locator: String, range: Range<Int64>?, chunkSize: Int, into consumer: (ByteBuffer) async throws -> Void
    ) async throws {
        record(.read)
        try await wrapped.read(locator: locator, range: range, chunkSize: chunkSize, into: consumer)
    }

    func readAtHand(locator: String, range: Range<Int64>?, chunkSize: Int) throws -> ByteBuffer? {
        record(.readAtHand)
        let bytes = try wrapped.readAtHand(locator: locator, range: range, chunkSize: chunkSize)
        found.withLock { $0 = bytes != nil }
        return bytes
    }

    func delete(locator: String) async throws { try await wrapped.delete(locator: locator) }

    final class Writer: GatheringBlobWriter {
        let wrapped: any GatheringBlobWriter
        let location: TaskRecordingLocation

        init(wrapped: any GatheringBlobWriter, location: TaskRecordingLocation) {
            self.wrapped = wrapped
            self.location = location
        }

        var locator: String { wrapped.locator }
        var hasFullBatch: Bool { wrapped.hasFullBatch }

        func write(_ buffer: ByteBuffer) async throws {
            location.record(.write)
            try await wrapped.write(buffer)
        }

        func gather(count: Int, _ produce: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Bool {
            location.record(.gather)
            return try wrapped.gather(count: count, produce)
        }

        func writeGathered() async throws {
            location.record(.writeGathered)
            try await wrapped.writeGathered()
        }

        func commit() async throws -> Int64 {
            location.record(.commit)
            return try await wrapped.commit()
        }

        func abort() async { await wrapped.abort() }
    }
}
