public import NIOCore
import SouverainModel

/// A place where blobs are stored. A blob is written once, in one go, and becomes readable only
/// once `commit` has returned; it is never modified afterwards, only deleted.
public protocol Location: Sendable {
    /// The id the catalogue records for blobs stored here.
    var id: String { get }
    /// Starts a new blob with a fresh locator.
    func makeBlobWriter() async throws -> any BlobWriter
    /// True when `makeBlobWriter` only sets up memory, waiting on no disk and no network: a step
    /// that cannot hang, which a caller need not bound in time. False unless a location says so.
    var startsWritersInMemory: Bool { get }
    /// Streams `range` (or the whole blob) to `consumer`, in order, in chunks of at most
    /// `chunkSize` bytes. The consumer's awaiting is the backpressure.
    func read(
        locator: String, range: Range<Int64>?, chunkSize: Int,
        into consumer: (ByteBuffer) async throws -> Void
    ) async throws
    /// The bytes of `range` (all of the blob when nil) when they are one chunk at most and the
    /// location has them at hand, without waiting on a disk or a network; nil when getting them
    /// would wait, and `read` is then the way. Nil unless a location says otherwise.
    func readAtHand(locator: String, range: Range<Int64>?, chunkSize: Int) throws -> ByteBuffer?
    /// Deletes the blob; deleting an absent blob is not an error.
    func delete(locator: String) async throws
}

extension Location {
    public var startsWritersInMemory: Bool { false }

    public func readAtHand(locator: String, range: Range<Int64>?, chunkSize: Int) throws -> ByteBuffer? { nil }
}

/// Writes one blob. Call `write` any number of times, then exactly one of `commit` or `abort`.
public protocol BlobWriter: Sendable {
    var locator: String { get }
    func write(_ buffer: ByteBuffer) async throws
    /// Makes the blob durable and visible at its locator; returns its size.
    func commit() async throws -> Int64
    /// Discards whatever was written.
    func abort() async
}

/// A blob writer that gathers bytes in memory of its own before they go to the disk: a producer
/// (the sealer of an encrypted blob) may write its bytes there directly, sparing the copy that
/// `write(_:)` makes of a buffer it is handed.
public protocol GatheringBlobWriter: BlobWriter {
    /// False for a writer that only passes the calls on, to one that does not gather.
    var gathers: Bool { get }
    /// Runs `produce` on the next `count` bytes of the writer's memory, when that many are free in
    /// one piece, and takes them as written; returns false, having done nothing, when fewer are
    /// (the caller then hands the bytes to `write(_:)`). Call `writeGathered()` after each true.
    func gather(count: Int, _ produce: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Bool
    /// Sends what was gathered to the disk once it fills a batch; does nothing before.
    func writeGathered() async throws
    /// Whether what was gathered fills a batch: only then has `writeGathered()` anything to do.
    var hasFullBatch: Bool { get }
}

extension GatheringBlobWriter {
    public var gathers: Bool { true }
}

/// The one error type of the storage layer.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case notFound, invalidLocator, io, unavailable }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        public static let notFound = Code(.notFound)
        public static let invalidLocator = Code(.invalidLocator)
        /// A system call failed; `errno` is in the message.
        public static let io = Code(.io)
        public static let unavailable = Code(.unavailable)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// Blob locators: 32 random lowercase hex digits, never derived from an object key, so no key
/// can name a path or an object outside its location.
public enum BlobLocator {
    public static func random() -> String {
        // Two 8-byte draws: one per byte was sixteen getrandom system calls per blob.
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
        return Hex.encode(bytes)
    }

    public static func isValid(_ locator: String) -> Bool {
        locator.utf8.count == 32 && locator.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
