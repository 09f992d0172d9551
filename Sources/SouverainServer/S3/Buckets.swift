import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
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

    static func owner(_ name: String) -> S3Owner { S3Owner(id: name, displayName: name) }

    func listBuckets(_ call: inout S3Call) async throws -> Response {
        let user = call.user!
        let buckets = try await store.visibleBuckets(for: user)
        let result = ListAllMyBucketsResult(
            owner: Self.owner(user.name),
            buckets: buckets.map { .init(name: $0.name, creationDate: $0.createdAt) })
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
        try await store.createBucket(bucket, owner: call.user!)
        return Response(status: .ok, headers: [.location: "/" + bucket])
    }

    func headBucket(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        try await authorize(bucket, .read, call)
        return Response(status: .ok, headers: [.amzBucketRegion: store.region])
    }

    func deleteBucket(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        try await authorize(bucket, .owner, call)
        try await store.deleteBucket(bucket)
        return Response(status: .noContent)
    }

    func getBucketLocation(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        try await authorize(bucket, .read, call)
        // us-east-1 is written as an empty constraint, as AWS does.
        return Self.xmlResponse(LocationConstraint(region: store.region == "us-east-1" ? nil : store.region).xml())
    }

    func getBucketVersioning(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        try await authorize(bucket, .read, call)
        return Self.xmlResponse(VersioningConfiguration().xml())
    }

    func getBucketAcl(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        let record = try await authorize(bucket, .read, call)
        return Self.xmlResponse(AccessControlPolicy(owner: Self.owner(record.owner)).xml())
    }

    func getObjectAcl(_ bucket: String, _ key: String, _ call: inout S3Call) async throws -> Response {
        let record = try await authorize(bucket, .read, call)
        _ = try await store.object(bucket: bucket, key: key)
        return Self.xmlResponse(AccessControlPolicy(owner: Self.owner(record.owner)).xml())
    }
}

extension HTTPField.Name {
    static let amzBucketRegion = HTTPField.Name("x-amz-bucket-region")!
}
