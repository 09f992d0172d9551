import Crypto
public import NIOCore

/// Decodes an aws-chunked request body (`Content-Encoding: aws-chunked`), checking each chunk's
/// signature and the trailer's when the upload is signed.
///
/// An I/O-free state machine: feed it the bytes as they arrive, in any split, then call
/// `finish()` at the end of input. A chunk's bytes are returned as they arrive and its signature
/// is checked when its last byte arrives, so nothing decoded may be committed before `finish()`
/// returns. After an error every later call throws that error again.
public struct AWSChunkedDecoder: Sendable {
    /// The longest chunk-header line accepted, CRLF excluded.
    public static let maximumChunkHeaderLength = 4096
    /// The largest trailer section accepted, every line and CRLF included.
    public static let maximumTrailerLength = 16 * 1024

    private enum State: Sendable {
        case chunkHeader
        case chunkData(remaining: Int)
        case chunkEnd(sawCR: Bool)
        case trailer
        case done
        case failed(SigV4Error)
    }

    private let signing: ChunkSigningContext?
    private let expectsTrailer: Bool
    private var state: State = .chunkHeader
    private var line: [UInt8] = []
    private var hasher = SHA256()
    private var chunkSignature = ""
    private var previousSignature: String
    private var chunkCount = 0
    private var trailerLength = 0
    private var trailers: [(name: String, value: String)] = []
    private var trailerSignature: String?

    /// The number of payload bytes decoded so far.
    public private(set) var decodedLength = 0

    /// A decoder for signed chunks (`signing` non-nil) or unsigned ones (`signing` nil, as in
    /// STREAMING-UNSIGNED-PAYLOAD-TRAILER); `expectsTrailer` for the `…-TRAILER` modes.
    public init(signing: ChunkSigningContext?, expectsTrailer: Bool) {
        self.signing = signing
        self.expectsTrailer = expectsTrailer
        self.previousSignature = signing?.seedSignature ?? ""
    }

    /// Feeds the next received bytes and returns the payload bytes they complete, in order
    /// (possibly none): slices of `input`, not copies.
    public mutating func feed(_ input: ByteBuffer) throws(SigV4Error) -> [ByteBuffer] {
        if case .failed(let error) = state { throw error }
        do throws(SigV4Error) {
            return try process(input)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// Ends the input. Throws IncompleteBody unless the final 0-size chunk (and, when expected, the
    /// trailer section and its final CRLF) arrived. Returns the trailing headers, names lowercased
    /// (`x-amz-checksum-crc32` → base64 value), without `x-amz-trailer-signature`, which it has checked.
    public mutating func finish() throws(SigV4Error) -> [String: String] {
        switch state {
        case .done:
            return Dictionary(trailers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        case .failed(let error):
            throw error
        case .trailer:
            state = .failed(.incompleteBody("The aws-chunked body ended inside its trailer section."))
        case .chunkHeader, .chunkData, .chunkEnd:
            state = .failed(.incompleteBody("The aws-chunked body ended before its final 0-size chunk."))
        }
        return try finish()
    }

    private mutating func process(_ input: ByteBuffer) throws(SigV4Error) -> [ByteBuffer] {
        var buffer = input
        var output: [ByteBuffer] = []
        while buffer.readableBytes > 0 {
            switch state {
            case .chunkHeader:
                // readLine keeps a partial line and consumes the whole buffer.
                guard let header = try readLine(&buffer, limit: Self.maximumChunkHeaderLength, what: "chunk header")
                else { return output }
                try startChunk(header)
            case .chunkData(let remaining):
                let count = min(remaining, buffer.readableBytes)
                let slice = buffer.readSlice(length: count)!
                if signing != nil {
                    slice.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                }
                output.append(slice)
                decodedLength += count
                if count == remaining {
                    try verifyChunk()
                    state = .chunkEnd(sawCR: false)
                } else {
                    state = .chunkData(remaining: remaining - count)
                }
            case .chunkEnd(let sawCR):
                let byte = buffer.readInteger(as: UInt8.self)!
                guard byte == (sawCR ? UInt8(ascii: "\n") : UInt8(ascii: "\r")) else {
                    throw .invalidChunk("chunk \(chunkCount)'s data is not followed by CRLF.")
                }
                state = sawCR ? .chunkHeader : .chunkEnd(sawCR: true)
            case .trailer:
                let budget = Self.maximumTrailerLength - trailerLength
                guard let trailerLine = try readLine(&buffer, limit: budget - 2, what: "trailer section") else {
                    return output
                }
                trailerLength += trailerLine.count + 2
                try handleTrailer(trailerLine)
            case .done:
                throw .invalidChunk("there are bytes after the final chunk.")
            case .failed(let error):
                throw error
            }
        }
        return output
    }

    /// The next CRLF-terminated line without its CRLF, or nil when it has not all arrived yet.
    private mutating func readLine(
        _ buffer: inout ByteBuffer, limit: Int, what: String
    ) throws(SigV4Error) -> [UInt8]? {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            line += buffer.readBytes(length: buffer.readableBytes)!
            // One byte more than the limit may be the CR of the coming CRLF.
            guard line.count <= limit + 1 else { throw .invalidChunk("the \(what) is too long.") }
            return nil
        }
        line += buffer.readBytes(length: newline - buffer.readerIndex)!
        buffer.moveReaderIndex(forwardBy: 1)
        guard line.last == UInt8(ascii: "\r") else {
            throw .invalidChunk("a line in the \(what) does not end in CRLF.")
        }
        line.removeLast()
        guard line.count <= limit else { throw .invalidChunk("the \(what) is too long.") }
        defer { line = [] }
        return line
    }

    /// Parses `hex-size[;chunk-signature=<64 hex>]` and starts the chunk.
    private mutating func startChunk(_ header: [UInt8]) throws(SigV4Error) {
        chunkCount += 1
        let semicolon = header.firstIndex(of: UInt8(ascii: ";")) ?? header.endIndex
        let sizeDigits = header[..<semicolon]
        guard (1...16).contains(sizeDigits.count) else {
            throw .invalidChunk("chunk \(chunkCount)'s size is not 1 to 16 hexadecimal digits.")
        }
        var size: UInt64 = 0
        for digit in sizeDigits {
            guard let value = Hex.value(of: digit) else {
                throw .invalidChunk("chunk \(chunkCount)'s size is not hexadecimal.")
            }
            size = size << 4 | UInt64(value)
        }
        guard size <= UInt64(Int.max) else { throw .invalidChunk("chunk \(chunkCount)'s size is too large.") }
        if signing != nil {
            let prefix = Array(";chunk-signature=".utf8)
            let extensions = header[semicolon...]
            let signature = String(decoding: extensions.dropFirst(prefix.count), as: UTF8.self)
            guard extensions.starts(with: prefix), Hex.isLowercase(signature, count: 64) else {
                throw .invalidChunk("chunk \(chunkCount) has no valid chunk-signature.")
            }
            chunkSignature = signature
            hasher = SHA256()
        }
        if size == 0 {
            try verifyChunk()
            state = .trailer
        } else {
            state = .chunkData(remaining: Int(size))
        }
    }

    /// Checks the signature of the chunk whose data has all arrived.
    private mutating func verifyChunk() throws(SigV4Error) {
        guard let signing else { return }
        let computed = signing.chunkSignature(
            dataHash: Hex.encode(hasher.finalize()), previousSignature: previousSignature)
        guard Hex.constantTimeEqual(Array(computed.utf8), Array(chunkSignature.utf8)) else {
            throw SigV4Error(
                code: .chunkSignatureMismatch,
                message: "The signature of chunk \(chunkCount) does not match its data.")
        }
        previousSignature = computed
    }

    /// Handles one line of the trailer section; the empty line ends it.
    private mutating func handleTrailer(_ trailerLine: [UInt8]) throws(SigV4Error) {
        guard !trailerLine.isEmpty else {
            try verifyTrailer()
            state = .done
            return
        }
        guard expectsTrailer else {
            throw .invalidChunk("trailing headers follow the final chunk, but none were declared.")
        }
        guard trailerSignature == nil else {
            throw .invalidChunk("a trailing header follows x-amz-trailer-signature.")
        }
        guard let colon = trailerLine.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            trailerLine[..<colon].allSatisfy({ $0 > 32 && $0 < 127 })
        else { throw .invalidChunk("a trailing header is not of the form name:value.") }
        let name = String(decoding: trailerLine[..<colon], as: UTF8.self).lowercased()
        let value = CanonicalRequest.normalize(String(decoding: trailerLine[(colon + 1)...], as: UTF8.self))
        if name == "x-amz-trailer-signature" {
            guard signing != nil else { throw .invalidChunk("an unsigned upload carries x-amz-trailer-signature.") }
            guard Hex.isLowercase(value, count: 64) else {
                throw .invalidChunk("x-amz-trailer-signature is not 64 hexadecimal digits.")
            }
            trailerSignature = value
            return
        }
        guard !trailers.contains(where: { $0.name == name }) else {
            throw .invalidChunk("the trailing header \(name.prefix(64)) appears more than once.")
        }
        trailers.append((name, value))
    }

    /// In signed-trailer mode, checks x-amz-trailer-signature against the trailing headers.
    private func verifyTrailer() throws(SigV4Error) {
        guard let signing, expectsTrailer else { return }
        guard let trailerSignature else {
            throw SigV4Error(code: .chunkSignatureMismatch, message: "The trailer has no x-amz-trailer-signature.")
        }
        let computed = signing.trailerSignature(of: trailers, previousSignature: previousSignature)
        guard Hex.constantTimeEqual(Array(computed.utf8), Array(trailerSignature.utf8)) else {
            throw SigV4Error(
                code: .chunkSignatureMismatch, message: "The trailer signature does not match the trailing headers.")
        }
    }
}
