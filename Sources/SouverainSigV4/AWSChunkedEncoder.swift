public import NIOCore

/// Encodes a body as aws-chunked (client side): signed chunks when given a signing context,
/// unsigned ones otherwise, and an optional trailer section.
public struct AWSChunkedEncoder: Sendable {
    private let signing: ChunkSigningContext?
    private var previousSignature: String

    /// An encoder whose chunks chain from `signing`'s seed signature; unsigned when nil.
    public init(signing: ChunkSigningContext?) {
        self.signing = signing
        self.previousSignature = signing?.seedSignature ?? ""
    }

    /// One chunk carrying `data`: its header line, the data and CRLF. Empty data gives an empty
    /// buffer, since the 0-size chunk ends the body (see `finish`).
    public mutating func encode(chunk data: ByteBuffer) -> ByteBuffer {
        guard data.readableBytes > 0 else { return ByteBuffer() }
        var out = header(for: data)
        var data = data
        out.writeBuffer(&data)
        out.writeString("\r\n")
        return out
    }

    /// The final 0-size chunk and the trailer section: none when `trailers` is nil; otherwise
    /// `name:value` lines, plus `x-amz-trailer-signature` when signed, then the final CRLF.
    public mutating func finish(trailers: [(name: String, value: String)]? = nil) -> ByteBuffer {
        var out = header(for: ByteBuffer())
        for trailer in trailers ?? [] {
            out.writeString("\(trailer.name.lowercased()):\(trailer.value)\r\n")
        }
        if let signing, let trailers {
            let signature = signing.trailerSignature(of: trailers, previousSignature: previousSignature)
            out.writeString("x-amz-trailer-signature:\(signature)\r\n")
        }
        out.writeString("\r\n")
        return out
    }

    private mutating func header(for data: ByteBuffer) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeString(String(data.readableBytes, radix: 16))
        if let signing {
            let signature = signing.chunkSignature(of: data, previousSignature: previousSignature)
            previousSignature = signature
            out.writeString(";chunk-signature=\(signature)")
        }
        out.writeString("\r\n")
        return out
    }
}
