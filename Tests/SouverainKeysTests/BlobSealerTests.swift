import Crypto
import NIOCore
import SouverainKeys
import Testing

@Suite struct BlobSealerTests {
    static let chunkSize = 4_096

    @Test(arguments: [0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3 * chunkSize])
    func roundTripsEdgeSizes(size: Int) throws {
        var generator = SplitMix64(seed: UInt64(size))
        let plaintext = randomBytes(size, using: &generator)
        let blob = try seal(plaintext, chunkSize: Self.chunkSize)
        let layout = try BlobLayout(chunkSize: Self.chunkSize)
        #expect(Int64(blob.bytes.count) == (try layout.encryptedSize(plaintextSize: Int64(size))))
        #expect(try layout.plaintextSize(encryptedSize: Int64(blob.bytes.count)) == Int64(size))
        for pieceSizes in [[Int.max], [1], [Self.chunkSize], [Self.chunkSize + 16], [333, 0, 5_000]] {
            let outcome = openWhole(blob, pieceSizes: pieceSizes)
            #expect(outcome.error == nil, "pieces \(pieceSizes): \(String(describing: outcome.error))")
            #expect(outcome.plaintext == plaintext, "pieces \(pieceSizes)")
        }
    }

    @Test func roundTripsAtTheDefaultChunkSize() throws {
        var generator = SplitMix64(seed: 99)
        let plaintext = randomBytes(3 * BlobFormat.defaultChunkSize + 17, using: &generator)
        let blob = try seal(plaintext, chunkSize: BlobFormat.defaultChunkSize, pieceSizes: [BlobFormat.defaultChunkSize])
        #expect(blob.bytes.count == BlobFormat.headerByteCount + plaintext.count + 4 * BlobFormat.tagByteCount)
        #expect(openWhole(blob, pieceSizes: [BlobFormat.defaultChunkSize]).plaintext == plaintext)
    }

    @Test(arguments: 1...12)
    func roundTripsRandomSizesInRandomPieces(seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed))
        let chunkSize = [4_096, 5_000, 65_536][seed % 3]
        let size = Int.random(in: 0...(6 * chunkSize), using: &generator)
        let plaintext = randomBytes(size, using: &generator)
        let blob = try seal(
            plaintext,
            identity: .random(using: &generator),
            chunkSize: chunkSize,
            pieceSizes: randomPieceSizes(upTo: 2 * chunkSize + 50, using: &generator)
        )
        // The bytes do not depend on how the plaintext was split.
        let inOnePiece = try seal(plaintext, identity: blob.identity, chunkSize: chunkSize)
        #expect(blob.bytes == inOnePiece.bytes)
        let outcome = openWhole(blob, pieceSizes: randomPieceSizes(upTo: 2 * chunkSize + 50, using: &generator))
        #expect(outcome.error == nil)
        #expect(outcome.plaintext == plaintext)
    }

    /// Pieces written where the caller wants them (a disk batch) make the same blob, byte for
    /// byte, as the buffers `seal(_:)` returns, whatever the sizes the plaintext comes in.
    @Test(arguments: 1...8)
    func piecesWrittenInPlaceMakeTheSameBlob(seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed) + 500)
        let chunkSize = [4_096, 5_000, 65_536][seed % 3]
        let size = seed == 1 ? 0 : Int.random(in: 0...(5 * chunkSize), using: &generator)
        let plaintext = randomBytes(size, using: &generator)
        let identity = BlobIdentity.random(using: &generator)
        let pieceSizes = (0..<4).map { _ in Int.random(in: 1...(2 * chunkSize + 7), using: &generator) }
        let expected = try seal(plaintext, identity: identity, chunkSize: chunkSize, pieceSizes: pieceSizes)

        let bytes = try sealInPlace(plaintext, identity: identity, chunkSize: chunkSize, pieceSizes: pieceSizes)
        let same = bytes == expected.bytes  // compared here: a failure would print both blobs
        #expect(same, "size \(size), chunks of \(chunkSize), pieces \(pieceSizes)")
        #expect(openWhole(expected, pieceSizes: [Int.max]).plaintext == plaintext)
    }

    /// A chunk that straddles two pieces is sealed from both where they lie, one straddling three
    /// or more is joined first: both give the bytes of the plaintext sealed in one piece, through
    /// `seal(_:)` and through pieces written in place.
    @Test(arguments: [
        [1_000, 3_096, 4_096],  // a chunk in exactly two pieces, then one whole
        [1_000, 3_500, 4_000, 7],  // two pieces each time, the split moving
        [1_000, 1_000, 1_000, 1_500, 100],  // three pieces or more: joined
        [4_095, 2, 4_095, 1, 4_096],  // a one-byte tail, a one-byte head
        [2_000, 6_192, 1, 8_191],  // a piece that ends one chunk and brings a whole one
    ])
    func chunksStraddlingPiecesGiveTheBytesOfOnePiece(pieceSizes: [Int]) throws {
        var generator = SplitMix64(seed: UInt64(pieceSizes.reduce(0, +)))
        let plaintext = randomBytes(pieceSizes.reduce(0, +), using: &generator)
        let identity = BlobIdentity.random(using: &generator)
        let whole = try seal(plaintext, identity: identity, chunkSize: 4_096)

        let streamed = try seal(plaintext, identity: identity, chunkSize: 4_096, pieceSizes: pieceSizes)
        #expect(streamed.bytes == whole.bytes)

        let same = try sealInPlace(plaintext, identity: identity, chunkSize: 4_096, pieceSizes: pieceSizes) == whole.bytes
        #expect(same)
        #expect(openWhole(whole, pieceSizes: [Int.max]).plaintext == plaintext)
    }

    @Test func holdsBackAFullChunkUntilItKnowsWhetherItIsFinal() throws {
        var sealer = try BlobSealer(dataKey: dataKey(1), identity: .random(), chunkSize: 4_096)
        let first = try #require(try sealer.seal(byteBuffer(repeatElement(7, count: 4_096))))
        #expect(first.readableBytes == BlobFormat.headerByteCount)
        #expect(try sealer.seal(ByteBuffer()) == nil)
        let second = try #require(try sealer.seal(byteBuffer([1])))
        #expect(second.readableBytes == 4_096 + BlobFormat.tagByteCount)
        #expect(try sealer.finish().readableBytes == 1 + BlobFormat.tagByteCount)
    }

    @Test func emptyBlobIsTheHeaderAndOneEmptyFinalChunk() throws {
        var sealer = try BlobSealer(dataKey: dataKey(1), identity: .random())
        #expect(try sealer.seal(ByteBuffer()) != nil)  // the header
        #expect(try sealer.finish().readableBytes == BlobFormat.tagByteCount)
        let blob = try seal([])
        #expect(blob.bytes.count == BlobFormat.headerByteCount + BlobFormat.tagByteCount)
        #expect(openWhole(blob).error == nil)
    }

    @Test func keepsItsOwnCopyOfAPieceTheCallerChangesAfterwards() throws {
        let identity = BlobIdentity.random()
        var sealer = try BlobSealer(dataKey: dataKey(1), identity: identity, chunkSize: 4_096)
        var piece = byteBuffer(repeatElement(1, count: 4_096))
        var bytes: [UInt8] = []
        if let sealed = try sealer.seal(piece) { bytes += sealed.readableBytesView }
        piece.setBytes(repeatElement(2, count: 4_096), at: piece.readerIndex)
        bytes += try sealer.finish().readableBytesView
        let outcome = openWhole(bytes, key: dataKey(1), identity: identity, plaintextSize: 4_096)
        #expect(outcome.plaintext == Array(repeating: 1, count: 4_096))
    }

    @Test func ciphertextHoldsNoPlaintextMarker() throws {
        let marker: [UInt8] = Array("SOUVERAIN-PLAINTEXT-MARKER-32B!!".utf8)
        #expect(marker.count == 32)
        let plaintext = Array([[UInt8]](repeating: marker, count: 1_000).joined())
        let blob = try seal(plaintext, chunkSize: 4_096, pieceSizes: [1_000])
        let probe = Array(marker[0..<16])
        let found = (0...(blob.bytes.count - probe.count)).contains { offset in
            blob.bytes[offset..<(offset + probe.count)].elementsEqual(probe)
        }
        #expect(!found)
        #expect(openWhole(blob).plaintext == plaintext)
    }

    @Test func sameInputsGiveTheSameBlobAndAnotherIdentityAnotherOne() throws {
        let plaintext: [UInt8] = Array(repeating: 0, count: 10_000)
        var generator = SplitMix64(seed: 5)
        let identity = BlobIdentity.random(using: &generator)
        let first = try seal(plaintext, identity: identity)
        let second = try seal(plaintext, identity: identity)
        let other = try seal(plaintext, identity: .random(using: &generator))
        #expect(first.bytes == second.bytes)
        #expect(first.bytes[BlobFormat.headerByteCount...] != other.bytes[BlobFormat.headerByteCount...])
    }

    @Test(arguments: [0, -1, 1, 4_095, 1_048_577, Int(UInt32.max) + 1])
    func refusesAnInvalidChunkSize(chunkSize: Int) {
        let sealerError = #expect(throws: KeysError.self) {
            try BlobSealer(dataKey: dataKey(1), identity: .random(), chunkSize: chunkSize)
        }
        #expect(sealerError?.code == .invalidArgument)
        let layoutError = #expect(throws: KeysError.self) {
            try BlobLayout.encryptedSize(plaintextSize: 10, chunkSize: chunkSize)
        }
        #expect(layoutError?.code == .invalidArgument)
    }

    @Test(arguments: [4_096, 5_000, 65_536, 1_048_576])
    func acceptsChunkSizesInRange(chunkSize: Int) throws {
        let blob = try seal([1, 2, 3], chunkSize: chunkSize)
        #expect(openWhole(blob).plaintext == [1, 2, 3])
    }

    @Test func refusesADataKeyThatIsNot32Bytes() {
        let error = #expect(throws: KeysError.self) {
            try BlobSealer(dataKey: SymmetricKey(size: .bits128), identity: .random())
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func refusesToSealAfterFinishing() throws {
        var sealer = try BlobSealer(dataKey: dataKey(1), identity: .random())
        _ = try sealer.finish()
        #expect((#expect(throws: KeysError.self) { try sealer.seal(byteBuffer([1])) })?.code == .invalidArgument)
        #expect((#expect(throws: KeysError.self) { try sealer.finish() })?.code == .invalidArgument)
    }
}

/// The blob `BlobSealer` writes in place (`nextPiece` then `writePiece`, as a large PUT does) for
/// `plaintext` arriving in pieces of `pieceSizes`; checks the sizes it reports.
func sealInPlace(_ plaintext: [UInt8], identity: BlobIdentity, chunkSize: Int, pieceSizes: [Int]) throws -> [UInt8] {
    var sealer = try BlobSealer(dataKey: dataKey(1), identity: identity, chunkSize: chunkSize)
    var bytes: [UInt8] = []
    for piece in pieces(of: plaintext, sizes: pieceSizes) {
        var input = piece
        while let count = try sealer.nextPiece(from: &input) {
            var space = [UInt8](repeating: 0, count: count)
            try space.withUnsafeMutableBytes { try sealer.writePiece(into: $0) }
            bytes += space
        }
        #expect(input.readableBytes == 0)
    }
    bytes += try sealer.finish().readableBytesView
    #expect(sealer.plaintextSize == Int64(plaintext.count))
    #expect(sealer.encryptedSize == Int64(bytes.count))
    return bytes
}
