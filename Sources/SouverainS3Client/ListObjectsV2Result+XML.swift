import Foundation
import SouverainS3

extension ListObjectsV2Result {
    /// Reads a `ListBucketResult` (V2) document; key-like fields are URL-decoded when the document
    /// says `EncodingType` is `url`. Nil when the root is not `ListBucketResult` or an entry is broken.
    init?(xml: ResponseXML) {
        guard xml.name == "ListBucketResult" else { return nil }
        let encoded = xml.string("EncodingType") == "url"
        func decode(_ value: String) -> String { encoded ? (XMLText.urlDecode(value) ?? value) : value }
        var contents: [ListedObject] = []
        for entry in xml.all("Contents") {
            guard let key = entry.string("Key") else { return nil }
            contents.append(ListedObject(
                key: decode(key),
                lastModified: entry.string("LastModified").flatMap(S3Date.parseISO8601) ?? .distantPast,
                etag: ObjectHead.unquoted(entry.string("ETag") ?? ""),
                size: entry.string("Size").flatMap { Int64($0) } ?? 0,
                storageClass: entry.string("StorageClass") ?? "STANDARD"))
        }
        self.init(
            name: xml.string("Name") ?? "",
            prefix: decode(xml.string("Prefix") ?? ""),
            delimiter: xml.string("Delimiter").map(decode),
            maxKeys: xml.string("MaxKeys").flatMap { Int($0) } ?? 1000,
            isTruncated: xml.string("IsTruncated") == "true",
            continuationToken: xml.string("ContinuationToken"),
            nextContinuationToken: xml.string("NextContinuationToken"),
            startAfter: xml.string("StartAfter").map(decode),
            contents: contents,
            commonPrefixes: xml.all("CommonPrefixes").compactMap { $0.string("Prefix") }.map(decode))
    }
}
