import Foundation
import Hummingbird
import HTTPTypes
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3
import SouverainSigV4

extension S3Server {
    func deleteObject(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        // Deleting an absent key succeeds, as in S3.
        for location in try await store.deleteObject(bucket: bucket, key: key) { call.touched(location, .delete) }
        return Response(status: .noContent)
    }

    /// DeleteObjects: up to 1000 keys from an XML body, each reported deleted or failed.
    func deleteObjects(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let body = try await collectXML(call, limit: 2 * 1024 * 1024)
        let request = try DeleteObjectsRequest.parse(body)
        var result = DeleteResult(quiet: request.quiet)
        for object in request.objects {
            do {
                for location in try await store.deleteObject(bucket: bucket, key: object.key) { call.touched(location, .delete) }
                result.deleted.append(.init(key: object.key, versionID: object.versionID))
            } catch {
                let s3Error = S3Error.from(error, resource: object.key)
                result.errors.append(.init(key: object.key, versionID: object.versionID, code: s3Error.code, message: s3Error.message))
            }
        }
        return Self.xmlResponse(result.xml())
    }

    /// A small XML request body, read whole up to `limit`, with Content-MD5 checked when sent.
    /// `checksumHeadersDescribeBody` false: the `x-amz-checksum-*` headers state something else
    /// than the body (CompleteMultipartUpload: the object's checksum), and only Content-MD5 and
    /// trailers check the body.
    func collectXML(_ call: S3Call, limit: Int, checksumHeadersDescribeBody: Bool = true) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        let body = try payload(call)
        for try await buffer in body {
            bytes += buffer.readableBytesView
            if bytes.count > limit {
                throw S3Error(.malformedXML, "The XML you provided was larger than the \(limit) bytes allowed.")
            }
        }
        var declared = try ObjectHeaders.declaredChecksums(call.head)
        if !checksumHeadersDescribeBody {
            declared.values = [:]
            declared.algorithms = declared.trailing
        }
        if declared.contentMD5 != nil || !declared.values.isEmpty || !declared.trailing.isEmpty {
            var digest = ObjectDigest(checksums: declared.algorithms)
            bytes.withUnsafeBytes { digest.update($0) }
            try ObjectHeaders.writeChecks(declared, outcome: body.outcome).verify(digest.finalize())
        }
        return bytes
    }
}
