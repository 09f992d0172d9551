import Foundation
import Hummingbird
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

/// `GET /_souverain/buckets`: every bucket with its owner, classification and grants.
struct BucketListAnswer: Codable {
    struct Bucket: Codable {
        var name: String
        /// The owner's name; an owner that no longer exists shows as recorded (its id, or `orphaned:NAME`).
        var owner: String
        /// The bucket's classification, or the server's default for a bucket created without one.
        var classification: String
        var grants: [BucketGrantAnswer]
    }

    var buckets: [Bucket]
}

/// One grant: `access` is `read` or `read-write`.
struct BucketGrantAnswer: Codable {
    var user: String
    var access: String
}

/// `POST /_souverain/buckets/grant`: `{"bucket", "user", "access"}`; the answer is the grant.
struct GrantBucketRequest: Codable {
    var bucket: String
    var user: String
    var access: String
}

/// `POST /_souverain/buckets/revoke`: `{"bucket", "user"}`.
struct RevokeBucketRequest: Codable {
    var bucket: String
    var user: String
}

/// Buckets' owners and grants through the admin API (admins only), with the rules of
/// `souverain bucket grant|revoke` (`UserAdministration`).
extension S3Server {
    func listBucketGrants(_ call: inout S3Call) async throws -> Response {
        call.operationName = "ListBucketGrants"
        let buckets = try await UserAdministration(catalogue: store.catalogueStore).bucketGrants().map { entry in
            BucketListAnswer.Bucket(
                name: entry.bucket.name, owner: entry.owner?.name ?? entry.bucket.owner,
                classification: store.placement.classification(of: entry.bucket),
                grants: entry.grants.map { BucketGrantAnswer(user: $0.user?.name ?? $0.grant.userID, access: $0.grant.permission.rawValue) })
        }
        return try AdminJSON.response(BucketListAnswer(buckets: buckets), call: &call)
    }

    func grantBucket(_ call: inout S3Call) async throws -> Response {
        call.operationName = "GrantBucket"
        let request = try await AdminJSON.body(GrantBucketRequest.self, &call, expected: #"{"bucket": B, "user": U, "access": "read"|"read-write"}"#)
        call.adminBucket = request.bucket
        guard let permission = BucketPermission(rawValue: request.access) else {
            throw S3Error(.invalidArgument, "access must be read or read-write.")
        }
        let grantee = try await UserAdministration(catalogue: store.catalogueStore).grant(bucket: request.bucket, to: request.user, permission)
        call.detail = "granted \(permission.rawValue) to \(grantee.name) (id \(grantee.id))"
        return try AdminJSON.response(GrantBucketRequest(bucket: request.bucket, user: grantee.name, access: permission.rawValue), call: &call)
    }

    func revokeBucket(_ call: inout S3Call) async throws -> Response {
        call.operationName = "RevokeBucket"
        let request = try await AdminJSON.body(RevokeBucketRequest.self, &call, expected: #"{"bucket": B, "user": U}"#)
        call.adminBucket = request.bucket
        let former = try await UserAdministration(catalogue: store.catalogueStore).revoke(bucket: request.bucket, from: request.user)
        call.detail = "revoked \(former.name) (id \(former.id))"
        return AdminJSON.noContent()
    }
}
