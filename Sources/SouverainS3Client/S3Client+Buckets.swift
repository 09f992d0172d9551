import AsyncHTTPClient
import NIOCore
import NIOHTTP1
public import SouverainS3

extension S3Client {
    /// CreateBucket; outside `us-east-1` it sends the `LocationConstraint` of the client's region.
    /// `headers` are sent and signed (such as a classification header).
    public func createBucket(_ bucket: String, headers: [String: String] = [:]) async throws {
        var request = S3Request(operation: "CreateBucket", method: .PUT, bucket: bucket, headers: Self.sorted(headers))
        if configuration.region != "us-east-1" {
            let xml = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(XMLWriter.escape(configuration.region))</LocationConstraint></CreateBucketConfiguration>"
            request.payload = .bytes(ByteBuffer(string: xml))
        }
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
    }

    /// DeleteBucket (the bucket must be empty).
    public func deleteBucket(_ bucket: String) async throws {
        let request = S3Request(operation: "DeleteBucket", method: .DELETE, bucket: bucket)
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
    }

    /// HeadBucket: returns the bucket's head when it exists and is reachable with these credentials;
    /// a missing bucket throws an `.s3` error with status 404 and `s3Code` `NotFound`.
    @discardableResult
    public func headBucket(_ bucket: String) async throws -> BucketHead {
        let request = S3Request(operation: "HeadBucket", method: .HEAD, bucket: bucket)
        return BucketHead(headers: try await execute(request).headers)
    }

    /// One page of ListObjectsV2 (at most `maxKeys`, 1000 by default on the server's side). Keys are
    /// requested URL-encoded and decoded here, so any key survives. Pass the page's
    /// `nextContinuationToken` to get the next page while `isTruncated`.
    public func listObjectsV2(
        bucket: String, prefix: String? = nil, continuationToken: String? = nil, maxKeys: Int? = nil,
        delimiter: String? = nil, startAfter: String? = nil
    ) async throws -> ListObjectsV2Result {
        var request = S3Request(operation: "ListObjectsV2", method: .GET, bucket: bucket)
        request.query = [("list-type", "2"), ("encoding-type", "url")]
        if let prefix { request.query.append(("prefix", prefix)) }
        if let continuationToken { request.query.append(("continuation-token", continuationToken)) }
        if let maxKeys { request.query.append(("max-keys", String(maxKeys))) }
        if let delimiter { request.query.append(("delimiter", delimiter)) }
        if let startAfter { request.query.append(("start-after", startAfter)) }
        let (xml, _) = try await executeForXML(request)
        guard let result = ListObjectsV2Result(xml: xml) else {
            throw S3ClientError(
                code: .invalidResponse, message: "The answer is not a ListBucketResult document.",
                operation: request.operation, resource: request.resource)
        }
        return result
    }
}
