import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SouverainS3

/// A bucket's settings that an export carries to its next home (docs/export-format.md): each is
/// read with its GET and written back with its PUT, as the document the source answered (a GET's
/// answer is a valid body for the PUT of every configuration here). The raw value is the query
/// subresource.
public enum BucketConfigurationKind: String, Sendable, CaseIterable, Codable {
    case policy
    case lifecycle
    case cors
    case tagging
    case website
    case encryption
    case publicAccessBlock
    case ownershipControls

    /// The S3 operation name of its GET or PUT, for errors.
    func operation(put: Bool) -> String {
        let verb = put ? "Put" : "Get"
        switch self {
        case .policy: return verb + "BucketPolicy"
        case .lifecycle: return verb + "BucketLifecycleConfiguration"
        case .cors: return verb + "BucketCors"
        case .tagging: return verb + "BucketTagging"
        case .website: return verb + "BucketWebsite"
        case .encryption: return verb + "BucketEncryption"
        case .publicAccessBlock: return verb + "PublicAccessBlock"
        case .ownershipControls: return verb + "BucketOwnershipControls"
        }
    }
}

extension S3Client {
    /// The configuration's document as the server answers it; nil when the bucket has none (a
    /// 404 other than NoSuchBucket) or the server does not implement it (501).
    public func getBucketConfiguration(_ bucket: String, _ kind: BucketConfigurationKind) async throws -> String? {
        var request = S3Request(operation: kind.operation(put: false), method: .GET, bucket: bucket)
        request.query = [(kind.rawValue, nil)]
        let response: HTTPClientResponse
        do {
            response = try await execute(request)
        } catch let error as S3ClientError where (error.status == 404 && error.s3Code != "NoSuchBucket") || error.status == 501 {
            return nil
        }
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: 1024 * 1024)
        } catch {
            throw Self.transportError(error, request: request)
        }
        return String(buffer: buffer)
    }

    /// Sets the configuration from a document (with its Content-MD5, which S3 requires for
    /// several of them).
    public func putBucketConfiguration(_ bucket: String, _ kind: BucketConfigurationKind, document: String) async throws {
        var request = S3Request(operation: kind.operation(put: true), method: .PUT, bucket: bucket)
        request.query = [(kind.rawValue, nil)]
        request.payload = .bytes(ByteBuffer(string: document))
        request.headers = [
            (name: "content-md5", value: Data(Insecure.MD5.hash(data: Array(document.utf8))).base64EncodedString()),
            (name: "content-type", value: kind == .policy ? "application/json" : "application/xml"),
        ]
        let response = try await execute(request)
        _ = try? await response.body.collect(upTo: 64 * 1024)
    }
}
