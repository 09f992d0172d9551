#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only segment file with a read-ahead window, for scanning frames in order.
final class SegmentFileReader {
    let path: String
    let fd: Int32
    let size: Int64
    private var window: [UInt8] = []
    private var windowStart: Int64 = 0
    private static let windowSize = 256 * 1024

    init(path: String) throws(AuditError) {
        self.path = path
        fd = try POSIX.openFile(path, O_RDONLY)
        do {
            size = try POSIX.fileSize(fd, path: path)
        } catch {
            POSIX.closeFile(fd)
            throw error
        }
    }

    deinit { POSIX.closeFile(fd) }

    /// Up to `count` bytes at `offset`; fewer only at the end of the file.
    func bytes(at offset: Int64, count: Int) throws(AuditError) -> [UInt8] {
        let available = Int(max(0, min(Int64(count), size - offset)))
        if offset >= windowStart, offset + Int64(available) <= windowStart + Int64(window.count) {
            let start = Int(offset - windowStart)
            return Array(window[start..<start + available])
        }
        if available > Self.windowSize / 2 {
            return try POSIX.read(fd, at: offset, count: available, path: path)
        }
        window = try POSIX.read(fd, at: offset, count: Self.windowSize, path: path)
        windowStart = offset
        return Array(window.prefix(available))
    }
}

/// A frame that parsed: its bytes hash to the stored hash and decode strictly.
struct ScannedFrame {
    var offset: Int64
    /// 4 + canonical length + 32.
    var size: Int64
    var record: AuditRecord
    var hash: AuditHash
}

/// A frame that did not parse, and why.
struct DamagedFrame {
    enum Damage: Equatable {
        /// The file ends inside the frame (or the rest of the file is zeros).
        case incomplete
        /// The length field is 0 or over the limit, and the rest of the file is not zeros.
        case badLength
        /// The canonical bytes do not hash to the stored hash.
        case hashMismatch
        /// The record inside is intact but the length field was changed.
        case lengthAltered
        /// The bytes hash correctly but do not decode as a version 1 record.
        case undecodable(String)
        case unsupportedVersion
    }

    var offset: Int64
    var damage: Damage
    /// A best-effort decoding of the damaged bytes, for diagnosis only (a checkpoint whose signature
    /// was replaced is reported as a bad signature).
    var decoded: AuditRecord?
}

enum ScanStep {
    case frame(ScannedFrame)
    case damaged(DamagedFrame)
    case end
}

/// Walks the frames of one segment, from just after its header to the end of the file. After a
/// damaged frame it returns `.end`: nothing after it can be located reliably.
struct SegmentScanner {
    let file: AuditSegment.File
    let reader: SegmentFileReader
    let header: AuditSegmentHeader
    private(set) var offset = Int64(AuditSegmentHeader.encodedSize)
    private var stopped = false

    /// Opens the file and decodes its header. Throws `.corrupt` for a bad header, `.io` for I/O.
    init(file: AuditSegment.File) throws(AuditError) {
        self.file = file
        reader = try SegmentFileReader(path: file.path)
        let headerBytes = try reader.bytes(at: 0, count: AuditSegmentHeader.encodedSize)
        header = try AuditSegmentHeader(decoding: headerBytes)
        guard header.firstSequence == file.firstSequence else {
            throw AuditError(.corrupt, "\(file.name) holds a header for first sequence \(header.firstSequence)")
        }
    }

    var size: Int64 { reader.size }

    mutating func next() throws(AuditError) -> ScanStep {
        guard !stopped else { return .end }
        let step = try parse(at: offset)
        switch step {
        case .frame(let frame): offset += frame.size
        case .damaged: stopped = true
        case .end: stopped = true
        }
        return step
    }

    private func parse(at offset: Int64) throws(AuditError) -> ScanStep {
        let remaining = reader.size - offset
        if remaining <= 0 { return .end }
        if remaining < 4 {
            return .damaged(DamagedFrame(offset: offset, damage: .incomplete, decoded: nil))
        }
        let lengthBytes = try reader.bytes(at: offset, count: 4)
        let length = lengthBytes.reduce(0) { $0 << 8 | Int($1) }
        let lengthPlausible = length >= 1 && length <= AuditRecord.maximumCanonicalSize
        let frameSize = Int64(4 + length + 32)
        if lengthPlausible && frameSize <= remaining {
            let body = try reader.bytes(at: offset + 4, count: length + 32)
            let canonical = Array(body[0..<length])
            let stored = AuditHash(unchecked: Array(body[length...]))
            let computed = AuditHash.of(canonical)
            if computed == stored {
                do throws(AuditError) {
                    let record = try AuditRecord(canonicalBytes: canonical)
                    return .frame(ScannedFrame(offset: offset, size: frameSize, record: record, hash: computed))
                } catch {
                    let damage: DamagedFrame.Damage = error.code == .unsupportedFormat ? .unsupportedVersion : .undecodable(error.message)
                    return .damaged(DamagedFrame(offset: offset, damage: damage, decoded: nil))
                }
            }
            if let intact = try naturalFrame(at: offset, statedLength: length) {
                return .damaged(DamagedFrame(offset: offset, damage: .lengthAltered, decoded: intact))
            }
            return .damaged(DamagedFrame(offset: offset, damage: .hashMismatch, decoded: Self.bestEffortDecode(canonical)))
        }
        if let intact = try naturalFrame(at: offset, statedLength: length) {
            return .damaged(DamagedFrame(offset: offset, damage: .lengthAltered, decoded: intact))
        }
        let zeroFilled = length == 0 ? try restIsZero(from: offset) : false
        if lengthPlausible || zeroFilled {
            return .damaged(DamagedFrame(offset: offset, damage: .incomplete, decoded: nil))
        }
        return .damaged(DamagedFrame(offset: offset, damage: .badLength, decoded: nil))
    }

    /// If the bytes after the length field hold an intact record (its natural, self-delimited
    /// length followed by a matching hash) of another length than stated, returns it.
    private func naturalFrame(at offset: Int64, statedLength: Int) throws(AuditError) -> AuditRecord? {
        let available = min(reader.size - offset - 4, Int64(AuditRecord.maximumCanonicalSize + 32))
        guard available > 32 else { return nil }
        let bytes = try reader.bytes(at: offset + 4, count: Int(available))
        var byteReader = ByteReader(bytes)
        guard let record = try? AuditRecord.decode(&byteReader) else { return nil }
        let natural = byteReader.index
        guard natural != statedLength, natural + 32 <= bytes.count,
            AuditHash.of(bytes[0..<natural]) == AuditHash(unchecked: Array(bytes[natural..<natural + 32]))
        else { return nil }
        return record
    }

    private func restIsZero(from offset: Int64) throws(AuditError) -> Bool {
        var position = offset
        while position < reader.size {
            let chunk = try reader.bytes(at: position, count: 65536)
            if chunk.isEmpty { break }
            if chunk.contains(where: { $0 != 0 }) { return false }
            position += Int64(chunk.count)
        }
        return true
    }

    private static func bestEffortDecode(_ canonical: [UInt8]) -> AuditRecord? {
        var reader = ByteReader(canonical)
        return try? AuditRecord.decode(&reader)
    }
}
