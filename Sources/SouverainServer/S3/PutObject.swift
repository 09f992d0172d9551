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
    /// PutObject: the body streams through `PayloadBody` (framing, signatures, SHA-256) into the
    /// store, which hashes it, verifies the declared digests and commits only a whole object.
    func putObject(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        var metadata = try ObjectHeaders.metadata(from: call.head)
        metadata.acl = try await requestedObjectACL(call)
        (metadata.serverSideEncryption, metadata.kmsKeyARN) = try await requestedEncryption(call, bucket: bucket)
        let customerKey = try ObjectHeaders.customerKey(call.head)
        metadata.customerKeyMD5 = customerKey?.md5
        let declared = try ObjectHeaders.declaredChecksums(call.head)
        let lock = try ObjectHeaders.requestedLock(call.head)
        let tags = try ObjectHeaders.requestedTags(call.head) ?? [:]
        let condition = try ObjectHeaders.writeCondition(call.head)
        let body = try payload(call)
        let record = try await store.putObject(
            bucket: call.bucket!, key: key, metadata: metadata, body: body,
            checks: ObjectHeaders.writeChecks(declared, outcome: body.outcome), customerKey: customerKey, lock: lock, tags: tags,
            condition: condition)
        call.bytesIn = record.size
        call.versionID = record.versionID
        for location in record.writtenAt { call.touched(location, .write) }
        var headers: HTTPFields = [.eTag: "\"\(record.etag)\""]
        ObjectHeaders.addChecksums(record.checksums, to: &headers)
        ObjectHeaders.addServerSideEncryption(record.segments, record.metadata, bucket: bucket, to: &headers)
        ObjectHeaders.addVersion(of: record, bucket: call.bucket, includeLock: false, to: &headers)
        return Response(status: .ok, headers: headers)
    }

    /// The request body as object bytes, checked against what the signature declared.
    func payload(_ call: S3Call) throws -> PayloadBody {
        guard let signature = call.signature else { throw S3Error(.accessDenied) }
        var decodedLength: Int64?
        if let value = call.header("x-amz-decoded-content-length") {
            guard let length = Int64(value), length >= 0 else {
                throw S3Error(.invalidArgument, "x-amz-decoded-content-length is not a length.")
            }
            decodedLength = length
        }
        // S3 takes a body of known length: Content-Length, or for aws-chunked framing the
        // decoded length. A plain chunked body of unknown length is refused up front (411).
        let knownLength: Bool
        switch signature.payload {
        case .streamingSigned, .streamingSignedTrailer, .streamingUnsignedTrailer:
            knownLength = call.request.headers[.contentLength] != nil || decodedLength != nil
        case .unsigned, .sha256(_):
            knownLength = call.request.headers[.contentLength] != nil
        }
        guard knownLength else {
            throw S3Error(.missingContentLength, "You must provide the Content-Length HTTP header.")
        }
        let declared = decodedLength ?? call.request.headers[.contentLength].flatMap(Int64.init)
        if let declared, declared > ObjectStore.maximumBlobSize {
            throw S3Error(.entityTooLarge, "Your proposed upload exceeds the maximum allowed size of 5 GiB for one request; use a multipart upload.")
        }
        return PayloadBody(request: call.request, signature: signature, decodedContentLength: decodedLength)
    }
}
