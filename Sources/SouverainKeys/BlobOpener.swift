public import Crypto
public import NIOCore

/// Decrypts and authenticates one blob, or a range of it, as a stream.
///
/// Feed the blob bytes in pieces split anywhere to ``open(_:)``, which returns the plaintext of
/// every chunk completed and authenticated so far (trimmed to the requested range), then call
/// ``finish()`` to check that the stream ended exactly where the blob does. A chunk is returned
/// only once its tag is verified, so a damaged blob fails with `KeysError` code `.integrity` and
/// never yields wrong bytes; after a failure the opener refuses every further call.
///
/// The caller passes what its catalogue says: the blob's identity and plaintext size. The size
/// tells which chunk must carry the final flag, so a blob cut at a chunk boundary fails too.
///
/// Whole blob, one read from its first byte:
/// ```swift
/// var opener = try BlobOpener.wholeBlob(dataKey: key, expectedIdentity: id, plaintextSize: size)
/// for try await piece in blobBytes { try await send(try opener.open(piece)) }
/// try opener.finish()
/// ```
/// Range read: read the header (``ChunkSpan/headerRange``), then the bytes in ``span``:
/// ```swift
/// var opener = try BlobOpener(header: header, dataKey: key, expectedIdentity: id,
///                             plaintextSize: size, plaintextRange: 1_000..<200_000)
/// for try await piece in read(opener.span!.encryptedRange) { try await send(try opener.open(piece)) }
/// try opener.finish()
/// ```
public struct BlobOpener: Sendable {
    /// The chunks this opener expects and where they are in the blob; `nil` until the header is
    /// known (a whole-blob opener learns it from the first 28 bytes it is fed).
    public private(set) var span: ChunkSpan?

    private let dataKey: SymmetricKey
    private let keys: BlobKeyCache?
    private let expectedIdentity: BlobIdentity
    private let plaintextSize: Int64
    /// The header bytes gathered so far by a whole-blob opener; nil once the header is decoded.
    private var partialHeader: ByteBuffer?
    private var cipher: ChunkCipher?
    private var layout: BlobLayout?
    private var finalChunkIndex: Int64 = 0
    private var nextChunkIndex: Int64 = 0
    /// Plaintext bytes of the next chunk to drop before the range starts.
    private var skipCount = 0
    /// Plaintext bytes of the range not returned yet.
    private var keepCount: Int64 = 0
    /// The sealed bytes of a chunk that arrived in several pieces.
    private var staging = ByteBuffer()
    /// The buffer returned by the last call, reused when the caller no longer holds it.
    private var output = ByteBuffer()
    private var receivedByteCount: Int64 = 0
    /// Whether the header comes through ``open(_:)`` (a whole-blob opener).
    private var wholeBlobStream = false
    private var failed = false
    private var finished = false

    /// Opens the chunks covering `plaintextRange` of a blob whose header the caller already read.
    ///
    /// Feed it exactly the blob bytes in ``span``'s ``ChunkSpan/encryptedRange``.
    /// - Parameters:
    ///   - header: the first 28 bytes of the blob.
    ///   - dataKey: the 32-byte data key the blob was sealed under.
    ///   - expectedIdentity: the identity the catalogue records for this blob.
    ///   - plaintextSize: the plaintext size the catalogue records for this blob.
    ///   - plaintextRange: the plaintext bytes to return; `nil` for all of them.
    ///   - keys: where the blob's derived key may already be, and is kept; `nil` derives it and
    ///     keeps it nowhere (an SSE-C blob's).
    /// - Throws: `KeysError` with code `.integrity` for a damaged header or one of another blob,
    ///   `.unsupportedFormat` for an unknown version or algorithm, `.invalidArgument` for a data
    ///   key that is not 32 bytes, a negative size or a range outside the blob.
    public init(
        header: ByteBuffer,
        dataKey: SymmetricKey,
        expectedIdentity: BlobIdentity,
        plaintextSize: Int64,
        plaintextRange: Range<Int64>? = nil,
        keys: BlobKeyCache? = nil
    ) throws {
        try self.init(dataKey: dataKey, expectedIdentity: expectedIdentity, plaintextSize: plaintextSize, keys: keys)
        try start(header: header, plaintextRange: plaintextRange)
    }

    /// Opens a whole blob fed from its first byte: the header is the first 28 bytes of the stream.
    /// - Parameters:
    ///   - dataKey: the 32-byte data key the blob was sealed under.
    ///   - expectedIdentity: the identity the catalogue records for this blob.
    ///   - plaintextSize: the plaintext size the catalogue records for this blob.
    ///   - keys: where the blob's derived key may already be, and is kept; `nil` derives it and
    ///     keeps it nowhere (an SSE-C blob's).
    /// - Throws: `KeysError` with code `.invalidArgument` for a data key that is not 32 bytes or
    ///   a negative size. Header problems are reported by ``open(_:)``.
    public static func wholeBlob(
        dataKey: SymmetricKey,
        expectedIdentity: BlobIdentity,
        plaintextSize: Int64,
        keys: BlobKeyCache? = nil
    ) throws -> BlobOpener {
        var opener = try BlobOpener(dataKey: dataKey, expectedIdentity: expectedIdentity, plaintextSize: plaintextSize, keys: keys)
        opener.wholeBlobStream = true
        opener.partialHeader = ByteBuffer()
        opener.partialHeader!.reserveCapacity(BlobFormat.headerByteCount)
        return opener
    }

    private init(dataKey: SymmetricKey, expectedIdentity: BlobIdentity, plaintextSize: Int64, keys: BlobKeyCache?) throws {
        guard dataKey.bitCount == BlobFormat.dataKeyByteCount * 8 else {
            throw KeysError(
                .invalidArgument,
                "a data key is \(BlobFormat.dataKeyByteCount) bytes, got \(dataKey.bitCount / 8); pass the unwrapped data key"
            )
        }
        guard plaintextSize >= 0 else {
            throw KeysError(.invalidArgument, "plaintext size \(plaintextSize) is negative")
        }
        self.dataKey = dataKey
        self.keys = keys
        self.expectedIdentity = expectedIdentity
        self.plaintextSize = plaintextSize
    }

    private mutating func start(header bytes: ByteBuffer, plaintextRange: Range<Int64>?) throws {
        let header = try BlobHeader(decoding: bytes)
        guard header.identity == expectedIdentity else {
            throw KeysError(
                .integrity,
                "the blob's identity \(header.identity) is not the expected \(expectedIdentity): it is another blob"
            )
        }
        let layout = header.layout
        let span = try layout.chunks(forPlaintext: plaintextRange ?? 0..<plaintextSize, plaintextSize: plaintextSize)
        self.cipher = ChunkCipher(header: header, key: try BlobKey.of(dataKey: dataKey, identity: header.identity, cache: keys))
        self.layout = layout
        self.span = span
        self.finalChunkIndex = try layout.chunkCount(plaintextSize: plaintextSize) - 1
        self.nextChunkIndex = span.firstChunkIndex
        self.skipCount = span.skipCount
        self.keepCount = span.keepCount
        self.staging.reserveCapacity(layout.sealedChunkSize)
    }

    /// Takes the next piece of the blob stream and returns the plaintext of the chunks it
    /// completes, trimmed to the requested range; empty when no chunk was completed.
    /// - Throws: `KeysError` with code `.integrity` when a chunk fails authentication, the header
    ///   is damaged or of another blob, or bytes arrive past the end of the span;
    ///   `.unsupportedFormat` for an unknown header version or algorithm; `.invalidArgument` if
    ///   called after ``finish()``.
    public mutating func open(_ ciphertext: ByteBuffer) throws -> ByteBuffer {
        try checkUsable()
        output.clear()
        var input = ciphertext
        receivedByteCount += Int64(input.readableBytes)
        do {
            if partialHeader != nil {
                let count = min(BlobFormat.headerByteCount - partialHeader!.readableBytes, input.readableBytes)
                var slice = input.readSlice(length: count)!
                partialHeader!.writeBuffer(&slice)
                guard partialHeader!.readableBytes == BlobFormat.headerByteCount else { return output }
                let header = partialHeader!
                partialHeader = nil
                try start(header: header, plaintextRange: nil)
            }
            output.reserveCapacity(input.readableBytes)
            while input.readableBytes > 0 {
                guard let span, nextChunkIndex <= span.lastChunkIndex else {
                    throw KeysError(.integrity, "bytes continue past the end of the blob: it was extended")
                }
                let sealedLength = layout!.plaintextLength(ofChunk: nextChunkIndex, plaintextSize: plaintextSize)
                    + BlobFormat.tagByteCount
                if staging.readableBytes == 0, input.readableBytes >= sealedLength {
                    // The whole chunk is in this piece: open it where it is.
                    try openChunk(input.readSlice(length: sealedLength)!)
                } else {
                    let count = min(sealedLength - staging.readableBytes, input.readableBytes)
                    var slice = input.readSlice(length: count)!
                    staging.writeBuffer(&slice)
                    if staging.readableBytes == sealedLength {
                        // The copy ends with this scope, so clearing `staging` reuses its storage.
                        do { try openChunk(staging) }
                        staging.clear()
                    }
                }
            }
        } catch {
            failed = true
            output.clear()
            throw error
        }
        return output
    }

    /// Checks that the stream ended exactly at the end of the span (the end of the blob for a
    /// whole-blob opener).
    /// - Throws: `KeysError` with code `.integrity` if bytes are missing (the blob was truncated),
    ///   `.invalidArgument` if called twice.
    public mutating func finish() throws {
        try checkUsable()
        finished = true
        let complete = span.map { nextChunkIndex > $0.lastChunkIndex && staging.readableBytes == 0 } ?? false
        guard complete else {
            failed = true
            let expected = expectedByteCount.map { " of \($0)" } ?? ""
            throw KeysError(
                .integrity,
                "the blob ended after \(receivedByteCount)\(expected) bytes: it was truncated"
            )
        }
    }

    /// How many bytes the stream should have: the span, plus the header for a whole-blob opener.
    private var expectedByteCount: Int64? {
        guard let span else { return nil }
        return Int64(span.encryptedRange.count) + (wholeBlobStream ? Int64(BlobFormat.headerByteCount) : 0)
    }

    private func checkUsable() throws {
        guard !failed else {
            throw KeysError(.integrity, "this blob already failed authentication; nothing more is returned from it")
        }
        guard !finished else {
            throw KeysError(.invalidArgument, "the blob was already finished; start a new opener for a new read")
        }
    }

    private mutating func openChunk(_ sealedChunk: ByteBuffer) throws {
        let index = nextChunkIndex
        let plaintextLength = sealedChunk.readableBytes - BlobFormat.tagByteCount
        let keepEnd = Int(min(Int64(plaintextLength), Int64(skipCount) + keepCount))
        let keep = skipCount..<keepEnd
        try sealedChunk.withUnsafeReadableBytes { bytes in
            try cipher!.open(bytes, index: UInt64(index), isFinal: index == finalChunkIndex, keep: keep, into: &output)
        }
        keepCount -= Int64(keep.count)
        skipCount = 0
        nextChunkIndex += 1
    }
}
