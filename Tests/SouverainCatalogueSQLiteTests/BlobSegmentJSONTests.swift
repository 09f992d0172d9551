import Foundation
import SouverainCatalogue
import SouverainTesting
import Testing

/// `BlobSegment.list(fromJSON:)` reads the catalogue's segment lists itself, and must give what
/// `JSONDecoder` gives for every text: the same segments, or an error where it throws.
struct BlobSegmentJSONTests {
    @Test func whatTheCatalogueWritesReadsBackTheSame() throws {
        var generator = SeededGenerator(seed: 18)
        for formatting in [JSONEncoder.OutputFormatting.sortedKeys, [], [.prettyPrinted, .withoutEscapingSlashes]] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            for _ in 0..<300 {
                let segments = RandomSegments.list(&generator)
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
