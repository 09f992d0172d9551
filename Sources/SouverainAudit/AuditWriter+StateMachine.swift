/// The chain as the writer extends it, with no I/O: each event returns the bytes to append and the
/// segment rotations to perform, in order. Sequence numbers, times, links, checkpoints and rotations
/// are all decided here, so they can be tested without a disk.
struct AuditChainStateMachine {
    enum Action: Equatable {
        /// Append these frame bytes to the current segment.
        case write([UInt8])
        /// Make the current segment durable, then start a new one with this header.
        case rotate(AuditSegmentHeader)
    }

    struct Policy {
        var checkpointEveryRecords: Int
        var checkpointInterval: Duration
        var maximumSegmentBytes: Int64
        var maximumSegmentAge: Duration
    }

    let trailID: AuditTrailID
    let key: AuditKey
    let keyFingerprint: AuditHash
    let policy: Policy

    private(set) var nextSequence: UInt64
    private(set) var head: AuditHash
    private(set) var lastTime: AuditTime
    /// Records since the last checkpoint.
    private(set) var unsigned: Int
    private(set) var lastCheckpointSequence: UInt64
    private(set) var lastCheckpointTime: AuditTime
    private(set) var segmentFirstSequence: UInt64
    private(set) var segmentCreated: AuditTime
    private(set) var segmentBytes: Int64
    /// Checkpoints made since this state machine was created.
    private(set) var checkpointCount = 0

    /// State at the end of a segment as found on disk (see `AuditTail`).
    init(tail: AuditTail, key: AuditKey, policy: Policy) {
        trailID = tail.header.trailID
        self.key = key
        keyFingerprint = key.publicKey.fingerprint
        self.policy = policy
        nextSequence = tail.nextSequence
        head = tail.head
        lastTime = tail.lastTime
        unsigned = tail.unsigned
        lastCheckpointSequence = tail.lastCheckpointSequence
        lastCheckpointTime = tail.lastCheckpointTime
        segmentFirstSequence = tail.header.firstSequence
        segmentCreated = tail.header.created
        segmentBytes = tail.validEnd
    }

    /// The header of a trail's first segment.
    static func firstHeader(trailID: AuditTrailID, keyFingerprint: AuditHash, now: AuditTime) -> AuditSegmentHeader {
        AuditSegmentHeader(
            trailID: trailID, firstSequence: 1, previousSegmentFirstSequence: 0,
            previousHead: AuditHash.genesis(trail: trailID), created: now, keyFingerprint: keyFingerprint
        )
    }

    /// Adds one event: a rotation first if the segment is full or old, a checkpoint after it if
    /// N records or T seconds have passed since the last one. On error nothing changes.
    mutating func append(_ event: AuditEvent, now: AuditTime) throws(AuditError) -> (sequence: UInt64, actions: [Action]) {
        let time = max(now, lastTime)
        var actions: [Action] = []
        if nextSequence > segmentFirstSequence,
            segmentBytes >= policy.maximumSegmentBytes
                || time.millisecondsSince1970 - segmentCreated.millisecondsSince1970 >= policy.maximumSegmentAge.milliseconds
        {
            // Validated before the rotation changes any state (rotation and checkpoint do not
            // change a record's size); without one, `add` validates before it changes anything.
            _ = try AuditRecord(sequence: nextSequence, time: time, previousHash: head, content: .event(event)).validatedCanonicalBytes()
            try rotate(at: time, into: &actions)
        }
        let sequence = nextSequence
        try add(.event(event), at: time, into: &actions)
        unsigned += 1
        if unsigned >= policy.checkpointEveryRecords || isCheckpointDue(at: time) {
            try addCheckpoint(at: time, into: &actions)
        }
        return (sequence, actions)
    }

    func isCheckpointDue(at now: AuditTime) -> Bool {
        unsigned > 0 && now.millisecondsSince1970 - lastCheckpointTime.millisecondsSince1970 >= policy.checkpointInterval.milliseconds
    }

    /// A checkpoint over the unsigned records, if there are any.
    mutating func checkpoint(now: AuditTime) throws(AuditError) -> [Action] {
        guard unsigned > 0 else { return [] }
        var actions: [Action] = []
        try addCheckpoint(at: max(now, lastTime), into: &actions)
        return actions
    }

    private mutating func rotate(at time: AuditTime, into actions: inout [Action]) throws(AuditError) {
        if unsigned > 0 { try addCheckpoint(at: time, into: &actions) }
        let header = AuditSegmentHeader(
            trailID: trailID, firstSequence: nextSequence, previousSegmentFirstSequence: segmentFirstSequence,
            previousHead: head, created: time, keyFingerprint: keyFingerprint
        )
        segmentFirstSequence = nextSequence
        segmentCreated = time
        segmentBytes = Int64(AuditSegmentHeader.encodedSize)
        actions.append(.rotate(header))
    }

    private mutating func addCheckpoint(at time: AuditTime, into actions: inout [Action]) throws(AuditError) {
        let from = lastCheckpointSequence + 1
        let to = nextSequence - 1
        let signature = try key.sign(AuditCheckpoint.signedBytes(trail: trailID, from: from, to: to, head: head))
        let checkpoint = AuditCheckpoint(from: from, to: to, head: head, keyFingerprint: keyFingerprint, signature: signature)
        let sequence = nextSequence
        try add(.checkpoint(checkpoint), at: time, into: &actions)
        lastCheckpointSequence = sequence
        lastCheckpointTime = time
        unsigned = 0
        checkpointCount += 1
    }

    private mutating func add(_ content: AuditRecord.Content, at time: AuditTime, into actions: inout [Action]) throws(AuditError) {
        let record = AuditRecord(sequence: nextSequence, time: time, previousHash: head, content: content)
        let canonical = try record.validatedCanonicalBytes()
        let hash = AuditHash.of(canonical)
        let frame = AuditFrame.encode(canonical: canonical, hash: hash)
        actions.append(.write(frame))
        nextSequence += 1
        head = hash
        lastTime = time
        segmentBytes += Int64(frame.count)
    }
}

/// The end of a trail as found on disk: the last segment's header and the chain state after its last
/// valid record, and whether a torn tail follows.
struct AuditTail {
    var file: AuditSegment.File
    var header: AuditSegmentHeader
    /// The offset just after the last valid record.
    var validEnd: Int64
    var fileSize: Int64
    var nextSequence: UInt64
    var head: AuditHash
    var lastTime: AuditTime
    var unsigned: Int
    var lastCheckpointSequence: UInt64
    var lastCheckpointTime: AuditTime
    var recovery: AuditRecovery

    /// Scans the last segment of `directory`; nil if there is none. Throws `.corrupt` if its header is bad.
    static func scan(directory: String) throws(AuditError) -> AuditTail? {
        guard let last = try AuditSegment.list(directory: directory).last else { return nil }
        var scanner = try SegmentScanner(file: last)
        let header = scanner.header
        // A writer rotates only after a checkpoint, so a segment starts right after one.
        var tail = AuditTail(
            file: last, header: header, validEnd: Int64(AuditSegmentHeader.encodedSize), fileSize: scanner.size,
            nextSequence: header.firstSequence, head: header.previousHead, lastTime: header.created, unsigned: 0,
            lastCheckpointSequence: header.firstSequence - 1, lastCheckpointTime: header.created, recovery: .clean
        )
        func torn(_ offset: Int64, _ reason: AuditRecovery.Reason) -> AuditRecovery {
            .tornTail(at: offset, sequence: tail.nextSequence, segment: last.name, length: tail.fileSize - offset, reason: reason)
        }
        scanning: while true {
            switch try scanner.next() {
            case .end:
                break scanning
            case .damaged(let damaged):
                let reason: AuditRecovery.Reason =
                    switch damaged.damage {
                    case .incomplete: .incomplete
                    case .badLength: .badLength
                    case .hashMismatch, .lengthAltered: .badHash
                    case .undecodable, .unsupportedVersion: .undecodable
                    }
                tail.recovery = torn(damaged.offset, reason)
                break scanning
            case .frame(let frame):
                guard frame.record.sequence == tail.nextSequence, frame.record.previousHash == tail.head else {
                    tail.recovery = torn(frame.offset, .badChain)
                    break scanning
                }
                tail.nextSequence += 1
                tail.head = frame.hash
                tail.lastTime = max(tail.lastTime, frame.record.time)
                tail.validEnd = frame.offset + frame.size
                if frame.record.kind == .checkpoint {
                    tail.unsigned = 0
                    tail.lastCheckpointSequence = frame.record.sequence
                    tail.lastCheckpointTime = frame.record.time
                } else {
                    tail.unsigned += 1
                }
            }
        }
        return tail
    }
}
