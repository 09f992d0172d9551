#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends records to a trail's segments, with group commit.
///
/// Durability: `append` returns only once its record is written and fdatasync'ed. Appends that
/// arrive while a write is in flight are batched into the next write and its single fdatasync; the
/// first of them leads that write, so no task is spawned. The server acknowledges a request only
/// after its record's `append` returned.
///
/// On open the writer scans the last segment. A torn tail is reported (`AuditError.Code.tornTail`
/// with its `AuditRecovery`) and never accepted silently: the caller must reopen with
/// `.truncate(thatRecovery)`, after which the writer keeps the torn bytes beside the segment,
/// truncates, and appends an `audit-recovered` record naming what it removed.
public actor AuditWriter {
    public struct Configuration: Sendable {
        /// A checkpoint after this many records.
        public var checkpointEveryRecords: Int
        /// A checkpoint once this long has passed since the last one, at the next append or by
        /// `runCheckpointer`.
        public var checkpointInterval: Duration
        /// A new segment before the next record once the current one has reached this size. A segment
        /// exceeds it by at most one record and one checkpoint.
        public var maximumSegmentBytes: Int64
        /// A new segment before the next record once the current one is this old.
        public var maximumSegmentAge: Duration
        /// Called on the I/O queue before every fdatasync; tests use it to widen the window in which
        /// appends pile up, and to fail a write as a failed fdatasync would.
        var beforeSync: (@Sendable () throws(AuditError) -> Void)?

        public init(
            checkpointEveryRecords: Int = 1000,
            checkpointInterval: Duration = .seconds(60),
            maximumSegmentBytes: Int64 = 64 << 20,
            maximumSegmentAge: Duration = .seconds(86_400)
        ) {
            self.checkpointEveryRecords = max(1, checkpointEveryRecords)
            self.checkpointInterval = checkpointInterval
            self.maximumSegmentBytes = maximumSegmentBytes
            self.maximumSegmentAge = maximumSegmentAge
        }
    }

    /// What to do with a torn tail found on open.
    public enum TornTailPolicy: Sendable {
        /// Throw `AuditError(.tornTail)` carrying the recovery found.
        case refuse
        /// Truncate, but only if the tail found is exactly this one (as reported by a refused open
        /// or `AuditWriter.inspect`).
        case truncate(AuditRecovery)
    }

    public struct Statistics: Hashable, Sendable {
        /// Events appended since open.
        public var records = 0
        /// Checkpoints written since open.
        public var checkpoints = 0
        /// Group-commit batches written.
        public var batches = 0
        /// fdatasync calls (a batch that crosses a rotation makes two).
        public var syncs = 0
        /// Frame bytes appended.
        public var bytes: Int64 = 0
    }

    private enum Wake { case durable, lead }
    private enum Lifecycle { case open, closing, closed }

    public nonisolated let directory: String
    public nonisolated let trailID: AuditTrailID
    public nonisolated let publicKey: AuditPublicKey
    /// What open found at the end of the trail (a torn tail listed here was truncated on request).
    public nonisolated let recovery: AuditRecovery
    public nonisolated let configuration: Configuration

    private var machine: AuditChainStateMachine
    private let sink: AuditSegmentSink
    private let now: @Sendable () -> AuditTime
    private var pending: [AuditChainStateMachine.Action] = []
    private var waiters: [CheckedContinuation<Wake, any Error>] = []
    private var leading = false
    private var failure: AuditError?
    private var lifecycle = Lifecycle.open
    public private(set) var statistics = Statistics()

    private init(
        directory: String, configuration: Configuration, publicKey: AuditPublicKey, recovery: AuditRecovery,
        machine: AuditChainStateMachine, sink: AuditSegmentSink, now: @escaping @Sendable () -> AuditTime
    ) {
        self.directory = directory
        self.configuration = configuration
        self.trailID = machine.trailID
        self.publicKey = publicKey
        self.recovery = recovery
        self.machine = machine
        self.sink = sink
        self.now = now
    }

    /// The sequence the next record will get.
    public var nextSequence: UInt64 { machine.nextSequence }
    /// The hash of the last record written: the chain head.
    public var head: AuditHash { machine.head }

    /// Opens the trail in `directory`, creating the directory and the trail (with `trailID`, or a
    /// random one) if there is none. Throws `.tornTail` (see `TornTailPolicy`), `.keyMismatch` if
    /// the trail was started with another key, `.corrupt` if the last segment's header is bad.
    public static func open(
        directory: String,
        key: AuditKey,
        configuration: Configuration = Configuration(),
        trailID: AuditTrailID? = nil,
        now: @escaping @Sendable () -> AuditTime = { AuditTime.now() },
        onTornTail policy: TornTailPolicy = .refuse
    ) async throws -> AuditWriter {
        try POSIX.makeDirectories(directory)
        // A `.tmp` segment never got its final name: it holds a header and nothing else.
        for name in try POSIX.listDirectory(directory) where name.hasSuffix(".log.tmp") {
            try POSIX.removeFile(directory + "/" + name)
        }
        let fingerprint = key.publicKey.fingerprint
        var recoveredEvent: AuditEvent?
        var tail: AuditTail
        let fd: Int32
        if let found = try AuditTail.scan(directory: directory) {
            tail = found
            guard found.header.keyFingerprint == fingerprint else {
                throw AuditError(.keyMismatch, "the trail in \(directory) was started with another audit key (fingerprint \(found.header.keyFingerprint))")
            }
            if let trailID, trailID != found.header.trailID {
                throw AuditError(.invalidArgument, "\(directory) holds trail \(found.header.trailID), not \(trailID)")
            }
            if case .tornTail(let offset, _, let segment, _, _) = found.recovery {
                guard case .truncate(let accepted) = policy else {
                    throw AuditError(.tornTail, "\(found.recovery); reopen with .truncate to discard it", recovery: found.recovery)
                }
                guard accepted == found.recovery else {
                    throw AuditError(.tornTail, "found \(found.recovery), not the tail accepted (\(accepted))", recovery: found.recovery)
                }
                let keptAs = try preserveAndTruncate(found)
                tail.fileSize = offset
                recoveredEvent = AuditEvent(
                    operation: .auditRecovered,
                    detail: "discarded \(found.recovery); the bytes are kept in \(keptAs) beside \(segment)"
                )
            }
            fd = try POSIX.openFile(found.file.path, O_WRONLY | O_APPEND)
        } else {
            let header = AuditChainStateMachine.firstHeader(trailID: trailID ?? .random(), keyFingerprint: fingerprint, now: now())
            let (newFD, path) = try AuditSegmentSink.createSegment(directory: directory, header: header)
            fd = newFD
            let file = AuditSegment.File(name: AuditSegment.fileName(firstSequence: 1), path: path, firstSequence: 1)
            tail = AuditTail(
                file: file, header: header, validEnd: Int64(AuditSegmentHeader.encodedSize),
                fileSize: Int64(AuditSegmentHeader.encodedSize), nextSequence: 1, head: header.previousHead,
                lastTime: header.created, unsigned: 0, lastCheckpointSequence: 0, lastCheckpointTime: header.created,
                recovery: .clean
            )
        }
        let policy = AuditChainStateMachine.Policy(
            checkpointEveryRecords: configuration.checkpointEveryRecords,
            checkpointInterval: configuration.checkpointInterval,
            maximumSegmentBytes: configuration.maximumSegmentBytes,
            maximumSegmentAge: configuration.maximumSegmentAge
        )
        let writer = AuditWriter(
            directory: directory, configuration: configuration, publicKey: key.publicKey, recovery: tail.recovery,
            machine: AuditChainStateMachine(tail: tail, key: key, policy: policy),
            sink: AuditSegmentSink(directory: directory, fd: fd, path: tail.file.path, beforeSync: configuration.beforeSync),
            now: now
        )
        if let recoveredEvent {
            _ = try await writer.append(recoveredEvent)
        }
        return writer
    }

    /// What opening `directory` would find at the end of the trail, without changing anything.
    public static func inspect(directory: String) throws(AuditError) -> AuditRecovery {
        try AuditTail.scan(directory: directory)?.recovery ?? .clean
    }

    /// Appends one event; returns its sequence once it is durable. Throws `.closed`, `.failed`
    /// (an earlier write failed), `.recordTooLarge`, `.invalidArgument`, or the I/O error of the
    /// write that carried it.
    public func append(_ event: AuditEvent) async throws -> UInt64 {
        try checkAccepting()
        let checkpointsBefore = machine.checkpointCount
        let (sequence, actions) = try machine.append(event, now: now())
        statistics.records += 1
        statistics.checkpoints += machine.checkpointCount - checkpointsBefore
        enqueue(actions)
        try await commit()
        return sequence
    }

    /// Signs a checkpoint over the records not yet covered by one (if any) and returns once
    /// everything appended so far is durable.
    public func flush() async throws {
        try checkAccepting()
        try await checkpointAndCommit()
    }

    /// Flushes (a final checkpoint), then closes the segment. Later appends throw `.closed`.
    public func close() async throws {
        guard lifecycle == .open else { return }
        lifecycle = .closing
        defer { lifecycle = .closed }
        if failure == nil {
            try await checkpointAndCommit()
        }
        await sink.close()
    }

    /// Writes a checkpoint whenever `checkpointInterval` has passed with unsigned records, until the
    /// task is cancelled or the writer closed. Run it as a service beside the server.
    public func runCheckpointer(clock: some Clock<Duration> = ContinuousClock()) async throws {
        let period = max(configuration.checkpointInterval / 4, .milliseconds(10))
        while lifecycle == .open, failure == nil {
            do {
                try await clock.sleep(for: period)
            } catch {
                return
            }
            guard lifecycle == .open, failure == nil else { return }
            if machine.isCheckpointDue(at: now()) {
                try await checkpointAndCommit()
            }
        }
    }

    private func checkAccepting() throws(AuditError) {
        if let failure { throw failure }
        guard lifecycle == .open else { throw AuditError(.closed, "the audit writer for \(directory) is closed") }
    }

    private func checkpointAndCommit() async throws {
        let checkpointsBefore = machine.checkpointCount
        enqueue(try machine.checkpoint(now: now()))
        statistics.checkpoints += machine.checkpointCount - checkpointsBefore
        try await commit()
    }

    private func enqueue(_ actions: [AuditChainStateMachine.Action]) {
        for action in actions {
            if case .write(let bytes) = action { statistics.bytes += Int64(bytes.count) }
        }
        pending.append(contentsOf: actions)
    }

    /// Group commit. If a write is in flight, wait: the next batch takes everything enqueued
    /// meanwhile, and its first waiter leads it. Otherwise lead now. The leader writes the batch,
    /// wakes its waiters, and hands the lead to the first waiter of the next batch, if any.
    private func commit() async throws {
        if leading {
            let wake = try await withCheckedThrowingContinuation { waiters.append($0) }
            if case .durable = wake { return }
            // Handed the lead: let the appenders just woken by the previous batch enqueue first.
            await Task.yield()
        } else {
            leading = true
        }
        let batch = pending
        let batchWaiters = waiters
        pending = []
        waiters = []
        do {
            statistics.syncs += try await sink.perform(batch)
            statistics.batches += 1
        } catch {
            let cause = (error as? AuditError) ?? AuditError(.io, "audit write failed", cause: error)
            let failure = AuditError(.failed, "an audit write failed; reopen the writer: \(cause.message)", cause: cause)
            self.failure = failure
            for waiter in batchWaiters + waiters { waiter.resume(throwing: failure) }
            waiters = []
            pending = []
            leading = false
            throw cause
        }
        for waiter in batchWaiters { waiter.resume(returning: .durable) }
        if waiters.isEmpty {
            leading = false
        } else {
            waiters.removeFirst().resume(returning: .lead)
        }
    }

    /// Copies the torn bytes to `<segment>.torn-<offset>` (`.2`, `.3`... if taken), syncs it, then
    /// truncates the segment.
    private static func preserveAndTruncate(_ tail: AuditTail) throws(AuditError) -> String {
        guard case .tornTail(let offset, _, let segment, _, _) = tail.recovery else { return "" }
        let directory = String(tail.file.path.dropLast(segment.count + 1))
        let fd = try POSIX.openFile(tail.file.path, O_RDWR)
        defer { POSIX.closeFile(fd) }
        let size = try POSIX.fileSize(fd, path: tail.file.path)
        let torn = try POSIX.read(fd, at: offset, count: Int(size - offset), path: tail.file.path)
        // Never overwrite the evidence of an earlier recovery at the same offset.
        var keptName = "\(segment).torn-\(offset)"
        var attempt = 1
        while try POSIX.fileMode(directory + "/" + keptName) != nil {
            attempt += 1
            keptName = "\(segment).torn-\(offset).\(attempt)"
        }
        let keptPath = directory + "/" + keptName
        let kept = try POSIX.openFile(keptPath, O_WRONLY | O_CREAT | O_EXCL, mode: 0o640)
        do {
            try POSIX.writeAll(kept, torn, path: keptPath)
            try POSIX.fullSync(kept, path: keptPath)
        } catch {
            POSIX.closeFile(kept)
            throw error
        }
        POSIX.closeFile(kept)
        try POSIX.syncDirectory(directory)
        try POSIX.truncateFile(fd, to: offset, path: tail.file.path)
        try POSIX.fullSync(fd, path: tail.file.path)
        return keptName
    }
}
