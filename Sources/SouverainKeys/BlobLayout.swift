/// Size and range arithmetic of blobs with one chunk size: how large a sealed blob is, and which
/// of its bytes a range read must fetch.
///
/// A blob of `n` plaintext bytes has `max(1, ⌈n / chunkSize⌉)` chunks (an empty blob has one
/// empty final chunk) and `28 + n + 16 × chunks` bytes.
public struct BlobLayout: Hashable, Sendable {
    /// The number of plaintext bytes in every chunk but the last.
    public let chunkSize: Int

    /// Creates the layout for `chunkSize`.
    /// - Throws: `KeysError` with code `.invalidArgument` if `chunkSize` is outside
    ///   ``BlobFormat/chunkSizeRange``.
    public init(chunkSize: Int = BlobFormat.defaultChunkSize) throws {
        guard BlobFormat.chunkSizeRange.contains(chunkSize) else {
            throw KeysError(
                .invalidArgument,
                "chunk size \(chunkSize) is outside \(BlobFormat.chunkSizeRange.lowerBound)...\(BlobFormat.chunkSizeRange.upperBound) bytes; use the default of \(BlobFormat.defaultChunkSize)"
            )
        }
        self.chunkSize = chunkSize
    }

    /// The number of bytes of a full chunk in the blob: `chunkSize` plus the 16-byte tag.
    public var sealedChunkSize: Int { chunkSize + BlobFormat.tagByteCount }

    /// The size of a sealed blob holding `plaintextSize` bytes sealed in chunks of `chunkSize`.
    /// - Throws: `KeysError` with code `.invalidArgument` for an invalid chunk size, a negative
    ///   size, or one whose blob would not fit in an `Int64`.
    public static func encryptedSize(plaintextSize: Int64, chunkSize: Int) throws -> Int64 {
        try BlobLayout(chunkSize: chunkSize).encryptedSize(plaintextSize: plaintextSize)
    }

    /// The number of chunks of a blob holding `plaintextSize` bytes; at least one.
    /// - Throws: `KeysError` with code `.invalidArgument` for a negative size.
    public func chunkCount(plaintextSize: Int64) throws -> Int64 {
        try checkPlaintextSize(plaintextSize)
        return plaintextSize == 0 ? 1 : (plaintextSize - 1) / Int64(chunkSize) + 1
    }

    /// The size of the sealed blob, header included, holding `plaintextSize` bytes.
    /// - Throws: `KeysError` with code `.invalidArgument` for a negative size or one whose blob
    ///   would not fit in an `Int64`.
    public func encryptedSize(plaintextSize: Int64) throws -> Int64 {
        let overhead = try chunkCount(plaintextSize: plaintextSize)
            .multipliedReportingOverflow(by: Int64(BlobFormat.tagByteCount))
        let body = plaintextSize.addingReportingOverflow(overhead.partialValue)
        let total = body.partialValue.addingReportingOverflow(Int64(BlobFormat.headerByteCount))
        guard !overhead.overflow, !body.overflow, !total.overflow else {
            throw KeysError(.invalidArgument, "a blob of \(plaintextSize) plaintext bytes is too large to address")
        }
        return total.partialValue
    }

    /// The plaintext size of a sealed blob of `encryptedSize` bytes, to check a stored blob's
    /// length against the catalogue.
    /// - Throws: `KeysError` with code `.integrity` if no plaintext size gives this length (the
    ///   blob was truncated or extended).
    public func plaintextSize(encryptedSize: Int64) throws -> Int64 {
        let body = encryptedSize - Int64(BlobFormat.headerByteCount)
        let fullChunks = body >= 0 ? body / Int64(sealedChunkSize) : 0
        let remainder = body >= 0 ? body % Int64(sealedChunkSize) : 0
        let tag = Int64(BlobFormat.tagByteCount)
        if body >= 0, remainder == 0, fullChunks > 0 {
            return fullChunks * Int64(chunkSize)
        }
        if body >= 0, remainder > tag || (remainder == tag && fullChunks == 0) {
            return fullChunks * Int64(chunkSize) + remainder - tag
        }
        throw KeysError(
            .integrity,
            "no blob with \(chunkSize)-byte chunks is \(encryptedSize) bytes long: it was truncated or extended"
        )
    }

    /// The plaintext length of chunk `index` of a blob holding `plaintextSize` bytes.
    func plaintextLength(ofChunk index: Int64, plaintextSize: Int64) -> Int {
        Int(min(Int64(chunkSize), plaintextSize - index * Int64(chunkSize)))
    }

    /// Which chunks cover the plaintext bytes in `range` of a blob holding `plaintextSize` bytes,
    /// where they are in the blob, and which of their plaintext bytes the range keeps.
    ///
    /// A range read fetches the header (bytes `0..<28`) and the bytes in
    /// ``ChunkSpan/encryptedRange``; ``BlobOpener`` does the trimming when given the range. An
    /// empty range is only valid for an empty blob, where reading it means authenticating the
    /// one empty chunk.
    /// - Throws: `KeysError` with code `.invalidArgument` for a negative size, a range outside
    ///   `0..<plaintextSize`, or an empty range of a non-empty blob.
    public func chunks(forPlaintext range: Range<Int64>, plaintextSize: Int64) throws -> ChunkSpan {
        let chunkCount = try chunkCount(plaintextSize: plaintextSize)
        guard range.lowerBound >= 0, range.upperBound <= plaintextSize else {
            throw KeysError(
                .invalidArgument,
                "plaintext range \(range) is outside the blob's \(plaintextSize) bytes; clamp it to the object size first"
            )
        }
        guard !range.isEmpty || plaintextSize == 0 else {
            throw KeysError(.invalidArgument, "an empty range reads nothing; only an empty blob is read with 0..<0")
        }
        let chunkSize = Int64(chunkSize)
        let first = range.lowerBound / chunkSize
        let last = range.isEmpty ? 0 : (range.upperBound - 1) / chunkSize
        let header = Int64(BlobFormat.headerByteCount)
        let start = header + first * Int64(sealedChunkSize)
        let end = header + last * Int64(sealedChunkSize)
            + Int64(plaintextLength(ofChunk: last, plaintextSize: plaintextSize) + BlobFormat.tagByteCount)
        return ChunkSpan(
            plaintextRange: range,
            firstChunkIndex: first,
            chunkCount: last - first + 1,
            encryptedRange: start..<end,
            skipCount: Int(range.lowerBound - first * chunkSize),
            includesFinalChunk: last == chunkCount - 1
        )
    }

    private func checkPlaintextSize(_ plaintextSize: Int64) throws {
        guard plaintextSize >= 0 else {
            throw KeysError(.invalidArgument, "plaintext size \(plaintextSize) is negative")
        }
    }
}

/// The chunks a range read needs, found by ``BlobLayout/chunks(forPlaintext:plaintextSize:)``.
public struct ChunkSpan: Hashable, Sendable {
    /// The plaintext bytes asked for.
    public let plaintextRange: Range<Int64>
    /// The index of the first chunk covering the range.
    public let firstChunkIndex: Int64
    /// How many consecutive chunks cover the range; at least one.
    public let chunkCount: Int64
    /// The bytes of the blob (offsets from its first byte, so never below 28) holding those
    /// chunks, tags included: what to fetch besides the header.
    public let encryptedRange: Range<Int64>
    /// How many plaintext bytes of the first chunk precede the range.
    public let skipCount: Int
    /// Whether the last chunk of the span is the final chunk of the blob.
    public let includesFinalChunk: Bool

    /// How many plaintext bytes the range keeps, from the skipped bytes on.
    public var keepCount: Int64 { Int64(plaintextRange.count) }
    /// The index of the last chunk covering the range.
    public var lastChunkIndex: Int64 { firstChunkIndex + chunkCount - 1 }
    /// The bytes of the blob holding its header, which every read needs.
    public static let headerRange: Range<Int64> = 0..<Int64(BlobFormat.headerByteCount)
}
