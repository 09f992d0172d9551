import Benchmark
import Foundation
import SouverainS3

/// 1000 entries of a ListObjectsV2 page, with keys of a realistic shape (a few with characters
/// that XML or URL encoding must escape).
func listingPage() -> [ListedObject] {
    let start = Date(timeIntervalSince1970: 1_764_000_000)
    return (0..<1_000).map { index in
        let name = index % 50 == 0 ? "R&D report \(index) <draft>.pdf" : "IMG_\(index).jpg"
        return ListedObject(
            key: "photos/2026/\(index / 100 + 1)/\(name)",
            lastModified: start.addingTimeInterval(Double(index) * 37.5),
            etag: String(repeating: String(index % 16, radix: 16), count: 32),
            size: Int64(100_000 + index * 1_013)
        )
    }
}

/// Rendering a full ListObjectsV2 page as XML, as sent to the client; one iteration is one page.
func listingXMLBenchmarks() {
    for urlEncodeKeys in [false, true] {
        let name = urlEncodeKeys ? "ListObjectsV2 XML, 1000 keys, encoding-type=url" : "ListObjectsV2 XML, 1000 keys"
        Benchmark(name) { _, contents in
            let result = ListObjectsV2Result(
                name: "photos", prefix: "photos/", maxKeys: 1_000, isTruncated: true,
                nextContinuationToken: "cGhvdG9zLzIwMjYvMTAvSU1HXzk5OS5qcGc=", contents: contents,
                urlEncodeKeys: urlEncodeKeys)
            blackHole(result.xml())
        } setup: {
            listingPage()
        }
    }
}
