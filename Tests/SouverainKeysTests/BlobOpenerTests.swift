import Crypto
import NIOCore
import SouverainKeys
import Testing

@Suite struct BlobOpenerTests {
    /// Three full chunks and a short one: 3 × 4,096 + 1,000 bytes.
    static func sample(identity: BlobIdentity = .random(), key: SymmetricKey = dataKey(1)) throws -> SealedBlob {
        var generator = SplitMix64(seed: 42)
        return try seal(randomBytes(3 * 4_096 + 1_000, using: &generator), key: key, identity: identity)
    }

    // MARK: Range reads

    @Test(arguments: 1...6)
    func randomRangesMatchThePlaintextSlice(seed: Int) throws {
        var generator = SplitMix64(seed: UInt64(seed) + 100)
        let chunkSize = seed % 2 == 0 ? 4_096 : 5_000
        let size = Int.random(in: 1...(5 * chunkSize), using: &generator)
        let blob = try seal(randomBytes(size, using: &generator), chunkSize: chunkSize)
        for _ in 0..<40 {
            let lower = Int.random(in: 0..<size, using: &generator)
            let upper = Int.random(in: (lower + 1)...size, using: &generator)
            let pieceSizes = randomPieceSizes(upTo: chunkSize + 100, using: &generator)
            let plaintext = try openRange(blob, Int64(lower)..<Int64(upper), pieceSizes: pieceSizes)
            #expect(plaintext == Array(blob.plaintext[lower..<upper]), "range \(lower)..<\(upper) of \(size)")
        }
    }

    @Test func singleBytesAroundEveryBoundaryAndTheEnds() throws {
        let blob = try Self.sample()
        let size = blob.plaintext.count
        var offsets: Set<Int> = [0, 1, size - 2, size - 1]
        for boundary in stride(from: 4_096, to: size, by: 4_096) {
            offsets.formUnion([boundary - 1, boundary, boundary + 1])
        }
        for offset in offsets.sorted() {
            let plaintext = try openRange(blob, Int64(offset)..<Int64(offset + 1))
            #expect(plaintext == [blob.plaintext[offset]], "byte \(offset)")
        }
    }

    @Test func wholeRangeWithAHeaderReadApart() throws {
        let blob = try Self.sample()
        #expect(try openRange(blob, 0..<Int64(blob.plaintext.count)) == blob.plaintext)
        let empty = try seal([])
        #expect(try openRange(empty, 0..<0) == [])
    }

    @Test func rangeOutsideTheBlobIsRefused() throws {
        let blob = try Self.sample()
        let error = #expect(throws: KeysError.self) {
            try BlobOpener(
                header: blob.header, dataKey: blob.key, expectedIdentity: blob.identity,
                plaintextSize: Int64(blob.plaintext.count), plaintextRange: 0..<Int64(blob.plaintext.count + 1)
            )
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func aRangeReadFedTooMuchOrTooLittleFails() throws {
        let blob = try Self.sample()
        let range: Range<Int64> = 100..<5_000
        var opener = try BlobOpener(
            header: blob.header, dataKey: blob.key, expectedIdentity: blob.identity,
            plaintextSize: Int64(blob.plaintext.count), plaintextRange: range
        )
        let span = try #require(opener.span)
        let tooMuch = Array(blob.bytes[Int(span.encryptedRange.lowerBound)..<(Int(span.encryptedRange.upperBound) + 1)])
        #expect((#expect(throws: KeysError.self) { try opener.open(byteBuffer(tooMuch)) })?.code == .integrity)

        var short = try BlobOpener(
            header: blob.header, dataKey: blob.key, expectedIdentity: blob.identity,
            plaintextSize: Int64(blob.plaintext.count), plaintextRange: range
        )
        let tooLittle = Array(blob.bytes[Int(span.encryptedRange.lowerBound)..<(Int(span.encryptedRange.upperBound) - 1)])
        let returned = try short.open(byteBuffer(tooLittle))
        #expect(Array(returned.readableBytesView) == Array(blob.plaintext[100..<4_096]))
        #expect((#expect(throws: KeysError.self) { try short.finish() })?.code == .integrity)
    }

    // MARK: Tampering

    @Test func everyHeaderBitFlipIsRefused() throws {
        let blob = try Self.sample()
        for offset in 0..<BlobFormat.headerByteCount {
            for bit in 0..<8 {
                var bytes = blob.bytes
                bytes[offset] ^= 1 << bit
                // The version and the algorithm are read before anything can be authenticated.
                let code: KeysError.Code = (offset == 4 || offset == 5) ? .unsupportedFormat : .integrity
                expectRefused(bytes, as: blob, code: code)
                let error = #expect(throws: KeysError.self, "byte \(offset) bit \(bit)") {
                    _ = try openRange(
                        SealedBlob(plaintext: blob.plaintext, bytes: bytes, key: blob.key, identity: blob.identity, chunkSize: 4_096),
                        0..<10
                    )
                }
                #expect(error?.code == code, "byte \(offset) bit \(bit)")
            }
        }
    }

    @Test func bitFlipsInChunkBodiesAndTagsAreRefused() throws {
        let blob = try Self.sample()
        var generator = SplitMix64(seed: 7)
        for index in 0..<blob.chunkCount {
            let range = blob.chunkRange(index)
            let tagStart = range.upperBound - BlobFormat.tagByteCount
            for offset in [range.lowerBound, Int.random(in: range.lowerBound..<tagStart, using: &generator), tagStart - 1,
                           tagStart, range.upperBound - 1] {
                var bytes = blob.bytes
                bytes[offset] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
                expectRefused(bytes, as: blob)
            }
        }
    }

    @Test func swappedChunksAreRefused() throws {
        var generator = SplitMix64(seed: 8)
        // Four full chunks, so every swap keeps the length and only authentication can tell.
        let blob = try seal(randomBytes(4 * 4_096, using: &generator))
        for (first, second) in [(0, 1), (1, 2), (0, 3), (2, 3)] {
            var bytes = blob.bytes
            let a = blob.chunkRange(first)
            let b = blob.chunkRange(second)
            bytes.replaceSubrange(a, with: blob.bytes[b])
            bytes.replaceSubrange(b, with: blob.bytes[a])
            expectRefused(bytes, as: blob)
        }
    }

    @Test func aDroppedChunkIsRefused() throws {
        let blob = try Self.sample()
        for index in 0..<blob.chunkCount {
            var bytes = blob.bytes
            bytes.removeSubrange(blob.chunkRange(index))
            expectRefused(bytes, as: blob)
            // Even when the catalogue's size agrees with what is left.
            let remainingSize = Int64(blob.plaintext.count - blob.chunkRange(index).count + BlobFormat.tagByteCount)
            expectRefused(bytes, as: blob, plaintextSize: remainingSize)
        }
    }

    @Test func truncationAnywhereIsRefused() throws {
        let blob = try Self.sample()
        var cuts: Set<Int> = [0, 1, 27, 28, 29]
        for index in 0..<blob.chunkCount {
            let range = blob.chunkRange(index)
            cuts.formUnion([range.lowerBound, range.lowerBound + 1, (range.lowerBound + range.upperBound) / 2,
                            range.upperBound - BlobFormat.tagByteCount, range.upperBound - 1])
        }
        cuts.remove(blob.bytes.count)
        for cut in cuts.sorted() {
            expectRefused(Array(blob.bytes[..<cut]), as: blob)
        }
    }

    @Test func truncationAtAChunkBoundaryIsRefusedEvenWhenTheSizeAgrees() throws {
        var generator = SplitMix64(seed: 9)
        let blob = try seal(randomBytes(3 * 4_096, using: &generator))
        // Drop the final chunk; the remaining last chunk was sealed as not final.
        let bytes = Array(blob.bytes[..<blob.chunkRange(2).lowerBound])
        expectRefused(bytes, as: blob, plaintextSize: 2 * 4_096)
        // An empty blob cut to its header.
        let empty = try seal([])
        expectRefused(Array(empty.bytes[..<BlobFormat.headerByteCount]), as: empty)
    }

    @Test func appendedBytesAreRefused() throws {
        let blob = try Self.sample()
        expectRefused(blob.bytes + [0], as: blob)
        expectRefused(blob.bytes + blob.bytes[blob.chunkRange(0)], as: blob)
        // Or claimed as part of a larger blob.
        expectRefused(blob.bytes + [0], as: blob, plaintextSize: Int64(blob.plaintext.count + 1))
        let empty = try seal([])
        expectRefused(empty.bytes + [1], as: empty)
    }

    @Test func aChunkFromAnotherBlobUnderTheSameKeyIsRefused() throws {
        let blob = try Self.sample()
        let other = try Self.sample()  // same key and plaintext, another identity
        #expect(blob.identity != other.identity)
        for index in 0..<blob.chunkCount {
            var bytes = blob.bytes
            bytes.replaceSubrange(blob.chunkRange(index), with: other.bytes[other.chunkRange(index)])
            expectRefused(bytes, as: blob)
        }
        // The other blob's header with this blob's chunks, read as the other blob.
        let spliced = Array(other.bytes[..<BlobFormat.headerByteCount]) + blob.bytes[BlobFormat.headerByteCount...]
        expectRefused(spliced, as: other)
    }

    @Test func theWrongDataKeyIsRefused() throws {
        let blob = try Self.sample()
        expectRefused(blob.bytes, as: blob, key: dataKey(2))
        let empty = try seal([])
        expectRefused(empty.bytes, as: empty, key: dataKey(2))
    }

    @Test func theWrongExpectedIdentityIsRefused() throws {
        let blob = try Self.sample()
        expectRefused(blob.bytes, as: blob, identity: .random())
        let error = #expect(throws: KeysError.self) {
            try BlobOpener(header: blob.header, dataKey: blob.key, expectedIdentity: .random(), plaintextSize: 10)
        }
        #expect(error?.code == .integrity)
    }

    @Test func theWrongCatalogueSizeIsRefused() throws {
        let blob = try Self.sample()
        for size in [0, 1, blob.plaintext.count - 1, blob.plaintext.count + 1, 3 * 4_096, 4 * 4_096] {
            expectRefused(blob.bytes, as: blob, plaintextSize: Int64(size))
        }
    }

    @Test func anOpenerThatFailedStaysFailed() throws {
        let blob = try Self.sample()
        var bytes = blob.bytes
        bytes[40] ^= 1
        var opener = try BlobOpener.wholeBlob(dataKey: blob.key, expectedIdentity: blob.identity, plaintextSize: Int64(blob.plaintext.count))
        #expect(throws: KeysError.self) { try opener.open(byteBuffer(bytes[..<5_000])) }
        let again = #expect(throws: KeysError.self) { try opener.open(byteBuffer(bytes[5_000...])) }
        #expect(again?.code == .integrity)
        #expect((#expect(throws: KeysError.self) { try opener.finish() })?.code == .integrity)
    }

    @Test func refusesToOpenAfterFinishing() throws {
        let blob = try seal([1, 2, 3])
        var opener = try BlobOpener.wholeBlob(dataKey: blob.key, expectedIdentity: blob.identity, plaintextSize: 3)
        #expect(Array(try opener.open(byteBuffer(blob.bytes)).readableBytesView) == [1, 2, 3])
        try opener.finish()
        #expect((#expect(throws: KeysError.self) { try opener.open(byteBuffer([0])) })?.code == .invalidArgument)
    }
}
