import Foundation
import Hummingbird
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainPolicy
import SouverainS3

/// Authorisation of an S3 request (docs/access.md), in AWS's order: an explicit Deny in the
/// bucket policy wins over everything; then an Allow from the owner-or-admin rule, a grant, a
/// policy statement or an ACL group grant; else the request is refused (implicit deny). Public
/// access (anonymous callers) is only ever served on a bucket whose classification allows it.
extension S3Server {
    /// The operations an unsigned request may ask for, when a policy or ACL allows it: reads,
    /// listings and simple writes. Everything else (multipart uploads, configuration, copies)
    /// needs credentials, whatever a policy says.
    static func anonymousMayAsk(_ operation: S3Operation) -> Bool {
        switch operation {
        case .headBucket, .getBucketLocation, .listObjectsV1, .listObjectsV2, .getObject, .headObject, .getObjectAttributes,
             .getObjectTagging, .putObject, .deleteObject, .deleteObjects:
            true
        default:
            false
        }
    }

    static let anonymousRefusal = "Anonymous access is not allowed: sign the request with an access key."

    /// The one permission check: sets `call.bucket` when the operation addresses one.
    func authorize(_ operation: S3Operation, user: User?, _ call: inout S3Call) async throws {
        call.sourceAddress = access.sourceAddress(peer: call.remoteAddress, forwardedFor: call.header("x-forwarded-for"))
        guard let bucket = operation.bucket, let level = Self.accessLevel(operation.requiredPermission) else {
            // ListBuckets, CreateBucket and the unimplemented operations: any signed caller (a
            // role's session: what its permission policy allows).
            guard user != nil else { throw S3Error(.accessDenied, Self.anonymousRefusal) }
            try authorizeRoleSession(
                action: operation.iamAction ?? "s3:" + operation.name,
                resource: operation.bucket.map { PolicyRequest.arn(bucket: $0) } ?? "arn:aws:s3:::*", call)
            return
        }
        guard user != nil || Self.anonymousMayAsk(operation) else { throw S3Error(.accessDenied, Self.anonymousRefusal) }
        // DeleteObjects names its keys in its body: each is checked by its handler.
        let key: String? = operation.key
        let action = operation.iamAction ?? "s3:" + operation.name
        call.bucket = try await authorize(
            user: user, bucket: bucket, key: key, action: action, level: level,
            managesPolicy: { if case .bucketAccess(let managed, _) = operation { return managed.managesPolicy } else { return false } }(),
            perKey: operation == .deleteObjects(bucket: bucket), call)
    }

    /// Decides one (caller, action, resource): returns the bucket when allowed; throws
    /// NoSuchBucket (to a signed caller; AccessDenied to an anonymous one, who learns nothing of
    /// which buckets exist) or AccessDenied. `perKey`: the resource is checked later, key by key,
    /// so only the bucket's existence and the caller's standing are checked here.
    func authorize(
        user: User?, bucket name: String, key: String?, action: String, level: AccessLevel, managesPolicy: Bool = false,
        perKey: Bool = false, record: BucketRecord? = nil, _ call: S3Call
    ) async throws -> BucketRecord {
        var found = record
        if found == nil { found = try await store.catalogueStore.bucket(named: name) }
        guard let bucket = found else {
            throw user == nil ? S3Error(.accessDenied, "Access Denied") : S3Error(.noSuchBucket, "The specified bucket does not exist")
        }
        let isOwner = user.map { $0.role == .admin || bucket.owner == $0.id } ?? false
        let rules = try await accessCache.access(bucket: name, catalogue: store.catalogueStore)
        // A role's session: each key of DeleteObjects is checked against its permission policy.
        if perKey, call.session?.permissions != nil { return bucket }
        if perKey {
            // Only where something could allow some key at all: the owner, a write grant, a
            // policy, an ACL group grant; each key is then decided on its own.
            if isOwner || rules.policy != nil || rules.groupGrants.allUsersWrite || (user != nil && rules.groupGrants.authenticatedWrite) {
                return bucket
            }
            if let user, try await store.catalogueStore.grant(bucket: name, userID: user.id)?.allowsWrite == true { return bucket }
            throw S3Error(.accessDenied, "Access Denied")
        }
        // The request context is built only for a bucket with a policy: the common case costs nothing.
        let decision = rules.policy.map { $0.evaluate(policyRequest(user: user, action: action, bucket: name, key: key, call)) }
            ?? .notApplicable
        if rules.policyUnreadable, !isOwner {
            throw S3Error(.accessDenied, "Access Denied: the bucket's policy cannot be read; its owner must set it again")
        }
        if case .deny(let sid) = decision, !(managesPolicy && isOwner) {
            throw S3Error(.accessDenied, "Access Denied: explicitly denied by the bucket policy" + (sid.map { " (statement \($0))" } ?? ""))
        }
        if call.session?.permissions != nil {
            // A role's session may do what its permission policy allows and no bucket policy denies
            // (checked above), whoever owns the bucket; grants and ACLs add nothing (docs/sts.md).
            let request = policyRequest(user: user, action: action, bucket: name, key: key, call)
            try authorizeRoleSession(action: action, resource: request.resource, call) { $0 = request }
            return bucket
        }
        if isOwner { return bucket }
        if let user {
            try store.authorizeS3(user)
            if level != .owner, let grant = try await store.catalogueStore.grant(bucket: name, userID: user.id),
               level == .read || grant.allowsWrite {
                return bucket
            }
        }
        // Bucket configuration stays with its owner and admins, whatever a policy or ACL grants.
        guard level != .owner else { throw S3Error(.accessDenied, "Access Denied") }
        let publicRefusal = access.publicAccessRefusal(classification: store.placement.classification(of: bucket))
        if case .allow = decision {
            let restricted = (rules.publicAccessBlock?.restrictPublicBuckets ?? false) && rules.policy?.isPublic == true
            if user != nil || (publicRefusal == nil && !restricted) { return bucket }
        }
        if aclAllows(rules, user: user, key: key, level: level, publicRefusal: publicRefusal) { return bucket }
        if let key, action == "s3:GetObject",
           try await objectACLAllows(rules, user: user, bucket: name, key: key, publicRefusal: publicRefusal, call) {
            return bucket
        }
        throw S3Error(.accessDenied, "Access Denied")
    }

    /// Whether the ACL of the object version asked for grants its reading to a group the caller
    /// belongs to (ACLs enabled, public access allowed and not ignored).
    func objectACLAllows(_ rules: BucketAccess, user: User?, bucket: String, key: String, publicRefusal: String?, _ call: S3Call) async throws -> Bool {
        guard rules.ownership.aclsEnabled, publicRefusal == nil, rules.publicAccessBlock?.ignorePublicAcls != true else { return false }
        let catalogue = store.catalogueStore
        let entry = switch call.queryParameters["versionId"] {
        case nil: try await catalogue.latestVersion(bucket: bucket, key: key)
        case "null"?: try await catalogue.version(bucket: bucket, key: key, versionID: nil)
        case let id?: try await catalogue.version(bucket: bucket, key: key, versionID: id)
        }
        guard let text = entry?.object?.metadata.acl else { return false }
        let groups = GroupGrants(text: text)
        return groups.allUsersRead || (user != nil && groups.authenticatedRead)
    }

    /// Whether the bucket ACL's group grants allow the request. A bucket ACL's READ lets its
    /// grantees list the bucket, WRITE lets them write and delete objects (AWS's meaning); reading
    /// an object needs a policy (object ACLs are not kept).
    func aclAllows(_ rules: BucketAccess, user: User?, key: String?, level: AccessLevel, publicRefusal: String?) -> Bool {
        guard rules.ownership.aclsEnabled, !rules.groupGrants.isEmpty else { return false }
        if publicRefusal != nil || rules.publicAccessBlock?.ignorePublicAcls == true { return false }
        let grants = rules.groupGrants
        let read = grants.allUsersRead || (user != nil && grants.authenticatedRead)
        let write = grants.allUsersWrite || (user != nil && grants.authenticatedWrite)
        switch level {
        case .read: return key == nil && read
        case .write: return write
        case .owner: return false
        }
    }

    /// Checks one key of DeleteObjects against the policy and grants (the bucket already found).
    func authorizeKey(_ key: String, action: String, level: AccessLevel, _ call: S3Call) async throws {
        guard let bucket = call.bucket else { return }
        _ = try await authorize(user: call.user, bucket: bucket.name, key: key, action: action, level: level, record: bucket, call)
    }

    /// The policy's view of the request: who, what, which resource, and the condition keys.
    func policyRequest(user: User?, action: String, bucket: String, key: String?, _ call: S3Call) -> PolicyRequest {
        let identity: PolicyIdentity = user.map { .user(id: $0.id, name: $0.name) } ?? .anonymous
        var request = PolicyRequest(
            identity: identity, action: action, resource: PolicyRequest.arn(bucket: bucket, key: key),
            sourceIP: call.sourceAddress ?? call.remoteAddress,
            secureTransport: access.secureTransport(peer: call.remoteAddress, forwardedProto: call.header("x-forwarded-proto")),
            now: Date())
        let query = call.queryParameters
        if key == nil {
            request.set("s3:prefix", query["prefix"])
            request.set("s3:delimiter", query["delimiter"])
            request.set("s3:max-keys", query["max-keys"])
        } else {
            request.set("s3:VersionId", query["versionId"])
        }
        for header in ["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-acl",
                       "x-amz-copy-source", "x-amz-metadata-directive", "x-amz-storage-class"] {
            request.set("s3:" + header, call.header(header))
        }
        request.set("aws:Referer", call.header("referer"))
        request.set("aws:UserAgent", call.header("user-agent"))
        return request
    }
}
