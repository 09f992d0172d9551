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
    func createMultipartUpload(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        var metadata = try ObjectHeaders.metadata(from: call.head)
        metadata.acl = try await requestedObjectACL(call)
        (metadata.serverSideEncryption, metadata.kmsKeyARN) = try await requestedEncryption(call, bucket: bucket)
        metadata.customerKeyMD5 = try ObjectHeaders.customerKey(call.head)?.md5
        var algorithm: ChecksumAlgorithm?
        if let name = call.header("x-amz-checksum-algorithm") {
            guard let parsed = ChecksumAlgorithm(caseInsensitive: name) else {
                throw S3Error(.invalidArgument, "Checksum algorithm provided is unsupported.")
            }
            algorithm = parsed
        }
        let checksumType = try MultipartChecksums.requestedType(call.head, algorithm: algorithm)
        metadata.checksumType = checksumType
        if let lock = try ObjectHeaders.requestedLock(call.head) {
            // Checked now (a bucket without Object Lock, a date in the past), applied at completion.
            _ = try store.lockForNewVersion(bucket: call.bucket!, requested: lock, now: Date())
            metadata.requestedLock = lock
        }
        // Checked now, given to the object at completion.
        metadata.requestedTags = try ObjectHeaders.requestedTags(call.head).flatMap { $0.isEmpty ? nil : $0 }
        let upload = try await store.createMultipartUpload(
            bucket: call.bucket!, key: key, metadata: metadata, checksumAlgorithm: algorithm, owner: call.user!)
        var headers = HTTPFields()
        if let algorithm, let field = HTTPField.Name("x-amz-checksum-algorithm") { headers[field] = algorithm.rawValue }
        if let checksumType, let field = HTTPField.Name("x-amz-checksum-type") { headers[field] = checksumType.rawValue }
        if metadata.customerKeyMD5 != nil || store.keys != nil {
            ObjectHeaders.addServerSideEncryption(metadata, bucket: bucket, to: &headers)
        }
        return Self.xmlResponse(InitiateMultipartUploadResult(bucket: bucket, key: key, uploadID: upload.uploadID).xml(), headers: headers)
    }

    func uploadPart(_ bucket: String, _ key: String, _ uploadID: String, _ partNumber: Int, _ call: inout S3Call) async throws -> Response {
        let upload = try await store.upload(id: uploadID, bucket: bucket, key: key)
        try await authorizeUploadKey(upload, call)
        var declared = try ObjectHeaders.declaredChecksums(call.head)
        if let algorithm = upload.checksumAlgorithm { declared.algorithms.insert(algorithm) }
        let body = try payload(call)
        let part = try await store.uploadPart(
            upload: upload, partNumber: partNumber, body: body, checks: ObjectHeaders.writeChecks(declared, outcome: body.outcome),
            customerKey: try ObjectHeaders.customerKey(call.head))
        call.bytesIn = part.size
        call.touched(part.location, .write)
        var headers: HTTPFields = [.eTag: "\"\(part.etag)\""]
        for (algorithm, value) in part.checksums {
            if let field = HTTPField.Name(algorithm.headerName) { headers[field] = value }
        }
        ObjectHeaders.addServerSideEncryption([part.segment], upload.metadata, bucket: bucket, to: &headers)
        return Response(status: .ok, headers: headers)
    }

    func uploadPartCopy(
        _ bucket: String, _ key: String, _ uploadID: String, _ partNumber: Int, _ source: CopySource, _ call: inout S3Call
    ) async throws -> Response {
        let upload = try await store.upload(id: uploadID, bucket: bucket, key: key)
        try await authorizeUploadKey(upload, call)
        let sourceRecord = try await copySource(source, call)
        let sourceKey = try ObjectHeaders.copySourceKey(call.head, source: sourceRecord)
        let customerKey = try ObjectHeaders.customerKey(call.head)
        var range: ClosedRange<Int64>?
        if let header = call.header("x-amz-copy-source-range") {
            range = try Self.copySourceRange(header, size: sourceRecord.size)
        }
        let part = try await store.uploadPartCopy(
            upload: upload, partNumber: partNumber, source: sourceRecord, range: range, sourceKey: sourceKey, customerKey: customerKey)
        call.bytesIn = part.size
        call.touched(store.readLocation(of: sourceRecord), .read)
        call.touched(part.location, .write)
        let result = CopyPartResult(etag: part.etag, lastModified: part.lastModified, checksums: ObjectHeaders.xmlChecksums(part.checksums))
        var headers = HTTPFields()
        ObjectHeaders.addServerSideEncryption([part.segment], upload.metadata, bucket: bucket, to: &headers)
        return Self.xmlResponse(result.xml(), headers: headers)
    }

    /// `bytes=first-last`, both required and within the source, as UploadPartCopy demands.
    static func copySourceRange(_ header: String, size: Int64) throws -> ClosedRange<Int64> {
        let invalid = S3Error(.invalidArgument, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
        guard header.hasPrefix("bytes=") else { throw invalid }
        let bounds = header.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first >= 0, first <= last else {
            throw invalid
        }
        guard last < size else {
            throw S3Error(.invalidRange, "The requested range is not satisfiable", extra: [("ActualObjectSize", String(size))])
        }
        return first...last
    }

    func completeMultipartUpload(_ bucket: String, _ key: String, _ uploadID: String, _ call: inout S3Call) async throws -> Response {
        let condition = try ObjectHeaders.writeCondition(call.head)
        let upload: UploadRecord
        do {
            upload = try await store.upload(id: uploadID, bucket: bucket, key: key)
        } catch let error as EngineError where error.code == .noSuchUpload {
            // A completion sent again after it succeeded (its answer was lost) answers that success.
            if let record = try await repeatedCompletion(bucket, key, &call) { return completionResponse(record, &call) }
            throw error
        }
        let requested = try CompleteMultipartUploadRequest.parse(
            try await collectXML(call, limit: 4 * 1024 * 1024, checksumHeadersDescribeBody: false))
        let parts = requested.map { part in
            var checksums: [ChecksumAlgorithm: String] = [:]
            for algorithm in ChecksumAlgorithm.allCases {
                if let value = part.checksums[algorithm.xmlElementName] { checksums[algorithm] = value }
            }
            return ObjectStore.CompletedPart(partNumber: part.partNumber, etag: part.etag, checksums: checksums)
        }
        let check = try MultipartChecksums.completionCheck(call.head, upload: upload)
        let record = try await store.completeMultipartUpload(upload: upload, parts: parts, checkChecksums: check, condition: condition)
        // The parts were written at the first location; the further copies are read from there.
        if record.writtenAt.count > 1 { call.touched(record.location, .read) }
        for location in record.writtenAt { call.touched(location, .write) }
        return completionResponse(record, &call)
    }

    /// The answer to a completion that made `record`.
    private func completionResponse(_ record: ObjectRecord, _ call: inout S3Call) -> Response {
        let bucket = record.bucket
        let key = record.key
        let host = call.request.head.authority ?? "localhost"
        let result = CompleteMultipartUploadResult(
            location: "http://\(host)/\(bucket)/\(S3URLEncoding.encode(key, keepSlash: true))", bucket: bucket, key: key,
            etag: record.etag, checksums: ObjectHeaders.xmlChecksums(record.checksums),
            checksumType: MultipartChecksums.type(of: record.checksums)?.rawValue)
        var headers = HTTPFields()
        ObjectHeaders.addServerSideEncryption(record.segments, record.metadata, bucket: bucket, to: &headers)
        ObjectHeaders.addVersion(of: record, bucket: call.bucket, includeLock: false, to: &headers)
        call.versionID = record.versionID
        return Self.xmlResponse(result.xml(), headers: headers)
    }

    func abortMultipartUpload(_ bucket: String, _ key: String, _ uploadID: String, _ call: inout S3Call) async throws -> Response {
        let upload = try await store.upload(id: uploadID, bucket: bucket, key: key)
        try await store.abortMultipartUpload(upload: upload)
        call.touched(upload.location, .delete)
        return Response(status: .noContent)
    }

    func listParts(_ bucket: String, _ key: String, _ uploadID: String, _ call: inout S3Call) async throws -> Response {
        let upload = try await store.upload(id: uploadID, bucket: bucket, key: key)
        let query = call.queryParameters
        let maxParts = try Self.boundedInteger(query["max-parts"], name: "max-parts", default: 1000)
        let marker = try Self.boundedInteger(query["part-number-marker"], name: "part-number-marker", default: 0)
        let parts = try await store.catalogueStore.parts(uploadID: uploadID, after: marker, limit: maxParts + 1)
        let shown = Array(parts.prefix(maxParts))
        let truncated = parts.count > maxParts
        let result = ListPartsResult(
            bucket: bucket, key: key, uploadID: uploadID, initiator: try await self.owner(id: upload.owner), owner: try await self.owner(id: upload.owner),
            partNumberMarker: marker, nextPartNumberMarker: shown.last?.partNumber, maxParts: maxParts, isTruncated: truncated,
            parts: shown.map {
                .init(partNumber: $0.partNumber, lastModified: $0.lastModified, etag: $0.etag, size: $0.size,
                      checksums: ObjectHeaders.xmlChecksums($0.checksums))
            },
            checksumAlgorithm: upload.checksumAlgorithm?.rawValue)
        return Self.xmlResponse(result.xml())
    }

    func listMultipartUploads(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let query = call.queryParameters
        let maxUploads = try Self.boundedInteger(query["max-uploads"], name: "max-uploads", default: 1000)
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"] ?? ""
        let keyMarker = query["key-marker"].flatMap { $0.isEmpty ? nil : $0 }
        let uploadIDMarker = keyMarker == nil ? nil : query["upload-id-marker"].flatMap { $0.isEmpty ? nil : $0 }
        let urlEncode = try Self.urlEncodingRequested(query)
        var uploads: [ListMultipartUploadsResult.Upload] = []
        var prefixes: [String] = []
        var truncated = false
        var nextKey: String?
        var nextUploadID: String?
        var cursor = (key: keyMarker, uploadID: uploadIDMarker)
        scan: while true {
            let batch = try await store.catalogueStore.uploads(
                bucket: bucket, prefix: prefix, keyMarker: cursor.key, uploadIDMarker: cursor.uploadID, limit: 1000)
            if batch.isEmpty { break }
            for upload in batch {
                cursor = (upload.key, upload.uploadID)
                if let common = store.commonPrefix(of: upload.key, prefix: prefix, delimiter: delimiter) {
                    if prefixes.last == common { continue }
                    if uploads.count + prefixes.count == maxUploads { truncated = true; break scan }
                    prefixes.append(common)
                    nextKey = common
                    nextUploadID = nil
                    continue
                }
                if uploads.count + prefixes.count == maxUploads { truncated = true; break scan }
                let owner = try await self.owner(id: upload.owner)
                uploads.append(.init(key: upload.key, uploadID: upload.uploadID, initiator: owner, owner: owner, initiated: upload.initiated))
                nextKey = upload.key
                nextUploadID = upload.uploadID
            }
            if batch.count < 1000 { break }
        }
        let result = ListMultipartUploadsResult(
            bucket: bucket, keyMarker: keyMarker ?? "", uploadIDMarker: uploadIDMarker ?? "",
            nextKeyMarker: truncated ? nextKey : nil, nextUploadIDMarker: truncated ? nextUploadID : nil,
            delimiter: delimiter.isEmpty ? nil : delimiter, prefix: prefix, maxUploads: maxUploads, isTruncated: truncated,
            uploads: uploads, commonPrefixes: prefixes, urlEncodeKeys: urlEncode)
        return Self.xmlResponse(result.xml())
    }

    static func boundedInteger(_ value: String?, name: String, default fallback: Int) throws -> Int {
        guard let value else { return fallback }
        guard let parsed = Int(value), parsed >= 0 else {
            throw S3Error(.invalidArgument, "\(name) must be a non-negative integer.")
        }
        return min(parsed, 1000 * 10)
    }
}
