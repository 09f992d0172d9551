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

    private static func encoded(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func segmentsAreWrittenAsJSONEncoderWritesThem() throws {
        var generator = SeededGenerator(seed: 14)
        for _ in 0..<1_000 {
            let segments = RandomSegments.list(&generator, alphabet: Self.alphabet)
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
            for key in keys where generator.chance(0.4) { map[key] = RandomSegments.text(&generator, length: 6, alphabet: Self.alphabet) }
            #expect(CatalogueJSONWriter.stringMap(map) == (try Self.encoded(map)))
        }
        #expect(CatalogueJSONWriter.stringMap(["é": "1"]) == nil)
    }
}
