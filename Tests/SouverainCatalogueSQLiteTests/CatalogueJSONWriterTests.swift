import Foundation
import SouverainCatalogue
import SouverainTesting
import Testing

/// `CatalogueJSONWriter` must write, byte for byte, what `JSONEncoder` with `.sortedKeys` writes:
/// a catalogue finds rows by the segments' text it stored, and older rows were written by
/// `JSONEncoder`.
struct CatalogueJSONWriterTests {
    /// Letters, the characters JSON escapes, control characters and non-ASCII text.
    private static let alphabet: [Character] = Array("Az09+=-_. /\"\\é€\u{2028}\u{7F}😀\u{FEFF}")
        + (0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }

    private static func randomText(_ generator: inout SeededGenerator, length: Int) -> String {
        String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    private static func randomSegments(_ generator: inout SeededGenerator) -> [BlobSegment] {
        (0..<Int(generator.next() % 4)).map { _ in
            let sizes: [Int64] = [0, 1, 4096, 1 << 40, Int64.max, Int64.min, -1, Int64(generator.next() >> 20)]
            let size = sizes[Int(generator.next() % UInt64(sizes.count))]
            var encryption: BlobEncryption?
            if generator.next() % 3 != 0 {
                encryption = BlobEncryption(
                    bucketKeyVersion: Int(generator.next() % 9), wrappedDataKey: randomText(&generator, length: 12),
                    identity: randomText(&generator, length: 8), chunkSize: 65_536, storedSize: size / 2,
                    customerKeyMD5: generator.chance(0.3) ? randomText(&generator, length: 6) : nil,
                    keyID: generator.chance(0.3) ? randomText(&generator, length: 6) : nil)
            }
            var segment = BlobSegment(
                locator: randomText(&generator, length: 10), size: size, encryption: encryption,
                storedSHA256: generator.chance(0.5) ? randomText(&generator, length: 8) : nil)
            segment.partChecksum = generator.chance(0.3) ? randomText(&generator, length: 6) : nil
            return segment
        }
    }

    private static func encoded(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func segmentsAreWrittenAsJSONEncoderWritesThem() throws {
        var generator = SeededGenerator(seed: 14)
        for _ in 0..<1_000 {
            let segments = Self.randomSegments(&generator)
            let text = CatalogueJSONWriter.segments(segments)
            #expect(text == (try Self.encoded(segments)))
            #expect(try BlobSegment.list(fromJSON: text) == segments)
        }
    }

    @Test func aStringMapWithASCIIKeysIsWrittenAsJSONEncoderWritesIt() throws {
        var generator = SeededGenerator(seed: 15)
        let keys = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "a10", "a9", "B", "_", "x-amz-meta", ""]
        for _ in 0..<500 {
            var map: [String: String] = [:]
            for key in keys where generator.chance(0.4) { map[key] = Self.randomText(&generator, length: 6) }
            #expect(CatalogueJSONWriter.stringMap(map) == (try Self.encoded(map)))
        }
        #expect(CatalogueJSONWriter.stringMap(["é": "1"]) == nil)
    }
}
