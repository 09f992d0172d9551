import Foundation
import Hummingbird
import NIOCore
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

extension S3Server {
    /// `POST /_souverain/buckets/shred?bucket=B` (admins): crypto-shredding. Destroys the bucket's
    /// keys, here, where they are cached unwrapped, as well as in the catalogue; from the answer
    /// on, no object of the bucket can be decrypted by anyone. The trail records it as
    /// `ShredBucket`, with every location that held the bucket's bytes.
    func shredBucket(_ call: inout S3Call, user: User) async throws -> Response {
        call.operationName = "ShredBucket"
        guard user.role == .admin else { throw S3Error(.accessDenied, "Shredding a bucket needs the admin role.") }
        guard let bucket = call.queryParameters["bucket"], !bucket.isEmpty else {
            throw S3Error(.invalidArgument, "Name the bucket to shred: ?bucket=NAME.")
        }
        let destroyed = try await store.shredBucket(bucket)
        if let audit {
            let event = AuditEvent(
                requestID: call.requestID, user: "\(user.name) (\(user.accessKeyID))", sourceAddress: call.remoteAddress,
                operation: AuditOperation("ShredBucket"), bucket: bucket, key: nil, bytesIn: 0, bytesOut: 0,
                locations: store.locations.byID.keys.sorted().map { audit.access($0, .delete) }, status: 200, errorCode: nil)
            try await audit.record(event)
        }
        let body = "{\"bucket\":\(Self.jsonString(bucket)),\"keyVersionsDestroyed\":\(destroyed)}\n"
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
