import SouverainKeys
import Testing

@Suite struct BlobLayoutTests {
    @Test(arguments: [
        (Int64(0), Int64(44)), (1, 45), (4_095, 4_139), (4_096, 4_140), (4_097, 4_157), (12_288, 12_364),
        (10_000, 10_076),
    ])
    func encryptedSize(plaintextSize: Int64, expected: Int64) throws {
        #expect(try BlobLayout.encryptedSize(plaintextSize: plaintextSize, chunkSize: 4_096) == expected)
        #expect(try BlobLayout(chunkSize: 4_096).plaintextSize(encryptedSize: expected) == plaintextSize)
    }

    @Test func encryptedSizeAtTheDefaultChunkSize() throws {
        // 1 GiB: 16,384 chunks, each with a 16-byte tag, after the 28-byte header.
        #expect(try BlobLayout().encryptedSize(plaintextSize: 1 << 30) == (1 << 30) + 16_384 * 16 + 28)
    }

    @Test(arguments: [0, 27, 28, 43, 4_140 + 16, 4_140 + 1, 4_140 + 15, -5] as [Int64])
    func lengthsNoBlobHasAreIntegrityFailures(encryptedSize: Int64) {
        let error = #expect(throws: KeysError.self) {
            try BlobLayout(chunkSize: 4_096).plaintextSize(encryptedSize: encryptedSize)
        }
        #expect(error?.code == .integrity)
    }

    @Test func refusesNegativeAndUnaddressableSizes() {
        let layout = try? BlobLayout(chunkSize: 4_096)
        #expect((#expect(throws: KeysError.self) { try layout?.encryptedSize(plaintextSize: -1) })?.code == .invalidArgument)
        #expect((#expect(throws: KeysError.self) { try layout?.encryptedSize(plaintextSize: .max) })?.code == .invalidArgument)
    }

    @Test func spanAcrossABoundary() throws {
        let span = try BlobLayout(chunkSize: 4_096).chunks(forPlaintext: 4_095..<4_097, plaintextSize: 10_000)
        #expect(span.firstChunkIndex == 0)
        #expect(span.chunkCount == 2)
        #expect(span.encryptedRange == 28..<(28 + 2 * 4_112))
        #expect(span.skipCount == 4_095)
        #expect(span.keepCount == 2)
        #expect(!span.includesFinalChunk)
    }

    @Test func spanOfTheLastByte() throws {
        let span = try BlobLayout(chunkSize: 4_096).chunks(forPlaintext: 9_999..<10_000, plaintextSize: 10_000)
        #expect(span.firstChunkIndex == 2)
        #expect(span.lastChunkIndex == 2)
        #expect(span.encryptedRange == (28 + 2 * 4_112)..<10_076)
        #expect(span.skipCount == 9_999 - 8_192)
        #expect(span.includesFinalChunk)
    }

    @Test func spanOfAChunkExactly() throws {
        let span = try BlobLayout(chunkSize: 4_096).chunks(forPlaintext: 4_096..<8_192, plaintextSize: 12_288)
        #expect(span.firstChunkIndex == 1)
        #expect(span.chunkCount == 1)
        #expect(span.encryptedRange == (28 + 4_112)..<(28 + 2 * 4_112))
        #expect(span.skipCount == 0)
        #expect(!span.includesFinalChunk)
    }

    @Test func spanOfAnEmptyBlobIsItsEmptyChunk() throws {
        let span = try BlobLayout(chunkSize: 4_096).chunks(forPlaintext: 0..<0, plaintextSize: 0)
        #expect(span.chunkCount == 1)
        #expect(span.encryptedRange == 28..<44)
        #expect(span.includesFinalChunk)
    }

    @Test(arguments: [Int64(-1)..<5, 0..<10_001, 5..<5, 10_000..<10_000])
    func refusesRangesOutsideTheBlob(range: Range<Int64>) {
        let error = #expect(throws: KeysError.self) {
            try BlobLayout(chunkSize: 4_096).chunks(forPlaintext: range, plaintextSize: 10_000)
        }
        #expect(error?.code == .invalidArgument)
    }
}
