import Foundation
import HTTPTypes
import SouverainCatalogue
import SouverainEngine
import SouverainS3

/// The tagging headers of object requests and responses, and the conditions of conditional writes.
extension ObjectHeaders {
    /// The tags `x-amz-tagging` asks for (PutObject, CreateMultipartUpload, CopyObject with
    /// REPLACE); nil without the header. InvalidTag or InvalidArgument when they break S3's rules.
    static func requestedTags(_ head: S3RequestHead) throws -> [String: String]? {
        guard let header = head.header("x-amz-tagging") else { return nil }
        return try TaggingXML.parseHeader(header)
    }

    /// `x-amz-tagging-count` on GET and HEAD, when the version has tags.
    static func addTagCount(of record: ObjectRecord, to headers: inout HTTPFields) {
        guard !record.tags.isEmpty else { return }
        headers[.amzTaggingCount] = String(record.tags.count)
    }

    /// The condition of a conditional write (PutObject, CompleteMultipartUpload): `If-None-Match: *`
    /// and `If-Match: "etag"` (a list, or `*`); nil when the request has neither. If-None-Match
    /// with anything but `*` is not implemented on writes, as in S3.
    static func writeCondition(_ head: S3RequestHead) throws -> WriteCondition? {
        let ifNoneMatch = head.header("if-none-match")
        let ifMatch = head.header("if-match")
        guard ifNoneMatch != nil || ifMatch != nil else { return nil }
        var condition = WriteCondition()
        if let ifNoneMatch {
            guard ifNoneMatch.trimmingCharacters(in: .whitespaces) == "*" else {
                throw S3Error(.notImplemented, "A header you provided implies functionality that is not implemented: If-None-Match takes only '*' on a write.",
                              extra: [("Header", "If-None-Match")])
            }
            condition.requiresNoCurrentObject = true
        }
        if let ifMatch {
            let etags = ifMatch.split(separator: ",").map { ObjectStore.unquoted(String($0)) }.filter { !$0.isEmpty }
            guard !etags.isEmpty else {
                throw S3Error(.invalidArgument, "If-Match needs an ETag.", extra: [("ArgumentName", "If-Match"), ("ArgumentValue", ifMatch)])
            }
            condition.matchingETags = etags
        }
        return condition
    }
}

extension HTTPField.Name {
    static let amzTaggingCount = HTTPField.Name("x-amz-tagging-count")!
}
