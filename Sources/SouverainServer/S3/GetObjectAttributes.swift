import Foundation
import Hummingbird
import HTTPTypes
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

extension S3Server {
    /// GetObjectAttributes (`GET ?attributes`): what `x-amz-object-attributes` asks for among
    /// ETag, Checksum, ObjectParts, StorageClass and ObjectSize, with Last-Modified. ObjectParts
    /// is given for a multipart object only, paged by `x-amz-max-parts` and
    /// `x-amz-part-number-marker`; its parts are listed when the object has a checksum, each with
    /// its size and checksum, as AWS lists them for general purpose buckets. An SSE-C object
    /// needs its key, as HEAD does.
    func getObjectAttributes(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        let wanted = try ObjectAttribute.parse(call.header("x-amz-object-attributes"))
        let maxParts = try Self.boundedInteger(call.header("x-amz-max-parts"), name: "x-amz-max-parts", default: 1000)
        let marker = try Self.boundedInteger(call.header("x-amz-part-number-marker"), name: "x-amz-part-number-marker", default: 0)
        // The version to describe: the current one. (`versionId` comes with versioning: look the
        // record up by version here, and answer `x-amz-version-id`.)
        let record = try await store.object(bucket: bucket, key: key)
        try store.checkCustomerKey(record, try ObjectHeaders.customerKey(call.head))

        var result = GetObjectAttributesResponse()
        if wanted.contains(.etag) { result.etag = record.etag }
        if wanted.contains(.checksum), !record.checksums.isEmpty {
            result.checksums = ObjectHeaders.xmlChecksums(record.checksums.mapValues { value in
                value.lastIndex(of: "-").map { String(value[..<$0]) } ?? value
            })
            result.checksumType = MultipartChecksums.type(of: record.checksums)?.rawValue
        }
        if wanted.contains(.objectParts), let partCount = record.partCount {
            let sizes = record.partSizes
            let algorithm = record.checksums.keys.first
            let listed = algorithm == nil ? [] : Array(sizes.enumerated().dropFirst(marker).prefix(maxParts))
            let parts = listed.map { index, size in
                var checksums: [String: String] = [:]
                if let algorithm, index < record.segments.count, let value = record.segments[index].partChecksum {
                    checksums[algorithm.xmlElementName] = value
                }
                return GetObjectAttributesResponse.Part(partNumber: index + 1, size: size, checksums: checksums)
            }
            let truncated = algorithm != nil && marker + parts.count < sizes.count
            result.objectParts = .init(
                totalPartsCount: partCount, partNumberMarker: marker,
                nextPartNumberMarker: truncated ? parts.last?.partNumber : nil, maxParts: maxParts, isTruncated: truncated,
                parts: parts)
        }
        if wanted.contains(.storageClass) { result.storageClass = "STANDARD" }
        if wanted.contains(.objectSize) { result.objectSize = record.size }
        return Self.xmlResponse(result.xml(), headers: [.lastModified: S3Date.httpDate(record.lastModified)])
    }
}
