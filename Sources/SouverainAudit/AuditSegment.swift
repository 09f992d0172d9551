#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Segment files: `audit-<first sequence, 20 digits>.log` in the trail's directory.
public enum AuditSegment {
    public struct File: Hashable, Sendable {
        public var name: String
        public var path: String
        public var firstSequence: UInt64
    }

    public static func fileName(firstSequence: UInt64) -> String {
        let digits = String(firstSequence)
        return "audit-" + String(repeating: "0", count: 20 - digits.count) + digits + ".log"
    }

    /// The first sequence a segment file name announces, or nil if it is not a segment name.
    public static func firstSequence(fileName name: String) -> UInt64? {
        let utf8 = Array(name.utf8)
        guard utf8.count == 30, name.hasPrefix("audit-"), name.hasSuffix(".log") else { return nil }
        let digits = utf8[6..<26]
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt64(String(decoding: digits, as: UTF8.self))
    }

    /// The segments of a trail in order. Other files (`*.tmp`, `*.torn-*`) are not segments.
    public static func list(directory: String) throws(AuditError) -> [File] {
        try POSIX.listDirectory(directory)
            .compactMap { name in
                firstSequence(fileName: name).map { File(name: name, path: directory + "/" + name, firstSequence: $0) }
            }
            .sorted { $0.firstSequence < $1.firstSequence }
    }

    /// Reads and checks the header of one segment file.
    public static func readHeader(path: String) throws(AuditError) -> AuditSegmentHeader {
        let fd = try POSIX.openFile(path, O_RDONLY)
        defer { POSIX.closeFile(fd) }
        return try AuditSegmentHeader(decoding: try POSIX.read(fd, at: 0, count: AuditSegmentHeader.encodedSize, path: path))
    }
}
