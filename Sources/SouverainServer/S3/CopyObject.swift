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
    /// CopyObject: read access to the source, write access to the destination, the copy-source
    /// conditionals, then a streamed copy into a new blob.
    func copyObject(_ bucket: String, _ key: String, _ source: CopySource, _ call: inout S3Call) async throws -> Response {
        let sourceRecord = try await copySource(source, call)
        if call.header("x-amz-copy-source-range") != nil {
            throw S3Error(.invalidArgument, "x-amz-copy-source-range is only valid on UploadPartCopy.")
        }
        let encryption = try await requestedEncryption(call, bucket: bucket)
        // SSE-C: the source is read with its own key, the copy written with the target's (or
        // under the organisation's keys when the request sends none).
        let sourceKey = try ObjectHeaders.copySourceKey(call.head, source: sourceRecord)
        let customerKey = try ObjectHeaders.customerKey(call.head)
        let directive = call.header("x-amz-metadata-directive")?.uppercased() ?? "COPY"
        var metadata: ObjectMetadata
        switch directive {
        case "COPY":
            // Copying an object onto itself is a change only when its encryption changes.
            if source.bucket == bucket, source.key == key, source.versionID == nil, sourceKey?.md5 == customerKey?.md5,
               encryption.serverSideEncryption == sourceRecord.metadata.serverSideEncryption,
               encryption.kmsKeyARN == sourceRecord.metadata.kmsKeyARN {
                throw S3Error(.invalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
            }
            metadata = sourceRecord.metadata
        case "REPLACE":
            metadata = try ObjectHeaders.metadata(from: call.head)
        default:
            throw S3Error(.invalidArgument, "Unknown metadata directive.")
        }
        // The copy is encrypted as the request asks, as in S3, whatever the source was.
        (metadata.serverSideEncryption, metadata.kmsKeyARN) = encryption
        metadata.customerKeyMD5 = customerKey?.md5
        // A copy never inherits its source's ACL: it gets the one it asks for, as in AWS.
        metadata.acl = try await requestedObjectACL(call)
        var algorithms = Set(sourceRecord.checksums.keys)
        if let requested = call.header("x-amz-checksum-algorithm") {
            guard let algorithm = ChecksumAlgorithm(caseInsensitive: requested) else {
                throw S3Error(.invalidArgument, "Checksum algorithm provided is unsupported.")
            }
            algorithms = [algorithm]
        }
        let lock = try ObjectHeaders.requestedLock(call.head)
        // The copy's tags: the source version's (COPY, the default) or the request's (REPLACE).
        var tags = sourceRecord.tags
        if try TaggingXML.Directive.parse(call.header("x-amz-tagging-directive")) == .replace {
            tags = try ObjectHeaders.requestedTags(call.head) ?? [:]
        }
        let record = try await store.copyObject(
            source: sourceRecord, toBucket: call.bucket!, key: key, metadata: metadata, checksums: algorithms,
            sourceKey: sourceKey, customerKey: customerKey, lock: lock, tags: tags)
        call.bytesIn = record.size
        call.versionID = record.versionID
        call.touched(store.readLocation(of: sourceRecord), .read)
        for location in record.writtenAt { call.touched(location, .write) }
        let result = CopyObjectResult(
            etag: record.etag, lastModified: record.lastModified, checksums: ObjectHeaders.xmlChecksums(record.checksums))
        var headers = HTTPFields()
        ObjectHeaders.addServerSideEncryption(record.segments, record.metadata, bucket: bucket, to: &headers)
        ObjectHeaders.addVersion(of: record, bucket: call.bucket, includeLock: false, to: &headers)
        if source.versionID != nil || sourceRecord.versionID != nil {
            headers[.amzCopySourceVersionID] = sourceRecord.versionID ?? "null"
        }
        return Self.xmlResponse(result.xml(), headers: headers)
    }

    /// The source of a copy, after its bucket's read check and the `x-amz-copy-source-if-*` conditions.
    func copySource(_ source: CopySource, _ call: S3Call) async throws -> ObjectRecord {
        // The source is a read of its own: its bucket's policy and grants decide.
        _ = try await authorize(user: call.user, bucket: source.bucket, key: source.key, action: "s3:GetObject", level: .read, call)
        let record = try await store.objectVersion(bucket: source.bucket, key: source.key, versionID: source.versionID)
        try await store.authorizeRead(record, user: call.user)
        let failed = S3Error(.preconditionFailed, "At least one of the pre-conditions you specified did not hold")
        let modified = record.lastModified.timeIntervalSince1970.rounded(.down)
        if let ifMatch = call.header("x-amz-copy-source-if-match") {
            if !Self.etagMatches(ifMatch, record.etag) { throw failed }
        } else if let since = call.header("x-amz-copy-source-if-unmodified-since").flatMap(S3Date.parseHTTPDate),
                  modified > since.timeIntervalSince1970 {
            throw failed
        }
        if let ifNoneMatch = call.header("x-amz-copy-source-if-none-match") {
            if Self.etagMatches(ifNoneMatch, record.etag) { throw failed }
        } else if let since = call.header("x-amz-copy-source-if-modified-since").flatMap(S3Date.parseHTTPDate),
                  modified <= since.timeIntervalSince1970 {
            throw failed
        }
        return record
    }
}
