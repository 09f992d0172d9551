import Foundation
import Hummingbird
import NIOCore
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainKeys
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

    /// The key administration, for admins, done here so that the keys this server holds in memory
    /// follow (docs/keys.md):
    /// - `GET /_souverain/keys`: the master key versions and how many bucket keys each wraps;
    /// - `POST /_souverain/keys/rotate?bucket=B` or `?master`: a new version, and every key or data
    ///   key it protects re-wrapped under it;
    /// - `POST /_souverain/keys/retire?bucket=B&version=N` or `?master&version=N`: deletes or
    ///   disables a version nothing depends on any more.
    /// Each is a record of the trail (`ListKeys`, `RotateKeys`, `RetireKey`). Answers one JSON object.
    func manageKeys(_ call: inout S3Call, user: User) async throws -> Response {
        let action = String(call.path.dropFirst((Self.adminPrefix + "keys").count))
        let query = call.queryParameters
        let bucket = query["bucket"].flatMap { $0.isEmpty ? nil : $0 }
        let master = query["master"] != nil
        var answer: [String: Any] = [:]
        switch (action, call.request.method) {
        case ("", .get):
            call.operationName = "ListKeys"
            try requireAdmin(user)
            answer = try await KeyAdministration.list(store)
        case ("/rotate", .post):
            call.operationName = "RotateKeys"
            try requireAdmin(user)
            guard (bucket != nil) != master else { throw S3Error(.invalidArgument, "Rotate either ?bucket=NAME or ?master.") }
            answer = try await KeyAdministration.rotate(store, bucket: bucket)
        case ("/retire", .post):
            call.operationName = "RetireKey"
            try requireAdmin(user)
            guard let text = query["version"], let version = UInt32(text) else {
                throw S3Error(.invalidArgument, "Name the version to retire: &version=N.")
            }
            guard (bucket != nil) != master else {
                throw S3Error(.invalidArgument, "Retire either ?bucket=NAME&version=N or ?master&version=N.")
            }
            answer = try await KeyAdministration.retire(store, bucket: bucket, version: version)
        default:
            throw S3Error(.notImplemented, "No admin API at \(call.request.method.rawValue) \(call.path).")
        }
        return try Self.jsonResponse(answer, call: &call)
    }

    private func requireAdmin(_ user: User) throws {
        guard user.role == .admin else { throw S3Error(.accessDenied, "Managing keys needs the admin role.") }
    }

    /// An admin API answer: one JSON object (keys sorted) and a newline.
    static func jsonResponse(_ answer: [String: Any], call: inout S3Call) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys, .withoutEscapingSlashes])
        let body = String(decoding: data, as: UTF8.self) + "\n"
        call.bytesOut = Int64(body.utf8.count)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
