import Crypto
import NIOCore
import SouverainKeys
import Testing

/// A small seeded generator, so a failing case can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomBytes(_ count: Int, using generator: inout SplitMix64) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

func dataKey(_ seed: UInt8) -> SymmetricKey {
    SymmetricKey(data: (0..<32).map { UInt8($0) &+ seed })
}

func byteBuffer(_ bytes: some Sequence<UInt8>) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeBytes(Array(bytes))
    return buffer
}

/// Splits `bytes` in pieces of the given sizes, cycling through them; a size of 0 yields an
/// empty piece (and the loop moves on).
func pieces(of bytes: [UInt8], sizes: [Int]) -> [ByteBuffer] {
    var result: [ByteBuffer] = []
    var offset = 0
    var next = 0
    while offset < bytes.count {
        let size = sizes[next % sizes.count]
        next += 1
        let end = offset + min(size, bytes.count - offset)
        result.append(byteBuffer(bytes[offset..<end]))
        offset = end
    }
    return result
}

func randomPieceSizes(upTo maximum: Int, using generator: inout SplitMix64) -> [Int] {
    (0..<64).map { _ in Int.random(in: 0...maximum, using: &generator) } + [1]
}

/// A blob sealed in one go, with what is needed to open it.
struct SealedBlob {
    var plaintext: [UInt8]
    var bytes: [UInt8]
    var key: SymmetricKey
    var identity: BlobIdentity
    var chunkSize: Int

    var header: ByteBuffer { byteBuffer(bytes[0..<BlobFormat.headerByteCount]) }
    var sealedChunkSize: Int { chunkSize + BlobFormat.tagByteCount }
    var chunkCount: Int { plaintext.isEmpty ? 1 : (plaintext.count + chunkSize - 1) / chunkSize }

    /// The byte range of chunk `index` (ciphertext and tag) in `bytes`.
    func chunkRange(_ index: Int) -> Range<Int> {
        let start = BlobFormat.headerByteCount + index * sealedChunkSize
        return start..<min(bytes.count, start + sealedChunkSize)
    }
}

func seal(
    _ plaintext: [UInt8],
    key: SymmetricKey = dataKey(1),
    identity: BlobIdentity = .random(),
    chunkSize: Int = 4_096,
    pieceSizes: [Int] = [Int.max]
) throws -> SealedBlob {
    var sealer = try BlobSealer(dataKey: key, identity: identity, chunkSize: chunkSize)
    var bytes: [UInt8] = []
    for piece in pieces(of: plaintext, sizes: pieceSizes) {
        if let sealed = try sealer.seal(piece) {
            bytes += sealed.readableBytesView
        }
    }
    bytes += try sealer.finish().readableBytesView
    #expect(sealer.plaintextSize == Int64(plaintext.count))
    #expect(sealer.encryptedSize == Int64(bytes.count))
    return SealedBlob(plaintext: plaintext, bytes: bytes, key: key, identity: identity, chunkSize: chunkSize)
}

/// What a read returned before it ended, and how it ended.
struct OpenOutcome {
    var plaintext: [UInt8] = []
    var error: KeysError?
}

/// Opens the whole of `bytes` fed in pieces, collecting whatever plaintext comes out.
func openWhole(
    _ bytes: [UInt8],
    key: SymmetricKey,
    identity: BlobIdentity,
    plaintextSize: Int64,
    pieceSizes: [Int] = [1_000]
) -> OpenOutcome {
    var outcome = OpenOutcome()
    do {
        var opener = try BlobOpener.wholeBlob(dataKey: key, expectedIdentity: identity, plaintextSize: plaintextSize)
        for piece in pieces(of: bytes, sizes: pieceSizes) {
            outcome.plaintext += try opener.open(piece).readableBytesView
        }
        try opener.finish()
    } catch let error as KeysError {
        outcome.error = error
    } catch {
        Issue.record("unexpected error type: \(error)")
    }
    return outcome
}

func openWhole(_ blob: SealedBlob, pieceSizes: [Int] = [1_000]) -> OpenOutcome {
    openWhole(
        blob.bytes,
        key: blob.key,
        identity: blob.identity,
        plaintextSize: Int64(blob.plaintext.count),
        pieceSizes: pieceSizes
    )
}

/// Reads `range` the way a range GET does: the header, then the span's bytes fed in pieces.
func openRange(_ blob: SealedBlob, _ range: Range<Int64>, pieceSizes: [Int] = [777]) throws -> [UInt8] {
    var opener = try BlobOpener(
        header: blob.header,
        dataKey: blob.key,
        expectedIdentity: blob.identity,
        plaintextSize: Int64(blob.plaintext.count),
        plaintextRange: range
    )
    let span = try #require(opener.span)
    let ciphertext = Array(blob.bytes[Int(span.encryptedRange.lowerBound)..<Int(span.encryptedRange.upperBound)])
    var plaintext: [UInt8] = []
    for piece in pieces(of: ciphertext, sizes: pieceSizes) {
        plaintext += try opener.open(piece).readableBytesView
    }
    try opener.finish()
    return plaintext
}

/// Expects a read of `bytes` as `blob` to fail with `code`, having returned only true plaintext.
func expectRefused(
    _ bytes: [UInt8],
    as blob: SealedBlob,
    code: KeysError.Code = .integrity,
    plaintextSize: Int64? = nil,
    key: SymmetricKey? = nil,
    identity: BlobIdentity? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for pieceSizes in [[Int.max], [1_000], [1, 4_111, 13]] {
        let outcome = openWhole(
            bytes,
            key: key ?? blob.key,
            identity: identity ?? blob.identity,
            plaintextSize: plaintextSize ?? Int64(blob.plaintext.count),
            pieceSizes: pieceSizes
        )
        #expect(outcome.error?.code == code, "pieces \(pieceSizes): \(String(describing: outcome.error))", sourceLocation: sourceLocation)
        #expect(blob.plaintext.starts(with: outcome.plaintext), "returned bytes that are not the plaintext", sourceLocation: sourceLocation)
    }
}
