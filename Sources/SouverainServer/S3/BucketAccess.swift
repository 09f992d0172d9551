import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainPolicy
import SouverainS3

/// Bucket policies, public access blocks and ownership controls (docs/access.md). Only the
/// bucket's owner and admins reach these handlers (`requiredPermission` is `.owner`).
extension S3Server {
    func bucketAccess(_ operation: BucketAccessOperation, _ bucket: String, _ call: inout S3Call) async throws -> Response {
        let catalogue = store.catalogueStore
        let documents = try await catalogue.bucketAccessDocuments(bucket: bucket)
        switch operation {
        case .getBucketPolicy:
            guard let text = documents[.policy] else {
                throw S3Error(.noSuchBucketPolicy, "The bucket policy does not exist", resource: bucket, extra: [("BucketName", bucket)])
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        case .putBucketPolicy:
            let text = try await policyText(call)
            let policy = try await validatePolicy(text, bucket: call.bucket!, documents: documents)
            try await setDocument(bucket, .policy, text)
            call.detail = "policy set: \(policy.statements.count) statement(s)" + (policy.allowsAnonymous ? ", anonymous access allowed" : "")
            return Response(status: .noContent)
        case .deleteBucketPolicy:
            try await setDocument(bucket, .policy, nil)
            return Response(status: .noContent)
        case .getBucketPolicyStatus:
            guard let text = documents[.policy] else {
                throw S3Error(.noSuchBucketPolicy, "The bucket policy does not exist", resource: bucket, extra: [("BucketName", bucket)])
            }
            let policy = try? BucketPolicy.parse(text, bucket: bucket)
            return Self.xmlResponse(PolicyStatus(isPublic: policy?.isPublic ?? false).xml())
        case .getPublicAccessBlock:
            let access = BucketAccess(bucket: bucket, documents: documents)
            guard let block = access.publicAccessBlock else {
                throw S3Error(.noSuchPublicAccessBlockConfiguration, "The public access block configuration was not found",
                              resource: bucket, extra: [("BucketName", bucket)])
            }
            return Self.xmlResponse(block.xml())
        case .putPublicAccessBlock:
            let block = try PublicAccessBlockConfiguration.parse(try await collectXML(call, limit: 16 * 1024))
            try await setDocument(bucket, .publicAccessBlock, String(decoding: try JSONEncoder().encode(block), as: UTF8.self))
            call.detail = "public access block: BlockPublicAcls=\(block.blockPublicAcls) IgnorePublicAcls=\(block.ignorePublicAcls) BlockPublicPolicy=\(block.blockPublicPolicy) RestrictPublicBuckets=\(block.restrictPublicBuckets)"
            return Response(status: .ok)
        case .deletePublicAccessBlock:
            try await setDocument(bucket, .publicAccessBlock, nil)
            return Response(status: .noContent)
        case .getBucketOwnershipControls:
            // No document: the default, BucketOwnerEnforced; "none": deleted (ACLs count, as ObjectWriter).
            guard documents[.ownershipControls] != Self.ownershipDeleted else {
                throw S3Error(.ownershipControlsNotFoundError, "The bucket ownership controls were not found",
                              resource: bucket, extra: [("BucketName", bucket)])
            }
            return Self.xmlResponse(BucketAccess(bucket: bucket, documents: documents).ownership.xml())
        case .putBucketOwnershipControls:
            let ownership = try ObjectOwnership.parse(try await collectXML(call, limit: 16 * 1024))
            if !ownership.aclsEnabled, BucketAccess(bucket: bucket, documents: documents).groupGrants.isPublic {
                throw S3Error(.invalidBucketAclWithObjectOwnership,
                              "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting: set the bucket ACL to private first.")
            }
            try await setDocument(bucket, .ownershipControls, ownership.rawValue)
            call.detail = "object ownership: \(ownership.rawValue)"
            return Response(status: .ok)
        case .deleteBucketOwnershipControls:
            try await setDocument(bucket, .ownershipControls, Self.ownershipDeleted)
            return Response(status: .noContent)
        case .getBucketCors, .putBucketCors, .deleteBucketCors:
            return try await bucketCors(operation, bucket, documents: documents, &call)
        }
    }

    /// The stored ownership document of a bucket whose ownership controls were deleted.
    static let ownershipDeleted = "none"

    func setDocument(_ bucket: String, _ kind: BucketAccessDocument, _ text: String?) async throws {
        try await store.catalogueStore.setBucketAccessDocument(bucket: bucket, kind: kind, text)
        accessCache.invalidate(bucket)
    }

    /// The policy document of a PutBucketPolicy, as UTF-8 text.
    func policyText(_ call: S3Call) async throws -> String {
        let bytes = try await collectXML(call, limit: 64 * 1024)
        guard !bytes.isEmpty else { throw S3Error(.malformedPolicy, "Policies must be valid JSON and the first byte must be '{'") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw S3Error(.malformedPolicy, "This policy contains invalid Json: not UTF-8")
        }
        return text
    }

    /// Parses a policy for `bucket` and checks what it may grant: MalformedPolicy for a bad
    /// document or a principal naming no user; AccessDenied, naming the rule, for anonymous access
    /// to a bucket whose classification forbids it, or a public policy under BlockPublicPolicy.
    func validatePolicy(_ text: String, bucket: BucketRecord, documents: [BucketAccessDocument: String]) async throws -> BucketPolicy {
        let policy: BucketPolicy
        do {
            policy = try BucketPolicy.parse(text, bucket: bucket.name)
        } catch {
            throw S3Error(.malformedPolicy, error.message)
        }
        let catalogue = store.catalogueStore
        for name in policy.namedUsers.sorted() {
            var user = try await catalogue.user(id: name)
            if user == nil { user = try await catalogue.user(named: name) }
            guard user != nil else { throw S3Error(.malformedPolicy, "Invalid principal in policy: no user has the id or name \(name)") }
        }
        if policy.allowsAnonymous, let refusal = access.publicAccessRefusal(classification: store.placement.classification(of: bucket)) {
            throw S3Error(.accessDenied, "Access Denied: this policy grants anonymous access, and \(refusal)")
        }
        if policy.isPublic, BucketAccess(bucket: bucket.name, documents: documents).publicAccessBlock?.blockPublicPolicy == true {
            throw S3Error(.accessDenied, "Access Denied: this policy is public, and the bucket's public access block has BlockPublicPolicy set")
        }
        return policy
    }
}
