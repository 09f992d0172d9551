import NIOCore

/// What the connection has read of a request's header section, kept so that a request the HTTP
/// parser refuses can still be recorded: its first line (at most 512 bytes), and how many bytes
/// and lines arrived before the blank line that ends the section (or before the refusal).
struct RequestHeadSample {
    static let firstLineLimit = 512

    private(set) var firstLine: [UInt8] = []
    private(set) var bytes = 0
    private(set) var lines = 0
    /// The blank line ending the section was seen: the rest of the bytes are a body.
    private(set) var isComplete = false
    private var firstLineDone = false
    /// The last bytes seen, to find CRLF and CRLF CRLF across reads.
    private var tail: UInt32 = 0

    mutating func feed(_ buffer: ByteBuffer) {
        guard !isComplete else { return }
        buffer.withUnsafeReadableBytes { raw in
            for byte in raw {
                bytes += 1
                tail = (tail << 8) | UInt32(byte)
                if !firstLineDone {
                    if byte == UInt8(ascii: "\n") {
                        firstLineDone = true
                    } else if byte != UInt8(ascii: "\r"), firstLine.count < Self.firstLineLimit {
                        firstLine.append(byte)
                    }
                }
                if byte == UInt8(ascii: "\n") {
                    lines += 1
                    if tail == 0x0D0A_0D0A || tail & 0xFFFF == 0x0A0A {
                        isComplete = true
                        return
                    }
                }
            }
        }
    }

    /// The method and target of the first line, made printable; nil for what is absent.
    var requestLine: (method: String?, target: String?) {
        let words = firstLine.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: true)
        let method = words.first.map { Self.printable($0.prefix(16)) }
        let target = words.count > 1 ? Self.printable(words[1]) : nil
        return (method, target)
    }

    /// Printable ASCII as is, anything else as `?`: the trail and the log hold text, never raw bytes.
    static func printable<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        String(decoding: bytes.map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}
