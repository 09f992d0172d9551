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
        case ("/create", .post), ("/shred", .post), ("/grant", .post), ("/revoke", .post):
            try requireAdmin(user)
            answer = try await manageNamedKey(action: String(action.dropFirst()), &call, user: user)
        case ("/rotate", .post) where query["key"] != nil, ("/retire", .post) where query["key"] != nil:
            try requireAdmin(user)
            answer = try await manageNamedKey(action: String(action.dropFirst()), &call, user: user)
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

    /// The named keys' administration (docs/keys.md, "Named keys"), for admins:
    /// - `POST /_souverain/keys/create?alias=NAME&description=TEXT`;
    /// - `POST /_souverain/keys/rotate?key=NAME`, `keys/retire?key=NAME&version=N`;
    /// - `POST /_souverain/keys/shred?key=NAME`: crypto-shredding of every object under the key;
    /// - `POST /_souverain/keys/grant?key=NAME&user=U[&encrypt][&decrypt]`, `keys/revoke?...`.
    /// Each is a record of the trail naming the key (`CreateKey`, `RotateKeys`, `RetireKey`,
    /// `ShredKey` with every location, `GrantKey`, `RevokeKey`).
    private func manageNamedKey(action: String, _ call: inout S3Call, user: User) async throws -> [String: Any] {
        let query = call.queryParameters
        func required(_ name: String) throws -> String {
            guard let value = query[name], !value.isEmpty else { throw S3Error(.invalidArgument, "Give &\(name)=….") }
            return value
        }
        let answer: [String: Any]
        switch action {
        case "create":
            call.operationName = "CreateKey"
            answer = try await KeyAdministration.create(
                store, alias: try required("alias"), description: query["description"] ?? "", creator: user.id)
        case "rotate":
            call.operationName = "RotateKeys"
            answer = try await KeyAdministration.rotate(store, key: try required("key"))
        case "retire":
            call.operationName = "RetireKey"
            guard let version = Int(try required("version")), version > 0 else {
                throw S3Error(.invalidArgument, "Name the version to retire: &version=N.")
            }
            answer = try await KeyAdministration.retire(store, key: try required("key"), version: version)
        case "shred":
            call.operationName = "ShredKey"
            answer = try await KeyAdministration.shred(store, key: try required("key"))
            // Every location may hold blobs under the key: none of them can be decrypted any more.
            for location in store.locations.byID.keys.sorted() { call.touched(location, .delete) }
        default:
            call.operationName = action == "grant" ? "GrantKey" : "RevokeKey"
            answer = try await KeyAdministration.grant(
                store, key: try required("key"), user: try required("user"), encrypt: query["encrypt"] != nil,
                decrypt: query["decrypt"] != nil, revoke: action == "revoke", decider: user)
        }
        if let audit {
            let detail = ["key", "keyID", "user", "version", "retiredVersion", "keyVersionsDestroyed", "encrypt", "decrypt", "alias"]
                .compactMap { name in answer[name].map { "\(name)=\($0)" } }.joined(separator: " ")
            let event = AuditEvent(
                requestID: call.requestID, user: "\(user.name) (\(user.accessKeyID), id \(user.id))", sourceAddress: call.remoteAddress,
                operation: AuditOperation(call.operationName ?? action), bucket: nil, key: nil, bytesIn: 0, bytesOut: 0,
                locations: call.locationsTouched.map { audit.access($0.id, $0.direction) }, status: 200, errorCode: nil, detail: detail)
            try await audit.record(event)
        }
        return answer
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
