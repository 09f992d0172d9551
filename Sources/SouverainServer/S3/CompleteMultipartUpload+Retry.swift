import Foundation
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

extension S3Server {
    /// The object a repeated CompleteMultipartUpload made, when the upload is gone because that
    /// same completion already succeeded: the key's current object is a multipart object whose
    /// ETag is the one the requested parts give (MD5 of their MD5s, `-N`). AWS answers such a
    /// retry with the first answer; without this, a client whose first answer was lost would
    /// report a stored object as a failure. Nil when the key holds anything else.
    func repeatedCompletion(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> ObjectRecord? {
        let requested = try CompleteMultipartUploadRequest.parse(try await collectXML(call, limit: 4 * 1024 * 1024, checksumHeadersDescribeBody: false))
        let partMD5s = requested.map { $0.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        guard !partMD5s.isEmpty, partMD5s.allSatisfy({ $0.utf8.count == 32 && Hex.decode($0) != nil }),
            let current = try await store.catalogueStore.object(bucket: bucket, key: key),
            current.partCount == partMD5s.count,
            current.etag == MultipartETag.compute(partMD5Hexes: partMD5s.map { $0.lowercased() })
        else { return nil }
        return current
    }
}
