import Foundation
import Hummingbird
import HTTPTypes
import SouverainCatalogue
import SouverainEngine
import SouverainS3

/// GetObjectTagging, PutObjectTagging and DeleteObjectTagging: the tags of one object version
/// (the current one, or `?versionId=`), docs/tagging.md. Every Put and Delete is in the trail with
/// its bucket, key and version, as every request is; the keys set are its detail.
extension S3Server {
    func getObjectTagging(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        let record = try await store.taggedVersion(bucket: bucket, key: key, versionID: call.queryParameters["versionId"])
        call.versionID = Self.trailVersion(of: record, call)
        var headers = HTTPFields()
        ObjectHeaders.addVersion(of: record, bucket: call.bucket, includeLock: false, to: &headers)
        return Self.xmlResponse(TaggingXML.xml(record.tags), headers: headers)
    }

    func putObjectTagging(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        let tags = try TaggingXML.parse(try await collectXML(call, limit: 64 * 1024))
        return try await setTags(tags, key, &call, status: .ok)
    }

    func deleteObjectTagging(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        try await setTags([:], key, &call, status: .noContent)
    }

    private func setTags(_ tags: [String: String], _ key: String, _ call: inout S3Call, status: HTTPResponse.Status) async throws -> Response {
        let record = try await store.setTags(bucket: call.bucket!, key: key, versionID: call.queryParameters["versionId"], tags: tags)
        call.versionID = Self.trailVersion(of: record, call)
        let detail = tags.isEmpty ? "tags removed" : "tags set: " + tags.keys.sorted().joined(separator: ", ")
        call.detail = Self.abbreviatedDetail(detail)
        var headers = HTTPFields()
        ObjectHeaders.addVersion(of: record, bucket: call.bucket, includeLock: false, to: &headers)
        return Response(status: status, headers: headers)
    }

    /// The version id the trail records: the version's, `null` for the null version of a
    /// versioned bucket, none in a bucket never versioned.
    private static func trailVersion(of record: ObjectRecord, _ call: S3Call) -> String? {
        record.versionID ?? (call.bucket?.versioning == nil ? nil : "null")
    }
}
