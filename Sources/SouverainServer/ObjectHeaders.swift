import Foundation
import HTTPTypes
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

/// Reading object metadata and checksum declarations from request headers, and writing them back
/// on responses.
enum ObjectHeaders {
    /// S3's limit on the user-defined metadata of one object.
    static let maximumUserMetadata = 2 * 1024

    static func metadata(from head: S3RequestHead) throws -> ObjectMetadata {
        var metadata = ObjectMetadata()
        metadata.contentType = head.header("content-type")
        metadata.contentDisposition = head.header("content-disposition")
        metadata.contentLanguage = head.header("content-language")
        metadata.cacheControl = head.header("cache-control")
        metadata.expires = head.header("expires")
        // aws-chunked is the transfer framing, not the object's encoding.
        if let encoding = head.header("content-encoding") {
            let kept = encoding.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && $0.lowercased() != "aws-chunked" }
            metadata.contentEncoding = kept.isEmpty ? nil : kept.joined(separator: ",")
        }
        for (name, value) in head.headers {
            let lowered = name.lowercased()
            guard lowered.hasPrefix("x-amz-meta-") else { continue }
            let key = String(lowered.dropFirst("x-amz-meta-".count))
            // Stored decoded, as S3 stores it: a value sent as RFC 2047 encoded words.
            let value = MIMEEncodedWord.decode(value)
            metadata.user[key] = metadata.user[key].map { $0 + "," + value } ?? value
        }
        guard metadata.userMetadataSize <= maximumUserMetadata else {
            throw S3Error(.metadataTooLarge, "Your metadata headers exceed the maximum allowed metadata size of 2 KB.")
        }
        return metadata
    }

    /// Checksums the client declared: values sent as headers now, algorithms whose value comes in
    /// a trailer or that it asked us to compute.
    struct Declared {
        var values: [ChecksumAlgorithm: String] = [:]
        var algorithms: Set<ChecksumAlgorithm> = []
        var trailing: Set<ChecksumAlgorithm> = []
        var contentMD5: [UInt8]?
    }

    static func declaredChecksums(_ head: S3RequestHead) throws -> Declared {
        var declared = Declared()
        for (name, value) in head.headers {
            if let algorithm = ChecksumAlgorithm(headerName: name) {
                declared.values[algorithm] = value.trimmingCharacters(in: .whitespaces)
                declared.algorithms.insert(algorithm)
            }
        }
        if let sdk = head.header("x-amz-sdk-checksum-algorithm") ?? head.header("x-amz-checksum-algorithm") {
            guard let algorithm = ChecksumAlgorithm(caseInsensitive: sdk) else {
                throw S3Error(.invalidArgument, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
            }
            declared.algorithms.insert(algorithm)
        }
        if let trailer = head.header("x-amz-trailer") {
            for name in trailer.split(separator: ",") {
                if let algorithm = ChecksumAlgorithm(headerName: name.trimmingCharacters(in: .whitespaces)) {
                    declared.trailing.insert(algorithm)
                    declared.algorithms.insert(algorithm)
                }
            }
        }
        if let md5 = head.header("content-md5") {
            guard let bytes = Data(base64Encoded: md5.trimmingCharacters(in: .whitespaces)), bytes.count == 16 else {
                throw S3Error(.invalidDigest, "The Content-MD5 you specified is not valid.")
            }
            declared.contentMD5 = Array(bytes)
        }
        return declared
    }

    /// The checks a write runs on the finished body before committing it.
    static func writeChecks(_ declared: Declared, outcome: PayloadBody.Outcome) -> ObjectStore.WriteChecks {
        ObjectStore.WriteChecks(checksums: declared.algorithms) { result in
            if let md5 = declared.contentMD5, md5 != result.md5 {
                throw S3Error(.badDigest, "The Content-MD5 you specified did not match what we received.")
            }
            var expected = declared.values
            let trailers = outcome.trailers
            for algorithm in declared.trailing {
                guard let value = trailers[algorithm.headerName] else {
                    throw S3Error(.invalidRequest, "The trailer \(algorithm.headerName) was announced but not sent.")
                }
                expected[algorithm] = value.trimmingCharacters(in: .whitespaces)
            }
            for (algorithm, value) in expected where result.checksums[algorithm] != value {
                throw S3Error(.badDigest, "The \(algorithm.rawValue) you specified did not match the calculated checksum.")
            }
        }
    }

    /// The headers of GET and HEAD, and of the object part of other responses.
    static func responseHeaders(for record: ObjectRecord, includeChecksums: Bool) -> HTTPFields {
        var headers = HTTPFields()
        headers[.eTag] = "\"\(record.etag)\""
        headers[.lastModified] = S3Date.httpDate(record.lastModified)
        headers[.contentType] = record.metadata.contentType ?? "binary/octet-stream"
        headers[.acceptRanges] = "bytes"
        if let value = record.metadata.contentEncoding { headers[.contentEncoding] = value }
        if let value = record.metadata.contentDisposition { headers[.contentDisposition] = value }
        if let value = record.metadata.contentLanguage { headers[.contentLanguage] = value }
        if let value = record.metadata.cacheControl { headers[.cacheControl] = value }
        if let value = record.metadata.expires { headers[.expires] = value }
        for (name, value) in record.metadata.user.sorted(by: { $0.key < $1.key }) {
            // Answered as S3 answers it: a value that is not US-ASCII as an RFC 2047 encoded word.
            if let field = HTTPField.Name("x-amz-meta-" + name) {
                headers.append(HTTPField(name: field, value: MIMEEncodedWord.encode(value)))
            }
        }
        if let parts = record.partCount, let field = HTTPField.Name("x-amz-mp-parts-count") {
            headers[field] = String(parts)
        }
        if includeChecksums { addChecksums(record.checksums, to: &headers) }
        addServerSideEncryption(record.segments, record.metadata, bucket: record.bucket, to: &headers)
        return headers
    }

    /// Refuses a write that asks for server-side encryption other than what Souverain gives (AES256:
    /// its own data key, under the bucket's key, under the master key; or aws:kms: under the bucket's
    /// key or a named key, see `S3Server.requestedEncryption`), or SSE-C mixed with another mode: a
    /// client must never believe a key protects an object when it does not. Returns the algorithm
    /// asked for, nil when none.
    static func checkServerSideEncryptionAlgorithm(_ head: S3RequestHead) throws -> String? {
        if customerKeyHeadersPresent(head, prefix: "x-amz-server-side-encryption-customer-"),
           head.header("x-amz-server-side-encryption") != nil {
            throw S3Error(.invalidArgument, "Server Side Encryption with Customer provided key is incompatible with the encryption method specified.")
        }
        switch head.header("x-amz-server-side-encryption") {
        case nil:
            return nil
        case "AES256":
            return "AES256"
        case "aws:kms":
            return "aws:kms"
        default:
            throw S3Error(.invalidArgument, "The encryption method specified is not supported: Souverain encrypts every object under keys the organisation holds (AES256, or aws:kms with the bucket's key or a named key).")
        }
    }

    static func customerKeyHeadersPresent(_ head: S3RequestHead, prefix: String) -> Bool {
        ["algorithm", "key", "key-md5"].contains { head.header(prefix + $0) != nil }
    }

    /// SSE-C: the key the client sends (`x-amz-server-side-encryption-customer-algorithm`, `-key`,
    /// `-key-MD5`, or the `x-amz-copy-source-` forms), checked as S3 checks it; nil when none.
    static func customerKey(_ head: S3RequestHead, prefix: String = "x-amz-server-side-encryption-customer-") throws -> CustomerKey? {
        guard customerKeyHeadersPresent(head, prefix: prefix) else { return nil }
        guard head.header(prefix + "algorithm") == "AES256" else {
            throw S3Error(.invalidArgument, "The encryption algorithm specified is not valid: SSE-C takes AES256.")
        }
        guard let key = head.header(prefix + "key"), let md5 = head.header(prefix + "key-md5") else {
            throw S3Error(.invalidArgument, "Requests specifying Server Side Encryption with Customer provided keys must provide the key and its MD5.")
        }
        guard let customerKey = CustomerKey(base64Key: key, base64MD5: md5) else {
            throw S3Error(.invalidArgument, "The secret key was invalid for the specified algorithm, or the calculated MD5 hash of the key did not match the hash that was provided.")
        }
        return customerKey
    }

    /// `x-amz-server-side-encryption` (and the key id for `aws:kms`) when every blob of the
    /// object is encrypted; for SSE-C, the algorithm and the key's MD5 instead.
    static func addServerSideEncryption(_ segments: [BlobSegment], _ metadata: ObjectMetadata, bucket: String, to headers: inout HTTPFields) {
        guard !segments.isEmpty, segments.allSatisfy({ $0.encryption != nil }) else { return }
        addServerSideEncryption(metadata, bucket: bucket, to: &headers)
    }

    /// The encryption headers of an object (or upload) whose bytes are all encrypted.
    static func addServerSideEncryption(_ metadata: ObjectMetadata, bucket: String, to headers: inout HTTPFields) {
        if let md5 = metadata.customerKeyMD5 {
            headers[.customerAlgorithm] = "AES256"
            headers[.customerKeyMD5] = md5
            return
        }
        headers[.serverSideEncryption] = metadata.serverSideEncryption ?? "AES256"
        if metadata.serverSideEncryption == "aws:kms" {
            // A named key answers with its ARN, as AWS does; the bucket's key with its alias.
            headers[.serverSideEncryptionKeyID] = metadata.kmsKeyARN ?? "alias/" + bucket
        }
    }

    static func addChecksums(_ checksums: [ChecksumAlgorithm: String], to headers: inout HTTPFields) {
        for (algorithm, value) in checksums.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if let field = HTTPField.Name(algorithm.headerName) { headers[field] = value }
        }
        if !checksums.isEmpty, let field = HTTPField.Name("x-amz-checksum-type") {
            headers[field] = checksums.values.contains(where: { $0.contains("-") }) ? "COMPOSITE" : "FULL_OBJECT"
        }
    }

    /// Element-name keyed checksums for XML results.
    static func xmlChecksums(_ checksums: [ChecksumAlgorithm: String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: checksums.map { ($0.key.xmlElementName, $0.value) })
    }
}

extension HTTPField.Name {
    static let contentDisposition = HTTPField.Name("Content-Disposition")!
    static let contentLanguage = HTTPField.Name("Content-Language")!
    static let serverSideEncryption = HTTPField.Name("x-amz-server-side-encryption")!
    static let serverSideEncryptionKeyID = HTTPField.Name("x-amz-server-side-encryption-aws-kms-key-id")!
    static let customerAlgorithm = HTTPField.Name("x-amz-server-side-encryption-customer-algorithm")!
    static let customerKeyMD5 = HTTPField.Name("x-amz-server-side-encryption-customer-key-MD5")!
}
