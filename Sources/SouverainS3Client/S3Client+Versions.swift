import AsyncHTTPClient
import Crypto
public import Foundation
import NIOCore
import NIOHTTP1
import SouverainS3

/// Versioning and Object Lock, as a client: the bucket's versioning status and Object Lock
/// configuration, ListObjectVersions, and the reads, writes and deletes of one version.
extension S3Client {
    /// GetBucketVersioning: `Enabled`, `Suspended`, or nil for a bucket never versioned.
    public func getBucketVersioning(_ bucket: String) async throws -> String? {
        var request = S3Request(operation: "GetBucketVersioning", method: .GET, bucket: bucket)
        request.query = [("versioning", nil)]
        let (xml, _) = try await executeForXML(request, limit: 64 * 1024)
        return xml.string("Status").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// PutBucketVersioning with `Enabled` or `Suspended`.
    public func putBucketVersioning(_ bucket: String, status: String) async throws {
        var request = S3Request(operation: "PutBucketVersioning", method: .PUT, bucket: bucket)
        request.query = [("versioning", nil)]
        request.payload = .bytes(ByteBuffer(string:
            "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>\(XMLWriter.escape(status))</Status></VersioningConfiguration>"))
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
    }

    /// GetObjectLockConfiguration: nil when the bucket has no Object Lock
    /// (`ObjectLockConfigurationNotFoundError`).
    public func getObjectLockConfiguration(_ bucket: String) async throws -> ObjectLockSettings? {
        var request = S3Request(operation: "GetObjectLockConfiguration", method: .GET, bucket: bucket)
        request.query = [("object-lock", nil)]
        let xml: ResponseXML
        do {
            xml = try await executeForXML(request, limit: 64 * 1024).0
        } catch let error as S3ClientError where error.s3Code == "ObjectLockConfigurationNotFoundError" {
            return nil
        }
        guard xml.string("ObjectLockEnabled") == "Enabled" else { return nil }
        guard let retention = xml.first("Rule")?.first("DefaultRetention"), let mode = retention.string("Mode") else {
            return ObjectLockSettings(defaultRetention: nil)
        }
        return ObjectLockSettings(defaultRetention: .init(
            mode: mode, days: retention.string("Days").flatMap { Int($0) }, years: retention.string("Years").flatMap { Int($0) }))
    }

    /// PutObjectLockConfiguration: Object Lock enabled, with `settings`' default retention if any.
    public func putObjectLockConfiguration(_ bucket: String, _ settings: ObjectLockSettings) async throws {
        var request = S3Request(operation: "PutObjectLockConfiguration", method: .PUT, bucket: bucket)
        request.query = [("object-lock", nil)]
        var xml = "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
        if let retention = settings.defaultRetention {
            xml += "<Rule><DefaultRetention><Mode>\(XMLWriter.escape(retention.mode))</Mode>"
            if let days = retention.days { xml += "<Days>\(days)</Days>" }
            if let years = retention.years { xml += "<Years>\(years)</Years>" }
            xml += "</DefaultRetention></Rule>"
        }
        xml += "</ObjectLockConfiguration>"
        request.payload = .bytes(ByteBuffer(string: xml))
        request.headers = [(name: "content-md5", value: Data(Insecure.MD5.hash(data: Array(xml.utf8))).base64EncodedString())]
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
    }

    /// One page of ListObjectVersions: versions and delete markers in the server's order (key
    /// order, each key's newest first). Keys are requested URL-encoded and decoded here. Pass the
    /// page's `nextKeyMarker` and `nextVersionIDMarker` while `isTruncated`.
    public func listObjectVersions(
        bucket: String, prefix: String? = nil, keyMarker: String? = nil, versionIDMarker: String? = nil, maxKeys: Int? = nil
    ) async throws -> ListVersionsPage {
        var request = S3Request(operation: "ListObjectVersions", method: .GET, bucket: bucket)
        request.query = [("versions", nil), ("encoding-type", "url")]
        if let prefix { request.query.append(("prefix", prefix)) }
        if let keyMarker { request.query.append(("key-marker", keyMarker)) }
        if let versionIDMarker { request.query.append(("version-id-marker", versionIDMarker)) }
        if let maxKeys { request.query.append(("max-keys", String(maxKeys))) }
        let (xml, _) = try await executeForXML(request)
        guard let page = ListVersionsPage(xml: xml) else {
            throw S3ClientError(
                code: .invalidResponse, message: "The answer is not a ListVersionsResult document.",
                operation: request.operation, resource: request.resource)
        }
        return page
    }

    /// GetObject of one version (`null` names the null version).
    public func getObject(bucket: String, key: String, versionID: String) async throws -> GetObjectResponse {
        var request = S3Request(operation: "GetObject", method: .GET, bucket: bucket, key: key)
        request.query = [("versionId", versionID)]
        let response = try await execute(request)
        return GetObjectResponse(head: ObjectHead(headers: response.headers), body: ObjectBody(base: response.body, request: request))
    }

    /// HeadObject of one version.
    public func headObject(bucket: String, key: String, versionID: String) async throws -> ObjectHead {
        var request = S3Request(operation: "HeadObject", method: .HEAD, bucket: bucket, key: key)
        request.query = [("versionId", versionID)]
        return ObjectHead(headers: try await execute(request).headers)
    }

    /// DeleteObject, of one version when `versionID` is given; otherwise, on a versioned bucket, a
    /// delete marker is made, whose id the result carries.
    @discardableResult
    public func deleteObject(bucket: String, key: String, versionID: String?) async throws -> DeleteObjectResult {
        var request = S3Request(operation: "DeleteObject", method: .DELETE, bucket: bucket, key: key)
        if let versionID { request.query = [("versionId", versionID)] }
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return DeleteObjectResult(
            versionID: response.headers.first(name: "x-amz-version-id"),
            isDeleteMarker: response.headers.first(name: "x-amz-delete-marker") == "true")
    }
}

/// A bucket's Object Lock configuration, as the wire names it.
public struct ObjectLockSettings: Sendable, Equatable {
    /// A bucket's default retention; also what an export's manifest records (`Codable`).
    public struct DefaultRetention: Codable, Sendable, Equatable {
        /// `GOVERNANCE` or `COMPLIANCE`.
        public var mode: String
        /// Exactly one of `days` and `years`.
        public var days: Int?
        public var years: Int?

        public init(mode: String, days: Int?, years: Int?) {
            self.mode = mode
            self.days = days
            self.years = years
        }
    }

    public var defaultRetention: DefaultRetention?

    public init(defaultRetention: DefaultRetention?) {
        self.defaultRetention = defaultRetention
    }
}

/// What DeleteObject answered.
public struct DeleteObjectResult: Sendable, Equatable {
    /// The version removed, or the delete marker made (`x-amz-version-id`).
    public var versionID: String?
    /// Whether the answer concerns a delete marker (`x-amz-delete-marker: true`).
    public var isDeleteMarker: Bool
}

/// One page of ListObjectVersions.
public struct ListVersionsPage: Sendable {
    /// A version or a delete marker.
    public struct Entry: Sendable, Equatable {
        public var key: String
        /// `null` for the null version.
        public var versionID: String
        public var isLatest: Bool
        public var isDeleteMarker: Bool
        public var lastModified: Date
        /// Without quotes; empty for a delete marker.
        public var etag: String
        public var size: Int64

        public init(key: String, versionID: String, isLatest: Bool, isDeleteMarker: Bool, lastModified: Date, etag: String, size: Int64) {
            self.key = key
            self.versionID = versionID
            self.isLatest = isLatest
            self.isDeleteMarker = isDeleteMarker
            self.lastModified = lastModified
            self.etag = etag
            self.size = size
        }
    }

    /// Versions and delete markers, in the document's order.
    public var entries: [Entry]
    public var isTruncated: Bool
    public var nextKeyMarker: String?
    public var nextVersionIDMarker: String?

    /// Reads a `ListVersionsResult`; nil when the root is another element or an entry is broken.
    init?(xml: ResponseXML) {
        guard xml.name == "ListVersionsResult" else { return nil }
        let encoded = xml.string("EncodingType") == "url"
        func decode(_ value: String) -> String { encoded ? (XMLText.urlDecode(value) ?? value) : value }
        var entries: [Entry] = []
        for child in xml.children where child.name == "Version" || child.name == "DeleteMarker" {
            guard let key = child.string("Key"), let versionID = child.string("VersionId") else { return nil }
            entries.append(Entry(
                key: decode(key), versionID: versionID.isEmpty ? "null" : versionID, isLatest: child.string("IsLatest") == "true",
                isDeleteMarker: child.name == "DeleteMarker",
                lastModified: child.string("LastModified").flatMap(S3Date.parseISO8601) ?? .distantPast,
                etag: ObjectHead.unquoted(child.string("ETag") ?? ""), size: child.string("Size").flatMap { Int64($0) } ?? 0))
        }
        self.entries = entries
        self.isTruncated = xml.string("IsTruncated") == "true"
        self.nextKeyMarker = xml.string("NextKeyMarker").map(decode)
        self.nextVersionIDMarker = xml.string("NextVersionIdMarker")
    }
}

/// The Object Lock state of one version, from the `x-amz-object-lock-*` headers of GET or HEAD.
extension ObjectHead {
    /// `x-amz-object-lock-mode` (`GOVERNANCE` or `COMPLIANCE`), when the version has a retention.
    public var objectLockMode: String? { header("x-amz-object-lock-mode") }
    /// `x-amz-object-lock-retain-until-date`, parsed.
    public var objectLockRetainUntil: Date? { header("x-amz-object-lock-retain-until-date").flatMap(S3Date.parseISO8601) }
    /// `x-amz-object-lock-legal-hold`: `ON` or `OFF`, when the server says.
    public var objectLockLegalHold: String? { header("x-amz-object-lock-legal-hold") }

    /// The first header named `name` (compared case-insensitively).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}
