import Foundation
import Hummingbird
import HTTPTypes
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

/// Versioning and Object Lock: PutBucketVersioning, ListObjectVersions, the bucket's Object Lock
/// configuration, and the retention and legal hold of one version (docs/versioning.md,
/// docs/object-lock.md).
extension S3Server {
    func putBucketVersioning(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let status = try VersioningRequest.parse(try await collectXML(call, limit: 64 * 1024))
        try await store.setVersioning(bucket: call.bucket!, status == .enabled ? .enabled : .suspended)
        return Response(status: .ok)
    }

    func listObjectVersions(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let query = call.queryParameters
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"] ?? ""
        let keyMarker = query["key-marker"] ?? ""
        let versionIDMarker = query["version-id-marker"] ?? ""
        var maxKeys = 1000
        if let raw = query["max-keys"] {
            guard let value = Int(raw), value >= 0 else {
                throw S3Error(.invalidArgument, "Provided max-keys not an integer or within integer range",
                              extra: [("ArgumentName", "max-keys"), ("ArgumentValue", raw)])
            }
            maxKeys = min(value, 1000)
        }
        if !versionIDMarker.isEmpty && keyMarker.isEmpty {
            throw S3Error(.invalidArgument, "A version-id marker cannot be specified without a key marker.",
                          extra: [("ArgumentName", "version-id-marker"), ("ArgumentValue", versionIDMarker)])
        }
        let urlEncode: Bool
        switch query["encoding-type"] {
        case nil: urlEncode = false
        case "url"?: urlEncode = true
        case let other?:
            throw S3Error(.invalidArgument, "Invalid Encoding Method specified in Request",
                          extra: [("ArgumentName", "encoding-type"), ("ArgumentValue", other)])
        }
        let position = keyMarker.isEmpty ? nil : VersionListPosition(key: keyMarker, versionID: versionIDMarker.isEmpty ? nil : versionIDMarker)
        let page = try await store.listVersions(bucket: bucket, prefix: prefix, delimiter: delimiter, after: position, maxKeys: maxKeys)
        let owner = try await self.owner(id: call.bucket!.owner)
        let result = ListVersionsResult(
            name: bucket, prefix: prefix, keyMarker: keyMarker, versionIDMarker: versionIDMarker, maxKeys: maxKeys,
            delimiter: delimiter, isTruncated: page.isTruncated, nextKeyMarker: page.next?.key,
            nextVersionIDMarker: page.next.map { $0.versionID ?? "" }.flatMap { $0.isEmpty ? nil : $0 },
            entries: page.entries.map {
                .init(key: $0.key, versionID: $0.wireVersionID, isLatest: $0.isLatest, lastModified: $0.lastModified,
                      etag: $0.object?.etag, size: $0.object?.size ?? 0, owner: owner)
            },
            commonPrefixes: page.commonPrefixes, urlEncodeKeys: urlEncode)
        return Self.xmlResponse(result.xml())
    }

    // MARK: - Object Lock configuration

    func getObjectLockConfiguration(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        guard let configuration = call.bucket!.objectLock else {
            throw S3Error(.objectLockConfigurationNotFoundError, "Object Lock configuration does not exist for this bucket",
                          extra: [("BucketName", bucket)])
        }
        let retention = configuration.defaultRetention
        return Self.xmlResponse(ObjectLockConfigurationXML(
            mode: retention.map { ObjectLockMode(rawValue: $0.mode.rawValue)! }, days: retention?.days, years: retention?.years).xml())
    }

    func putObjectLockConfiguration(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let parsed = try ObjectLockConfigurationXML.parse(try await collectXML(call, limit: 64 * 1024))
        let retention = parsed.mode.map {
            ObjectLockConfiguration.DefaultRetention(mode: RetentionMode(rawValue: $0.rawValue)!, days: parsed.days, years: parsed.years)
        }
        try await store.setObjectLock(bucket: call.bucket!, ObjectLockConfiguration(defaultRetention: retention))
        return Response(status: .ok)
    }

    // MARK: - Retention and legal hold

    func getObjectRetention(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        guard call.bucket!.objectLock != nil else {
            throw S3Error(.invalidRequest, "Bucket is missing Object Lock Configuration")
        }
        let record = try await store.objectVersion(bucket: bucket, key: key, versionID: call.queryParameters["versionId"])
        call.versionID = record.versionID ?? "null"
        guard let retention = record.retention else {
            throw S3Error(.noSuchObjectLockConfiguration, "The specified object does not have a ObjectLock configuration")
        }
        return Self.xmlResponse(RetentionXML(mode: ObjectLockMode(rawValue: retention.mode.rawValue), retainUntil: retention.retainUntil).xml())
    }

    func putObjectRetention(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        let parsed = try RetentionXML.parse(try await collectXML(call, limit: 64 * 1024))
        let retention = parsed.mode.map { ObjectRetention(mode: RetentionMode(rawValue: $0.rawValue)!, retainUntil: parsed.retainUntil!) }
        let bypass = governanceBypass(call)
        let versionID = call.queryParameters["versionId"]
        call.versionID = versionID
        let record = try await store.putRetention(
            bucket: call.bucket!, key: key, versionID: versionID, retention: retention, bypassGovernance: bypass)
        call.versionID = record.versionID ?? "null"
        return Response(status: .ok)
    }

    func getObjectLegalHold(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        guard call.bucket!.objectLock != nil else {
            throw S3Error(.invalidRequest, "Bucket is missing Object Lock Configuration")
        }
        let record = try await store.objectVersion(bucket: bucket, key: key, versionID: call.queryParameters["versionId"])
        call.versionID = record.versionID ?? "null"
        return Self.xmlResponse(LegalHoldXML.xml(on: record.legalHold))
    }

    func putObjectLegalHold(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        let on = try LegalHoldXML.parse(try await collectXML(call, limit: 64 * 1024))
        let versionID = call.queryParameters["versionId"]
        call.versionID = versionID
        let record = try await store.putLegalHold(bucket: call.bucket!, key: key, versionID: versionID, on: on)
        call.versionID = record.versionID ?? "null"
        return Response(status: .ok)
    }

    /// A refusal inside a request that answers success (one key of a DeleteObjects): its own
    /// record in the trail, with the bucket, key and version it concerned. Throws when it cannot be
    /// recorded, so that the request is not acknowledged without it.
    func recordRefusal(_ call: S3Call, key: String, versionID: String?, reason: String) async throws {
        guard let audit else { return }
        var event = event(for: call, status: 403, errorCode: "AccessDenied", audit: audit)
        event.key = key
        event.version = versionID
        event.status = 403
        event.errorCode = S3ErrorCode.accessDenied.name
        event.detail = reason.count > 200 ? String(reason.prefix(200)) + "…" : reason
        event.locations = []
        try await audit.record(event)
    }

    /// Whether the request bypasses GOVERNANCE retention: asked with the header by the bucket's
    /// owner or an admin.
    func governanceBypass(_ call: S3Call) -> Bool {
        guard ObjectHeaders.bypassesGovernance(call.head) else { return false }
        // As AWS without s3:BypassGovernanceRetention: the header is ignored, so a GOVERNANCE
        // retention stands and the request is refused if it meets one.
        guard let user = call.user else { return false }
        return store.mayBypassGovernance(user, bucket: call.bucket!)
    }
}
