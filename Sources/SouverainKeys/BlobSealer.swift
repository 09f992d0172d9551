public import Crypto
public import NIOCore

/// Encrypts one blob as a stream, without knowing its size in advance.
///
/// Feed the plaintext in pieces of any size to ``seal(_:)`` and call ``finish()`` once; the bytes
/// they return, concatenated in order, are the whole blob, header first. The sealer holds at most
/// one chunk of plaintext: a full chunk is held back until more data or ``finish()`` tells
/// whether it is the final one, since that is part of what its tag authenticates.
///
/// ```swift
/// var sealer = try BlobSealer(dataKey: dataKey, identity: .random())
/// for try await piece in body {
///     if let sealed = try sealer.seal(piece) { try await writer.write(sealed) }
/// }
/// try await writer.write(try sealer.finish())
/// // record sealer.header.identity and sealer.plaintextSize in the catalogue
/// ```
public struct BlobSealer: Sendable {
    /// The header written at the start of the blob.
    public let header: BlobHeader
    /// How many plaintext bytes were fed so far; after ``finish()``, the blob's plaintext size.
    public private(set) var plaintextSize: Int64 = 0
    /// How many blob bytes were returned so far; after ``finish()``, the blob's size.
    public private(set) var encryptedSize: Int64 = 0

    private var cipher: ChunkCipher
    private var nextChunkIndex: UInt64 = 0
    private var headerWritten = false
    private var finished = false
    /// Plaintext of the chunk being gathered or held back, at most `chunkSize` bytes: either the
    /// sealer's own buffer or a slice of the piece that brought it (all of the chunk, or its start).
    private var pending: ByteBuffer
    /// The rest of a chunk that straddles two pieces: a slice of the second, sealed after
    /// `pending` without the two being joined. A chunk spread over three pieces or more is
    /// gathered into the sealer's own buffer instead.
    private var pendingTail: ByteBuffer?
    /// The sealer's own buffer, parked while `pending` is a slice of a caller's piece.
    private var parkedBuffer: ByteBuffer?
    /// The plaintext bytes of the chunk being gathered or held back.
    private var gathered: Int { pending.readableBytes + (pendingTail?.readableBytes ?? 0) }
    /// The buffer returned by the last call, reused when the caller no longer holds it.
    private var output = ByteBuffer()

    /// Starts a blob sealed under a key derived from `dataKey` and `identity`.
    /// - Parameters:
    ///   - dataKey: a 32-byte data key, supplied by the caller; several blobs may share it.
    ///   - identity: a fresh identity for this blob, normally ``BlobIdentity/random()``. Never
    ///     reuse one with the same data key.
    ///   - chunkSize: the plaintext bytes per chunk, within ``BlobFormat/chunkSizeRange``.
    ///   - keys: where the blob's derived key is kept for reading it back soon; `nil` keeps it
    ///     nowhere (an SSE-C blob's).
    /// - Throws: `KeysError` with code `.invalidArgument` for a data key that is not 32 bytes or
    ///   a chunk size out of range.
    public init(
        dataKey: SymmetricKey, identity: BlobIdentity, chunkSize: Int = BlobFormat.defaultChunkSize, keys: BlobKeyCache? = nil
    ) throws {
        let header = try BlobHeader(chunkSize: chunkSize, identity: identity)
        self.header = header
        self.cipher = ChunkCipher(header: header, key: try BlobKey.of(dataKey: dataKey, identity: identity, cache: keys))
        self.pending = ByteBuffer()
        self.pending.reserveCapacity(chunkSize)
    }

    /// Takes the next piece of plaintext and returns the blob bytes that are ready: the header on
    /// the first call, then every chunk known not to be the final one. Returns `nil` when there is
    /// nothing to write yet.
    /// - Throws: `KeysError` with code `.invalidArgument` if called after ``finish()``.
    public mutating func seal(_ plaintext: ByteBuffer) throws -> ByteBuffer? {
        guard !finished else {
            throw KeysError(.invalidArgument, "the blob was already finished; start a new sealer for a new blob")
        }
        var input = plaintext
        prepareOutput(plaintextBytes: gathered + input.readableBytes)

        while input.readableBytes > 0 {
            if gathered == header.chunkSize {
                // More plaintext follows, so the held-back chunk is not the final one.
                try sealPending(isFinal: false)
            }
            gather(from: &input)
        }
        return takeOutput()
    }

    /// Seals the final chunk (an empty one if the blob is empty) and returns the last bytes of
    /// the blob, with the header too if nothing was returned before.
    /// - Throws: `KeysError` with code `.invalidArgument` if called twice.
    public mutating func finish() throws -> ByteBuffer {
        guard !finished else {
            throw KeysError(.invalidArgument, "the blob was already finished; start a new sealer for a new blob")
        }
        finished = true
        prepareOutput(plaintextBytes: gathered)
        try sealPending(isFinal: true)
        return takeOutput() ?? ByteBuffer()
    }

    /// Takes plaintext from `input` until the next piece of the blob is ready, and returns its
    /// size: the header first, then each chunk known not to be the final one. Returns nil once
    /// `input` is used up with nothing ready. ``writePiece(into:)`` then writes the piece where the
    /// caller wants it (a disk batch, sparing the copy that ``seal(_:)``'s buffer would cost).
    /// - Throws: `KeysError` with code `.invalidArgument` if called after ``finish()``.
    public mutating func nextPiece(from input: inout ByteBuffer) throws -> Int? {
        guard !finished else {
            throw KeysError(.invalidArgument, "the blob was already finished; start a new sealer for a new blob")
        }
        if !headerWritten { return BlobFormat.headerByteCount }
        while input.readableBytes > 0 {
            // More plaintext follows a full chunk held back, so it is not the final one.
            if gathered == header.chunkSize { return header.chunkSize + BlobFormat.tagByteCount }
            gather(from: &input)
        }
        return nil
    }

    /// Writes the piece ``nextPiece(from:)`` announced into `destination`, which is exactly its size.
    public mutating func writePiece(into destination: UnsafeMutableRawBufferPointer) throws {
        if !headerWritten {
            precondition(destination.count == BlobFormat.headerByteCount, "a blob header is \(BlobFormat.headerByteCount) bytes")
            var bytes = ByteBuffer()
            header.write(to: &bytes)
            bytes.withUnsafeReadableBytes { destination.copyMemory(from: $0) }
            headerWritten = true
        } else {
            precondition(destination.count == header.chunkSize + BlobFormat.tagByteCount && gathered == header.chunkSize,
                         "writePiece(into:) without a chunk announced by nextPiece(from:)")
            try sealPending(into: destination)
        }
        encryptedSize += Int64(destination.count)
    }

    private mutating func prepareOutput(plaintextBytes: Int) {
        let chunks = plaintextBytes / header.chunkSize + 1
        let headerBytes = headerWritten ? 0 : BlobFormat.headerByteCount
        output.clear(minimumCapacity: headerBytes + plaintextBytes + chunks * BlobFormat.tagByteCount)
        if !headerWritten {
            header.write(to: &output)
            headerWritten = true
        }
    }

    private mutating func takeOutput() -> ByteBuffer? {
        guard output.readableBytes > 0 else { return nil }
        encryptedSize += Int64(output.readableBytes)
        return output
    }

    /// Takes the next plaintext from `input` into the chunk being gathered, without copying it
    /// where it can: a chunk that starts in this piece is held as a slice of it (all of the chunk,
    /// or its start), and one that the next piece completes keeps that piece's part as a second
    /// slice. Only a chunk spread over three pieces or more is copied into the sealer's buffer.
    private mutating func gather(from input: inout ByteBuffer) {
        let missing = header.chunkSize - gathered
        let count = min(missing, input.readableBytes)
        if gathered == 0 {
            parkedBuffer = pending
            pending = input.readSlice(length: count)!
        } else if parkedBuffer != nil, pendingTail == nil, count == missing {
            pendingTail = input.readSlice(length: count)!
        } else {
            if var own = parkedBuffer {
                // The start held as a slice, and this piece does not finish the chunk: join them.
                parkedBuffer = nil
                own.clear()
                own.writeBuffer(&pending)
                pending = own
            }
            var slice = input.readSlice(length: count)!
            pending.writeBuffer(&slice)
        }
        plaintextSize += Int64(count)
    }

    /// Seals the chunk gathered (the final one if `isFinal`) onto the end of `output`.
    private mutating func sealPending(isFinal: Bool) throws {
        let index = nextChunkIndex
        do {
            // Local copies (references, not the bytes) so the closure may mutate the cipher and
            // the output; they end with this scope, before `pending` is cleared for reuse.
            let (plaintext, tail) = (pending, pendingTail)
            let count = gathered + BlobFormat.tagByteCount
            try output.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { space in
                try cipher.seal(plaintext, tail, index: index, isFinal: isFinal, into: UnsafeMutableRawBufferPointer(rebasing: space[..<count]))
                return count
            }
        }
        startNextChunk()
    }

    /// Seals the chunk gathered, not the final one, into `destination` (its ciphertext and tag).
    private mutating func sealPending(into destination: UnsafeMutableRawBufferPointer) throws {
        try cipher.seal(pending, pendingTail, index: nextChunkIndex, isFinal: false, into: destination)
        startNextChunk()
    }

    /// Counts the chunk sealed and makes `pending` the sealer's own buffer again, empty.
    private mutating func startNextChunk() {
        nextChunkIndex += 1
        pendingTail = nil
        if let parked = parkedBuffer {
            pending = parked
            parkedBuffer = nil
        }
        pending.clear()
    }
}
