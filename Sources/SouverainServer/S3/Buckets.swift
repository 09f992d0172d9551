import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3
import SouverainSigV4

extension S3Server {
    static func xmlResponse(_ xml: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/xml"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    static func owner(_ user: User) -> S3Owner { S3Owner(id: user.id, displayName: user.name) }

    /// The S3 owner for a user id recorded in the catalogue: its name as display name, or the
    /// recorded value alone when no user has that id (an orphaned bucket).
    func owner(id: String) async throws -> S3Owner {
        guard let user = try await store.catalogueStore.user(id: id) else { return S3Owner(id: id, displayName: id) }
        return Self.owner(user)
    }

    /// ListBuckets: the buckets the user may see, in name order, filtered by `prefix` and
    /// `bucket-region`, paged by `max-buckets` and `continuation-token` (see `BucketListing`).
    func listBuckets(_ call: inout S3Call) async throws -> Response {
        let user = call.user!
        let request = try BucketListing(call.queryParameters)
        let buckets = try await store.visibleBuckets(for: user)
        let (page, next) = request.page(of: buckets.map { (name: $0.name, region: $0.region) })
        let byName = Dictionary(buckets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let listed: [ListAllMyBucketsResult.Bucket] = page.compactMap { entry in
            guard let record = byName[entry.name] else { return nil }
            return ListAllMyBucketsResult.Bucket(name: record.name, creationDate: record.createdAt, region: record.region)
        }
        let result = ListAllMyBucketsResult(
            owner: Self.owner(user), buckets: listed, continuationToken: next, prefix: request.prefix)
        return Self.xmlResponse(result.xml())
    }

    func createBucket(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        guard BucketName.isValid(bucket) else {
            throw S3Error(.invalidBucketName, "The specified bucket is not valid.", resource: bucket, extra: [("BucketName", bucket)])
        }
        let body = try await call.request.body.collect(upTo: 64 * 1024)
        if body.readableBytes > 0 {
            let constraint = try CreateBucketConfiguration.parse(Array(body.readableBytesView))
            if let constraint, !constraint.isEmpty, constraint != store.region {
                throw S3Error(.illegalLocationConstraintException,
                              "The \(constraint) location constraint is incompatible with the region of this endpoint, \(store.region).")
            }
        }
        let classification = call.header(Self.classificationHeader)
        if let classification, classification.isEmpty {
            throw S3Error(.invalidArgument, "\(Self.classificationHeader) is empty; name a classification or leave the header out.")
        }
        let objectLock: Bool
        switch call.header("x-amz-bucket-object-lock-enabled")?.lowercased() {
        case nil, "false"?: objectLock = false
        case "true"?: objectLock = true
        case let other?:
            throw S3Error(.invalidArgument, "x-amz-bucket-object-lock-enabled must be true or false.",
                          extra: [("ArgumentName", "x-amz-bucket-object-lock-enabled"), ("ArgumentValue", other)])
        }
        // x-amz-object-ownership: BucketOwnerEnforced (the default) or a setting enabling ACLs.
        let ownership = try call.header("x-amz-object-ownership").map { value in
            guard let parsed = ObjectOwnership(rawValue: value) else {
                throw S3Error(.invalidArgument, "x-amz-object-ownership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.",
                              extra: [("ArgumentName", "x-amz-object-ownership"), ("ArgumentValue", value)])
            }
            return parsed
        }
        try await store.createBucket(bucket, owner: call.user!, classification: classification, objectLock: objectLock)
        accessCache.invalidate(bucket)
        if let ownership, ownership.aclsEnabled { try await setDocument(bucket, .ownershipControls, ownership.rawValue) }
        return Response(status: .ok, headers: [.location: "/" + bucket])
    }

    /// The request header that classifies a bucket at CreateBucket, and the response header
    /// that shows the classification on HeadBucket.
    static let classificationHeader = "x-souverain-classification"

    func headBucket(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        var headers: HTTPFields = [.amzBucketRegion: store.region]
        if let record = call.bucket, let name = HTTPField.Name(Self.classificationHeader) {
            headers[name] = store.placement.classification(of: record)
        }
        return Response(status: .ok, headers: headers)
    }

    /// DeleteBucket: a bucket with objects is not empty; pending multipart uploads are aborted
    /// with it, as AWS does, each abort recorded in the trail under this request's id.
    func deleteBucket(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let aborted = try await store.deleteBucket(bucket)
        accessCache.invalidate(bucket)
        for upload in aborted { call.touched(upload.location, .delete) }
        try await recordAbortsByDeleteBucket(aborted, call)
        return Response(status: .noContent)
    }

    func getBucketLocation(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        // us-east-1 is written as an empty constraint, as AWS does.
        return Self.xmlResponse(LocationConstraint(region: store.region == "us-east-1" ? nil : store.region).xml())
    }

    func getBucketVersioning(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        return Self.xmlResponse(VersioningConfiguration(status: call.bucket!.versioning.map {
            $0 == .enabled ? .enabled : .suspended
        }).xml())
    }

    /// The owner's FULL_CONTROL, then each grant: READ for read, READ and WRITE for read-write.
    func getBucketAcl(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let record = call.bucket!
        let owner = try await self.owner(id: record.owner)
        var grants = [AccessControlPolicy.Grant(grantee: owner, permission: .fullControl)]
        for grant in try await store.catalogueStore.grants(bucket: bucket) {
            let grantee = try await self.owner(id: grant.userID)
            grants.append(.init(grantee: grantee, permission: .read))
            if grant.permission.allowsWrite { grants.append(.init(grantee: grantee, permission: .write)) }
        }
        grants += try await groupGrants(bucket)
        return Self.xmlResponse(AccessControlPolicy(owner: owner, grants: grants).xml())
    }

    /// PutBucketAcl: the owner (or an admin) replaces the bucket's grants. Grantees are users, named
    /// by id or by name (`id=ID-OR-NAME` in `x-amz-grant-*` headers, or `<ID>` in an
    /// AccessControlPolicy body); the grant records the user's id. READ gives read; WRITE or
    /// FULL_CONTROL give read-write. `x-amz-acl: private` removes every grant. What cannot be
    /// honoured is refused with NotImplemented: public canned ACLs (no anonymous access), READ_ACP
    /// and WRITE_ACP (only owners and admins read and change ACLs). An auditor cannot be a grantee.
    func putBucketAcl(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        var wanted: [String: BucketPermission] = [:]
        func add(_ name: String, _ permission: BucketPermission) {
            if wanted[name] != .readWrite { wanted[name] = permission }
        }
        let headerGrants: [(String, BucketPermission)] = [
            ("x-amz-grant-read", .read), ("x-amz-grant-write", .readWrite), ("x-amz-grant-full-control", .readWrite),
        ]
        for header in ["x-amz-grant-read-acp", "x-amz-grant-write-acp"] where call.header(header) != nil {
            throw S3Error(.notImplemented, "\(header) is not supported: only a bucket's owner and admins read and change its ACL.")
        }
        var usedHeaders = false
        var groups = GroupGrants()
        for (header, permission) in headerGrants {
            guard let value = call.header(header) else { continue }
            usedHeaders = true
            let (ids, uris) = try Self.grantees(inHeader: value)
            for id in ids { add(id, permission) }
            for uri in uris { try groups.add(uri, write: permission == .readWrite) }
        }
        if let canned = call.header("x-amz-acl") {
            groups = try Self.groupGrants(cannedACL: canned)
            usedHeaders = true
        }
        let body = try await collectXML(call, limit: 64 * 1024)
        if !body.isEmpty {
            guard !usedHeaders else {
                throw S3Error(.unexpectedContent, "Give grants either in headers or in the body, not both.")
            }
            for grant in try AccessControlPolicy.parse(body).grants {
                switch grant.permission {
                case .read: add(grant.grantee.id, .read)
                case .write, .fullControl: add(grant.grantee.id, .readWrite)
                case .readACP, .writeACP:
                    throw S3Error(.notImplemented, "\(grant.permission.rawValue) grants are not supported: only a bucket's owner and admins read and change its ACL.")
                }
            }
        } else if !usedHeaders {
            throw S3Error(.missingSecurityHeader, "PutBucketAcl needs x-amz-acl, x-amz-grant-* headers or an AccessControlPolicy body.")
        }
        try await checkGroupGrants(groups, bucket: call.bucket!)
        let catalogue = store.catalogueStore
        // Grantees by user id: a grantee is named by id or, for people, by name.
        var byID: [String: BucketPermission] = [:]
        for (grantee, permission) in wanted {
            var user = try await catalogue.user(id: grantee)
            if user == nil { user = try await catalogue.user(named: grantee) }
            guard let user else { throw S3Error(.invalidArgument, "Invalid id: no user with the id or name \(grantee).") }
            try Self.checkGrantee(user)
            if byID[user.id] != .readWrite { byID[user.id] = permission }
        }
        byID[call.bucket!.owner] = nil
        for grant in try await catalogue.grants(bucket: bucket) where byID[grant.userID] == nil {
            _ = try await catalogue.removeGrant(bucket: bucket, userID: grant.userID)
        }
        for (id, permission) in byID {
            try await catalogue.setGrant(Grant(bucket: bucket, userID: id, permission: permission))
        }
        let previous = try await catalogue.bucketAccessDocuments(bucket: bucket)[.acl]
        if previous != nil || !groups.isEmpty { try await setDocument(bucket, .acl, groups.isEmpty ? nil : groups.text) }
        return Response(status: .ok)
    }

    func getObjectAcl(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        let record = call.bucket!
        let object = try await store.object(bucket: bucket, key: key)
        let owner = try await owner(id: record.owner)
        let grants = [AccessControlPolicy.Grant(grantee: owner, permission: .fullControl)] + Self.objectGroupGrants(object.metadata.acl)
        return Self.xmlResponse(AccessControlPolicy(owner: owner, grants: grants).xml())
    }

    /// A grant names a user who may use buckets: an auditor reads the audit trail and nothing else.
    static func checkGrantee(_ user: User) throws {
        guard user.role.usesBuckets else {
            throw S3Error(.invalidArgument, "Invalid id: \(user.name) is an \(user.role.rawValue), who reads the audit trail and nothing else; it cannot be granted access to a bucket.")
        }
    }
}

extension HTTPField.Name {
    static let amzBucketRegion = HTTPField.Name("x-amz-bucket-region")!
}
