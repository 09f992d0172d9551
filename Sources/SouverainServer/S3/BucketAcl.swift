import Foundation
import Hummingbird
import HTTPTypes
import SouverainCatalogue
import SouverainEngine
import SouverainS3

/// The group grants of bucket ACLs (docs/access.md): canned ACLs and `uri=` grantees naming
/// AllUsers or AuthenticatedUsers. They count only when the bucket's ownership controls enable
/// ACLs, and only on a bucket whose classification may be public.
extension S3Server {
    /// The group grants a canned bucket ACL stands for; NotImplemented for one with no meaning here.
    static func groupGrants(cannedACL: String) throws -> GroupGrants {
        var groups = GroupGrants()
        switch cannedACL {
        case "private": break
        case "public-read": groups.allUsersRead = true
        case "public-read-write":
            groups.allUsersRead = true
            groups.allUsersWrite = true
        case "authenticated-read": groups.authenticatedRead = true
        default:
            throw S3Error(.notImplemented, "The canned ACL \(cannedACL) is not supported on buckets: use private, public-read, public-read-write or authenticated-read.")
        }
        return groups
    }

    /// Splits an `x-amz-grant-*` value into user grantees (`id=`) and group URIs (`uri=`).
    static func grantees(inHeader value: String) throws -> (ids: [String], uris: [String]) {
        var ids: [String] = [], uris: [String] = []
        for item in value.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            var grantee = pair.count == 2 ? pair[1] : ""
            if grantee.count >= 2, grantee.hasPrefix("\""), grantee.hasSuffix("\"") { grantee = String(grantee.dropFirst().dropLast()) }
            guard pair.count == 2, !grantee.isEmpty else { throw S3Error(.invalidArgument, "Invalid grantee: \(item)") }
            switch pair[0].lowercased() {
            case "id": ids.append(grantee)
            case "uri": uris.append(grantee)
            default:
                throw S3Error(.notImplemented, "Grantees are users (id=ID or id=NAME) or groups (uri=...AllUsers, uri=...AuthenticatedUsers); \(pair[0]) is not supported.")
            }
        }
        return (ids, uris)
    }

    /// Refuses group grants the bucket may not have: ACLs disabled by BucketOwnerEnforced
    /// (AccessControlListNotSupported, as AWS), a classification that forbids public access, or
    /// BlockPublicAcls (AccessDenied, naming the rule).
    func checkGroupGrants(_ groups: GroupGrants, bucket: BucketRecord) async throws {
        guard !groups.isEmpty else { return }
        let rules = BucketAccess(bucket: bucket.name, documents: try await store.catalogueStore.bucketAccessDocuments(bucket: bucket.name))
        guard rules.ownership.aclsEnabled else {
            throw S3Error(.accessControlListNotSupported, "The bucket does not allow ACLs: its ownership controls are BucketOwnerEnforced (PutBucketOwnershipControls with ObjectWriter or BucketOwnerPreferred enables them).")
        }
        if let refusal = access.publicAccessRefusal(classification: store.placement.classification(of: bucket)) {
            throw S3Error(.accessDenied, "Access Denied: this ACL grants public access, and \(refusal)")
        }
        if rules.publicAccessBlock?.blockPublicAcls == true {
            throw S3Error(.accessDenied, "Access Denied: this ACL is public, and the bucket's public access block has BlockPublicAcls set")
        }
    }

    /// The bucket ACL's group grants, for GetBucketAcl.
    func groupGrants(_ bucket: String) async throws -> [AccessControlPolicy.Grant] {
        Self.objectGroupGrants(try await store.catalogueStore.bucketAccessDocuments(bucket: bucket)[.acl])
    }

    /// The ACL an object write asks for (`x-amz-acl` on PutObject, CopyObject,
    /// CreateMultipartUpload), as the stored group grants; nil for a private one. Refused as its
    /// bucket's ACL would be: 400 AccessControlListNotSupported while ACLs are disabled,
    /// AccessDenied naming the rule for a classification that forbids public access or under
    /// BlockPublicAcls. On an object, public-read-write means public-read (there is nothing to
    /// write in an object), as in AWS.
    func requestedObjectACL(_ call: S3Call) async throws -> String? {
        guard let canned = call.header("x-amz-acl"), ACLHeaders.objectGroupCannedACLs.contains(canned) else { return nil }
        var groups = try Self.groupGrants(cannedACL: canned)
        groups.allUsersWrite = false
        try await checkGroupGrants(groups, bucket: call.bucket!)
        return groups.text
    }

    /// The grants of stored group grants, as an ACL shows them.
    static func objectGroupGrants(_ text: String?) -> [AccessControlPolicy.Grant] {
        guard let text else { return [] }
        let groups = GroupGrants(text: text)
        var grants: [AccessControlPolicy.Grant] = []
        if groups.allUsersRead { grants.append(.init(groupURI: GroupGrants.allUsersURI, permission: .read)) }
        if groups.allUsersWrite { grants.append(.init(groupURI: GroupGrants.allUsersURI, permission: .write)) }
        if groups.authenticatedRead { grants.append(.init(groupURI: GroupGrants.authenticatedUsersURI, permission: .read)) }
        if groups.authenticatedWrite { grants.append(.init(groupURI: GroupGrants.authenticatedUsersURI, permission: .write)) }
        return grants
    }
}

extension GroupGrants {
    /// Adds a grant to a group named by its URI; InvalidArgument for another URI.
    mutating func add(_ uri: String, write: Bool) throws {
        switch uri {
        case Self.allUsersURI: if write { allUsersWrite = true } else { allUsersRead = true }
        case Self.authenticatedUsersURI: if write { authenticatedWrite = true } else { authenticatedRead = true }
        default: throw S3Error(.invalidArgument, "Invalid group uri: \(uri) (AllUsers or AuthenticatedUsers)")
        }
    }
}

extension S3Server {
    /// PutObjectAcl: the bucket's owner (or an admin) sets the group grants of one version (the
    /// current one, or `?versionId=`), with `x-amz-acl` (private, public-read, public-read-write
    /// meaning public-read, authenticated-read) or `x-amz-grant-read` / `x-amz-grant-full-control`
    /// naming the AllUsers or AuthenticatedUsers group. Checked as any public ACL is; grants to
    /// single users on objects, and AccessControlPolicy bodies, are not kept: NotImplemented.
    func putObjectAcl(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        var groups = GroupGrants()
        var given = false
        if let canned = call.header("x-amz-acl") {
            if canned != "private", canned != "bucket-owner-full-control" {
                guard ACLHeaders.objectGroupCannedACLs.contains(canned) else {
                    throw S3Error(.notImplemented, "The canned ACL \(canned) is not supported on objects: use private, public-read or authenticated-read.")
                }
                groups = try Self.groupGrants(cannedACL: canned)
            }
            given = true
        }
        for header in ["x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp"] where call.header(header) != nil {
            throw S3Error(.notImplemented, "\(header) is not supported on objects: only the bucket's owner and admins write objects' ACLs.")
        }
        for header in ["x-amz-grant-read", "x-amz-grant-full-control"] {
            guard let value = call.header(header) else { continue }
            given = true
            let (ids, uris) = try Self.grantees(inHeader: value)
            guard ids.isEmpty else {
                throw S3Error(.notImplemented, "Object grants to single users are not kept: grant them the bucket (PutBucketAcl) or name them in a bucket policy.")
            }
            for uri in uris { try groups.add(uri, write: false) }
        }
        guard try await collectXML(call, limit: 64 * 1024).isEmpty else {
            throw S3Error(.notImplemented, "An AccessControlPolicy body is not supported on objects: send x-amz-acl or x-amz-grant-read with a group uri.")
        }
        guard given else { throw S3Error(.missingSecurityHeader, "PutObjectAcl needs x-amz-acl or x-amz-grant-read.") }
        groups.allUsersWrite = false
        groups.authenticatedWrite = false
        try await checkGroupGrants(groups, bucket: call.bucket!)
        let versionID: String?
        switch call.queryParameters["versionId"] {
        case nil: versionID = try await store.object(bucket: bucket, key: key).versionID
        case "null"?: versionID = nil
        case let id?: versionID = id
        }
        let updated: ObjectRecord?
        do {
            updated = try await store.catalogueStore.setObjectACL(bucket: bucket, key: key, versionID: versionID, acl: groups.isEmpty ? nil : groups.text)
        } catch let error as CatalogueError where error.code == .isDeleteMarker {
            throw S3Error(.methodNotAllowed, "The specified method is not allowed against this resource.", resource: key)
        }
        guard let updated else {
            throw call.queryParameters["versionId"] == nil
                ? S3Error(.noSuchKey, "The specified key does not exist.", resource: key)
                : S3Error(.noSuchVersion, "The specified version does not exist.", resource: key)
        }
        call.versionID = updated.versionID
        call.detail = "object ACL: " + (groups.isEmpty ? "private" : groups.text)
        var headers = HTTPFields()
        if let id = updated.versionID { headers[.amzVersionID] = id }
        return Response(status: .ok, headers: headers)
    }
}
