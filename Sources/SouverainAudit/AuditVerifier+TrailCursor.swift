/// The items of a trail in order, across segments, with lookahead.
struct TrailCursor {
    enum Item {
        case segment(AuditSegment.File, AuditSegmentHeader, size: Int64)
        case frame(ScannedFrame, AuditSegment.File)
        case damaged(DamagedFrame, AuditSegment.File)
        case badSegment(AuditSegment.File, AuditError)
        case end
    }

    let files: [AuditSegment.File]
    private var index = 0
    private var scanner: SegmentScanner?
    private var buffer: [Item] = []

    init(files: [AuditSegment.File]) {
        self.files = files
    }

    mutating func next() -> Item {
        buffer.isEmpty ? produce() : buffer.removeFirst()
    }

    /// Up to `count` upcoming frames, stopping at anything that is neither a frame nor a header.
    mutating func peekFrames(_ count: Int) -> [ScannedFrame] {
        var frames: [ScannedFrame] = []
        var position = 0
        while frames.count < count {
            if position == buffer.count { buffer.append(produce()) }
            switch buffer[position] {
            case .frame(let frame, _): frames.append(frame)
            case .segment: break
            case .damaged, .badSegment, .end: return frames
            }
            position += 1
        }
        return frames
    }

    private mutating func produce() -> Item {
        while true {
            guard var current = scanner else {
                guard index < files.count else { return .end }
                let file = files[index]
                index += 1
                do {
                    let opened = try SegmentScanner(file: file)
                    scanner = opened
                    return .segment(file, opened.header, size: opened.size)
                } catch {
                    return .badSegment(file, error)
                }
            }
            let step: ScanStep
            do {
                step = try current.next()
            } catch {
                scanner = nil
                return .badSegment(current.file, error)
            }
            scanner = current
            switch step {
            case .frame(let frame): return .frame(frame, current.file)
            case .damaged(let damaged): return .damaged(damaged, current.file)
            case .end: scanner = nil
            }
        }
    }
}
