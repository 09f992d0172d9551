import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainS3

/// A bucket's tags, website configuration, logging, notifications, request payment, transfer
/// acceleration and replication (BucketConfigurationOperation, docs/s3-compatibility.md). Only the
/// bucket's owner and admins reach these handlers (`requiredPermission` is `.owner`; a bucket
/// policy may deny them by IAM action, never grant them to others).
extension S3Server {
    /// Most tags a bucket may carry (S3's limit; an object carries 10).
    static let bucketTagLimit = 50

    func bucketConfiguration(_ operation: BucketConfigurationOperation, _ bucket: String, _ call: inout S3Call) async throws -> Response {
        switch operation {
        case .getBucketTagging:
            guard let text = try await document(bucket, .tagging),
                  let tags = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)), !tags.isEmpty
            else {
                throw S3Error(.noSuchTagSet, "The TagSet does not exist", resource: bucket, extra: [("BucketName", bucket)])
            }
            return Self.xmlResponse(TaggingXML.xml(tags))
        case .putBucketTagging:
            let tags = try TaggingXML.parse(try await collectXML(call, limit: 64 * 1024), limit: Self.bucketTagLimit)
            let text = tags.isEmpty ? nil : String(decoding: try JSONEncoder().encode(tags), as: UTF8.self)
            try await setDocument(bucket, .tagging, text)
            call.detail = tags.isEmpty ? "bucket tags removed" : "bucket tags set: " + Self.abbreviatedDetail(tags.keys.sorted().joined(separator: ", "))
            return Response(status: .noContent)
        case .deleteBucketTagging:
            try await setDocument(bucket, .tagging, nil)
            call.detail = "bucket tags removed"
            return Response(status: .noContent)

        case .getBucketWebsite:
            guard let text = try await document(bucket, .website),
                  let website = try? JSONDecoder().decode(WebsiteConfiguration.self, from: Data(text.utf8))
            else {
                throw S3Error(.noSuchWebsiteConfiguration, "The specified bucket does not have a website configuration",
                              resource: bucket, extra: [("BucketName", bucket)])
            }
            return Self.xmlResponse(website.xml())
        case .putBucketWebsite:
            let website = try WebsiteConfiguration.parse(try await collectXML(call, limit: 64 * 1024))
            try await setDocument(bucket, .website, String(decoding: try JSONEncoder().encode(website), as: UTF8.self))
            call.detail = website.redirectAllRequestsTo.map { "website: every request redirected to \($0.hostName ?? "")" }
                ?? "website: index \(website.indexSuffix ?? ""), \(website.routingRules.count) routing rule(s)"
            return Response(status: .ok)
        case .deleteBucketWebsite:
            try await setDocument(bucket, .website, nil)
            return Response(status: .noContent)

        case .getBucketLogging:
            return Self.xmlResponse(FixedBucketConfigurations.loggingStatus())
        case .putBucketLogging:
            guard try !FixedBucketConfigurations.enablesLogging(try await collectXML(call, limit: 64 * 1024)) else {
                throw S3Error(.notImplemented, "Server access logs are not delivered to a bucket: every request, refused ones included, is already in the tamper-evident audit trail (souverain audit query and export, docs/audit.md).")
            }
            return Response(status: .ok)

        case .getBucketNotificationConfiguration:
            return Self.xmlResponse(FixedBucketConfigurations.notificationConfiguration())
        case .putBucketNotificationConfiguration:
            let destinations = try FixedBucketConfigurations.notificationDestinations(try await collectXML(call, limit: 256 * 1024))
            guard destinations.isEmpty else {
                throw S3Error(.notImplemented, "Event notifications (\(destinations.first!)) are not sent by Souverain: it has no event destinations. The audit trail records every change (docs/audit.md).")
            }
            return Response(status: .ok)

        case .getBucketRequestPayment:
            return Self.xmlResponse(FixedBucketConfigurations.requestPayment(.bucketOwner))
        case .putBucketRequestPayment:
            guard try FixedBucketConfigurations.payer(try await collectXML(call, limit: 16 * 1024)) == .bucketOwner else {
                throw S3Error(.notImplemented, "Requester Pays is not available: Souverain bills no one, so the bucket owner pays for every request.")
            }
            return Response(status: .ok)

        case .getBucketAccelerateConfiguration:
            let status = try await document(bucket, .accelerate).flatMap(FixedBucketConfigurations.AccelerateStatus.init(rawValue:))
            return Self.xmlResponse(FixedBucketConfigurations.accelerateConfiguration(status))
        case .putBucketAccelerateConfiguration:
            let status = try FixedBucketConfigurations.accelerateStatus(try await collectXML(call, limit: 16 * 1024))
            guard status == .suspended else {
                throw S3Error(.notImplemented, "Transfer acceleration is not available: Souverain has no edge endpoints; clients reach it directly.")
            }
            try await setDocument(bucket, .accelerate, status.rawValue)
            return Response(status: .ok)

        case .getBucketReplication:
            throw S3Error(.replicationConfigurationNotFoundError, "The replication configuration was not found",
                          resource: bucket, extra: [("BucketName", bucket)])
        case .putBucketReplication:
            throw S3Error(.notImplemented, "S3 bucket replication is not configured per bucket here: the bucket's classification and placement decide its replicas and the locations that hold them (docs/replicas.md, docs/placement.md).")
        case .deleteBucketReplication:
            return Response(status: .noContent)
        }
    }

    private func document(_ bucket: String, _ kind: BucketAccessDocument) async throws -> String? {
        try await store.catalogueStore.bucketAccessDocuments(bucket: bucket)[kind]
    }

    /// A trail detail cut at 200 characters (tag keys can be many and long).
    static func abbreviatedDetail(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
