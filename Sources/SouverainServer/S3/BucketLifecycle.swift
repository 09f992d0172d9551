import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SouverainEngine
import SouverainModel
import SouverainS3

/// Put/Get/DeleteBucketLifecycleConfiguration (`?lifecycle`), for the bucket's owner (and admins).
/// The configuration is validated as S3 validates it (`LifecycleConfiguration.parse`), stored in
/// the catalogue, and written in the audit record of the request that set or deleted it.
extension S3Server {
    /// The largest configuration body accepted: 1000 rules with long prefixes and tags fit.
    static let maximumLifecycleBody = 1024 * 1024
    /// The longest configuration the audit record carries in full; a longer one is recorded by its
    /// SHA-256 and its beginning.
    static let maximumLifecycleDetail = 8 * 1024

    func putBucketLifecycleConfiguration(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let body = try await collectXML(call, limit: Self.maximumLifecycleBody)
        guard !body.isEmpty else { throw S3Error(.missingRequestBodyError, "Request Body is empty.") }
        let configuration = try LifecycleConfiguration.parse(body, makeID: Self.lifecycleRuleID)
        try await store.setLifecycleConfiguration(bucket: bucket, configuration)
        call.detail = Self.lifecycleDetail(configuration)
        return Response(status: .ok)
    }

    func getBucketLifecycleConfiguration(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        guard let configuration = try await store.lifecycleConfiguration(bucket: bucket) else {
            throw S3Error(.noSuchLifecycleConfiguration, "The lifecycle configuration does not exist", resource: bucket,
                          extra: [("BucketName", bucket)])
        }
        let xml = configuration.xml()
        call.bytesOut = Int64(xml.utf8.count)
        return Self.xmlResponse(xml)
    }

    func deleteBucketLifecycle(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let had = try await store.lifecycleConfiguration(bucket: bucket) != nil
        try await store.setLifecycleConfiguration(bucket: bucket, nil)
        call.detail = had ? "lifecycle configuration deleted" : "no lifecycle configuration to delete"
        return Response(status: .noContent)
    }

    /// What S3 does for a rule sent without an ID: a random one.
    static func lifecycleRuleID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The configuration set, as the trail records it: its XML, whole when short enough.
    static func lifecycleDetail(_ configuration: LifecycleConfiguration) -> String {
        let xml = configuration.xml()
        let document = xml.firstIndex(of: "\n").map { String(xml[xml.index(after: $0)...]) } ?? xml
        let summary = "lifecycle configuration set (\(configuration.rules.count) rule(s)): "
        guard document.utf8.count > maximumLifecycleDetail else { return summary + document }
        let digest = SHA256.hash(data: Data(xml.utf8)).map { String(format: "%02x", $0) }.joined()
        return summary + "SHA-256 \(digest) of \(xml.utf8.count) bytes, beginning " + String(document.prefix(maximumLifecycleDetail)) + "…"
    }
}
