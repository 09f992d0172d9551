import Foundation
import SouverainCatalogue
import SouverainTesting
import Testing

/// `BlobSegment.list(fromJSON:)` reads the catalogue's segment lists itself, and must give what
/// `JSONDecoder` gives for every text: the same segments, or an error where it throws.
struct BlobSegmentJSONTests {
    private static func randomText(_ generator: inout SeededGenerator, length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
        return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    private static func randomSegments(_ generator: inout SeededGenerator) -> [BlobSegment] {
        (0..<Int(generator.next() % 4)).map { _ in
            let sizes: [Int64] = [0, 1, 4096, 1 << 40, Int64.max, Int64(generator.next() >> 20)]
            let size = sizes[Int(generator.next() % UInt64(sizes.count))]
            var encryption: BlobEncryption?
            if generator.next() % 3 != 0 {
                encryption = BlobEncryption(
                    bucketKeyVersion: Int(generator.next() % 9), wrappedDataKey: randomText(&generator, length: 56),
                    identity: randomText(&generator, length: 32), chunkSize: 65_536, storedSize: size / 2,
                    customerKeyMD5: generator.chance(0.3) ? randomText(&generator, length: 24) : nil,
                    keyID: generator.chance(0.3) ? "key-" + randomText(&generator, length: 6) : nil)
            }
            var segment = BlobSegment(
                locator: randomText(&generator, length: 32), size: size, encryption: encryption,
                storedSHA256: generator.chance(0.5) ? randomText(&generator, length: 64) : nil)
            segment.partChecksum = generator.chance(0.3) ? randomText(&generator, length: 12) : nil
            return segment
        }
    }

    @Test func whatTheCatalogueWritesReadsBackTheSame() throws {
        var generator = SeededGenerator(seed: 18)
        for formatting in [JSONEncoder.OutputFormatting.sortedKeys, [], [.prettyPrinted, .withoutEscapingSlashes]] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            for _ in 0..<300 {
                let segments = Self.randomSegments(&generator)
                let text = String(decoding: try encoder.encode(segments), as: UTF8.self)
                #expect(try BlobSegment.list(fromJSON: text) == segments, "\(text)")
            }
        }
    }

    /// Texts outside the catalogue's form: the answer is `JSONDecoder`'s, segments or error.
    @Test(arguments: [
        #"[{"locator":"a\u002fb","size":3}]"#,
        #"[{"locator":"a\/b\n\"c\\","size":3}]"#,
        #"[{"locator":"a","size":3,"storedSHA256":null}]"#,
        #"[{"locator":"a","size":3,"unknown":1}]"#,
        #"[{"locator":"a","size":3.0}]"#,
        #"[{"locator":"a","size":3e2}]"#,
        #"[{"locator":"a","size":-0}]"#,
        #"[{"locator":"a","size":03}]"#,
        #"[{"locator":"a","size":9223372036854775808}]"#,
        #"[{"locator":"a","size":-9223372036854775808}]"#,
        #"[{"locator":"a"}]"#,
        #"[{"locator":"a","size":1,"size":2}]"#,
        #"[{"locator":"a","size":1,"encryption":{"bucketKeyVersion":1,"wrappedDataKey":"k","identity":"i","chunkSize":4}}]"#,
        #"[{"locator":"a","size":1,"encryption":null}]"#,
        #"[{"locator":"a","size":1},]"#,
        #"[{"locator":"a","size":1}] x"#,
        #" [ { "locator" : "a" , "size" : 1 } ] "#,
        #"[]"#, #"["#, #""#, #"{}"#, #"[{}]"#, #"[{"locator":"a","size":"1"}]"#, #"[{"locator":1,"size":1}]"#,
    ])
    func anyOtherTextGetsJSONDecodersAnswer(text: String) {
        let expected = Result { try JSONDecoder().decode([BlobSegment].self, from: Data(text.utf8)) }
        let got = Result { try BlobSegment.list(fromJSON: text) }
        switch (expected, got) {
        case (.success(let a), .success(let b)): #expect(a == b)
        case (.failure, .failure): break
        default: Issue.record("\(text): JSONDecoder \(expected), list(fromJSON:) \(got)")
        }
    }
}
