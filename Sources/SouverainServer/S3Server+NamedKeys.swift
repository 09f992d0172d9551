import Foundation
import Hummingbird
import HTTPTypes
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

/// Named keys on the S3 side (docs/keys.md, "Named keys"): which key a write is encrypted under
/// (its SSE-KMS headers, else the bucket's default encryption), the grants that allow it, and
/// Get/Put/DeleteBucketEncryption.
extension S3Server {
    /// What a write (PutObject, CopyObject, CreateMultipartUpload) records of its server-side
    /// encryption: `aws:kms` or nil (AES256), and the named key's ARN when a named key wraps its
    /// data keys. Refuses an unknown key (`KMS.NotFoundException`, as AWS), a shredded one, and a
    /// user without the encrypt grant on it (AccessDenied, naming the key, in the trail).
    ///
    /// The request's headers win; without them the bucket's default applies; SSE-C (the client's
    /// own key) ignores the default, as in AWS.
    func requestedEncryption(_ call: S3Call, bucket: String) async throws -> (serverSideEncryption: String?, kmsKeyARN: String?) {
        let algorithm = try ObjectHeaders.checkServerSideEncryptionAlgorithm(call.head)
        let keyHeader = call.header("x-amz-server-side-encryption-aws-kms-key-id").flatMap { $0.isEmpty ? nil : $0 }
        if keyHeader != nil, algorithm != "aws:kms" {
            throw S3Error(.invalidArgument, "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
        }
        switch algorithm {
        case "AES256"?:
            return (nil, nil)
        case "aws:kms"?:
            if let keyHeader {
                do {
                    return try await encryptingUse(of: try await store.resolveNamedKey(keyHeader), call)
                } catch let error as EngineError where error.code == .namedKeyNotFound {
                    // The bucket's own key, by the names it always answered to.
                    if keyHeader == bucket || keyHeader == "alias/" + bucket || keyHeader.hasSuffix(":alias/" + bucket) {
                        return ("aws:kms", nil)
                    }
                    throw error
                }
            }
            if let configured = try await store.bucketEncryption(bucket), configured.algorithm == .kms, let keyID = configured.keyID {
                return try await encryptingUse(of: try await store.resolveNamedKey(keyID), call)
            }
            return ("aws:kms", nil)
        default:
            if ObjectHeaders.customerKeyHeadersPresent(call.head, prefix: "x-amz-server-side-encryption-customer-") {
                return (nil, nil)
            }
            guard let configured = try await store.bucketEncryption(bucket), configured.algorithm == .kms else { return (nil, nil) }
            if let keyID = configured.keyID { return try await encryptingUse(of: try await store.resolveNamedKey(keyID), call) }
            return ("aws:kms", nil)
        }
    }

    private func encryptingUse(of key: NamedKeyRecord, _ call: S3Call) async throws -> (String?, String?) {
        if key.shreddedAt != nil {
            throw S3Error(.kmsInvalidState, "The key alias/\(key.alias) (\(key.id)) was destroyed: nothing can be encrypted under it.")
        }
        guard let user = call.user else {
            throw S3Error(.accessDenied, "Access Denied: an anonymous request cannot encrypt under the key alias/\(key.alias)")
        }
        try await store.authorizeNamedKey(key, user: user, use: .encrypt)
        return ("aws:kms", NamedKeyReference.arn(keyID: key.id, region: store.region))
    }

    /// A part of an upload under a named key is written only by a user who may encrypt with it.
    func authorizeUploadKey(_ upload: UploadRecord, _ call: S3Call) async throws {
        guard let keyID = upload.metadata.namedKeyID else { return }
        try await store.authorizeNamedKey(try await store.resolveNamedKey(keyID), user: call.user!, use: .encrypt)
    }

    // MARK: Bucket default encryption

    /// GetBucketEncryption: the configured default, or SSE-S3 (AES256) when none was set, as AWS
    /// answers since every bucket is encrypted by default.
    func getBucketEncryption(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        var configuration = ServerSideEncryptionConfiguration(algorithm: "AES256")
        if let record = try await store.bucketEncryption(bucket) {
            configuration = ServerSideEncryptionConfiguration(
                algorithm: record.algorithm.rawValue,
                kmsMasterKeyID: record.keyID.map { NamedKeyReference.arn(keyID: $0, region: store.region) },
                bucketKeyEnabled: record.bucketKeyEnabled)
        }
        return Self.xmlResponse(configuration.xml())
    }

    /// PutBucketEncryption: SSE-S3, or SSE-KMS under the bucket's key or a named key, which the
    /// owner setting it must be allowed to encrypt with (or every later write would be refused).
    func putBucketEncryption(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let body = try await collectXML(call, limit: 64 * 1024)
        guard !body.isEmpty else { throw S3Error(.missingRequestBodyError, "Request Body is empty") }
        let configuration = try ServerSideEncryptionConfiguration.parse(body)
        var keyID: String?
        if let text = configuration.kmsMasterKeyID {
            let key = try await store.resolveNamedKey(text)
            _ = try await encryptingUse(of: key, call)
            keyID = key.id
        }
        try await store.setBucketEncryption(BucketEncryptionRecord(
            bucket: bucket, algorithm: configuration.algorithm == "aws:kms" ? .kms : .aes256, keyID: keyID,
            bucketKeyEnabled: configuration.bucketKeyEnabled))
        return Response(status: .ok)
    }

    /// DeleteBucketEncryption: back to the SSE-S3 default.
    func deleteBucketEncryption(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        try await store.deleteBucketEncryption(bucket)
        return Response(status: .noContent)
    }
}
