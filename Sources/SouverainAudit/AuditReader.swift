#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a trail in order, streaming: one segment open at a time, a 256 KiB read window, one record
/// decoded at a time. It checks each record's stored hash and its link to the one before, and throws
/// `.corrupt` on a break (run `AuditVerifier` for a full diagnosis); it does not check signatures.
/// An incomplete record at the very end of the last segment (a write in progress, or a crash not yet
/// recovered) ends the iteration.
public struct AuditReader: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The records matching `filter`, in sequence order.
    public func records(matching filter: AuditFilter = AuditFilter()) -> Records {
        Records(directory: directory, filter: filter)
    }

    /// Calls `body` with each record matching `filter`, in sequence order, synchronously.
    public func forEach(matching filter: AuditFilter = AuditFilter(), _ body: (AuditRecord) throws -> Void) throws {
        var core = ReaderCore(directory: directory, filter: filter)
        while let record = try core.next() {
            try body(record)
        }
    }

    /// Writes the matching records as JSON Lines (`AuditRecord.jsonLine`, one per line) to a new or
    /// truncated file, syncs it, and returns how many were written.
    @discardableResult
    public func exportJSONLines(matching filter: AuditFilter = AuditFilter(), to path: String) throws -> Int {
        let fd = try POSIX.openFile(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o640)
        defer { POSIX.closeFile(fd) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        var count = 0
        try forEach(matching: filter) { record in
            buffer.append(contentsOf: record.jsonLine.utf8)
            buffer.append(UInt8(ascii: "\n"))
            count += 1
            if buffer.count >= 1 << 16 {
                try POSIX.writeAll(fd, buffer, path: path)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try POSIX.writeAll(fd, buffer, path: path)
        try POSIX.fullSync(fd, path: path)
        return count
    }

    /// Appends the matching records as JSON Lines to `output`; returns how many.
    @discardableResult
    public func exportJSONLines(matching filter: AuditFilter = AuditFilter(), into output: inout some TextOutputStream) throws -> Int {
        var count = 0
        try forEach(matching: filter) { record in
            output.write(record.jsonLine)
            output.write("\n")
            count += 1
        }
        return count
    }

    public struct Records: AsyncSequence, Sendable {
        public typealias Element = AuditRecord
        let directory: String
        let filter: AuditFilter

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(core: ReaderCore(directory: directory, filter: filter))
        }

        public struct AsyncIterator: AsyncIteratorProtocol {
            var core: ReaderCore

            public mutating func next() async throws -> AuditRecord? {
                try core.next()
            }
        }
    }
}

/// The reading loop shared by the async and the synchronous interfaces.
struct ReaderCore {
    let directory: String
    let filter: AuditFilter
    private var files: [AuditSegment.File]?
    private var index = 0
    private var scanner: SegmentScanner?
    private var expectedSequence: UInt64 = 0
    private var expectedLink = AuditHash(unchecked: [UInt8](repeating: 0, count: 32))
    private var done = false

    init(directory: String, filter: AuditFilter) {
        self.directory = directory
        self.filter = filter
    }

    mutating func next() throws(AuditError) -> AuditRecord? {
        if files == nil { try start() }
        while !done {
            guard var current = scanner else {
                guard let files, index < files.count else {
                    done = true
                    return nil
                }
                let opened = try SegmentScanner(file: files[index])
                index += 1
                expectedSequence = opened.header.firstSequence
                expectedLink = opened.header.previousHead
                scanner = opened
                continue
            }
            let step = try current.next()
            scanner = current
            switch step {
            case .end:
                scanner = nil
            case .damaged(let damaged):
                if damaged.damage == .incomplete, index == files?.count {
                    done = true
                    return nil
                }
                throw AuditError(.corrupt, "\(current.file.name) is damaged at byte \(damaged.offset); run the verifier")
            case .frame(let frame):
                let record = frame.record
                guard record.sequence == expectedSequence, record.previousHash == expectedLink else {
                    throw AuditError(.corrupt, "\(current.file.name): the record at byte \(frame.offset) breaks the chain; run the verifier")
                }
                expectedSequence += 1
                expectedLink = frame.hash
                if let sequences = filter.sequences, record.sequence > sequences.upperBound {
                    done = true
                    return nil
                }
                // Times never decrease along a trail (the writer guarantees it), so nothing later matches.
                if let time = filter.time, record.time > time.upperBound {
                    done = true
                    return nil
                }
                if filter.matches(record) { return record }
            }
        }
        return nil
    }

    /// Lists the segments and skips those that cannot hold a match: before the sequence range, or
    /// whose successor was created before the time range (a segment's records are no later than the
    /// creation of the next one).
    private mutating func start() throws(AuditError) {
        let all = try AuditSegment.list(directory: directory)
        files = all
        if let sequences = filter.sequences {
            index = all.lastIndex { $0.firstSequence <= sequences.lowerBound } ?? 0
        }
        if let time = filter.time {
            while index + 1 < all.count, try AuditSegment.readHeader(path: all[index + 1].path).created < time.lowerBound {
                index += 1
            }
        }
    }
}
