import Foundation
import Hummingbird
import NIOCore
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainKeys
import SouverainS3

/// `POST /_souverain/buckets/shred?bucket=B`.
struct ShredBucketAnswer: Codable {
    var bucket: String
    var keyVersionsDestroyed: Int
}

/// The `POST /_souverain/keys/<action>` routes.
enum KeyAction: String, CaseIterable, Sendable {
    case rotate, retire, create, shred, grant, revoke
}

extension S3Server {
    /// `POST /_souverain/buckets/shred?bucket=B` (admins): crypto-shredding. Destroys the bucket's
    /// keys, here, where they are cached unwrapped, as well as in the catalogue; from the answer
    /// on, no object of the bucket can be decrypted by anyone. The trail records it as
    /// `ShredBucket`, with every location that held the bucket's bytes.
    func shredBucket(_ call: inout S3Call, caller: User) async throws -> Response {
        call.operationName = "ShredBucket"
        guard let bucket = call.queryParameters["bucket"], !bucket.isEmpty else {
            throw S3Error(.invalidArgument, "Name the bucket to shred: ?bucket=NAME.")
        }
        let destroyed = try await store.shredBucket(bucket)
        if let audit {
            let event = AuditEvent(
                requestID: call.requestID, user: "\(caller.name) (\(caller.accessKeyID))", sourceAddress: call.remoteAddress,
                operation: AuditOperation("ShredBucket"), bucket: bucket, key: nil, bytesIn: 0, bytesOut: 0,
                locations: store.locations.byID.keys.sorted().map { audit.access($0, .delete) }, status: 200, errorCode: nil)
            try await audit.record(event)
        }
        return try AdminJSON.response(ShredBucketAnswer(bucket: bucket, keyVersionsDestroyed: destroyed), call: &call)
    }

    /// `GET /_souverain/keys` (admins): the master key versions and how many bucket keys each
    /// wraps, and the named keys (docs/keys.md).
    func listKeys(_ call: inout S3Call) async throws -> Response {
        call.operationName = "ListKeys"
        return try AdminJSON.response(try await KeyAdministration.list(store), call: &call)
    }

    /// The key administration, for admins, done here so that the keys this server holds in memory
    /// follow (docs/keys.md):
    /// - `POST /_souverain/keys/rotate?bucket=B` or `?master`: a new version, and every key or data
    ///   key it protects re-wrapped under it;
    /// - `POST /_souverain/keys/retire?bucket=B&version=N` or `?master&version=N`: deletes or
    ///   disables a version nothing depends on any more;
    /// - with `?key=NAME`, rotate and retire act on a named key, and `create`, `shred`, `grant`,
    ///   `revoke` manage named keys (`administerNamedKey`).
    /// Each is a record of the trail (`RotateKeys`, `RetireKey`, ...). Answers one JSON object.
    func administerKey(_ action: KeyAction, _ call: inout S3Call, caller: User) async throws -> Response {
        let query = call.queryParameters
        let bucket = query["bucket"].flatMap { $0.isEmpty ? nil : $0 }
        let master = query["master"] != nil
        let answer: KeyActionAnswer
        switch action {
        case .rotate where query["key"] == nil:
            call.operationName = "RotateKeys"
            guard (bucket != nil) != master else { throw S3Error(.invalidArgument, "Rotate either ?bucket=NAME or ?master.") }
            answer = try await KeyAdministration.rotate(store, bucket: bucket)
        case .retire where query["key"] == nil:
            call.operationName = "RetireKey"
            guard let text = query["version"], let version = UInt32(text) else {
                throw S3Error(.invalidArgument, "Name the version to retire: &version=N.")
            }
            guard (bucket != nil) != master else {
                throw S3Error(.invalidArgument, "Retire either ?bucket=NAME&version=N or ?master&version=N.")
            }
            answer = try await KeyAdministration.retire(store, bucket: bucket, version: version)
        default:
            answer = try await administerNamedKey(action, &call, caller: caller)
        }
        return try AdminJSON.response(answer, call: &call)
    }

    /// The named keys' administration (docs/keys.md, "Named keys"), for admins:
    /// - `POST /_souverain/keys/create?alias=NAME&description=TEXT`;
    /// - `POST /_souverain/keys/rotate?key=NAME`, `keys/retire?key=NAME&version=N`;
    /// - `POST /_souverain/keys/shred?key=NAME`: crypto-shredding of every object under the key;
    /// - `POST /_souverain/keys/grant?key=NAME&user=U[&encrypt][&decrypt]`, `keys/revoke?...`.
    /// Each is a record of the trail naming the key (`CreateKey`, `RotateKeys`, `RetireKey`,
    /// `ShredKey` with every location, `GrantKey`, `RevokeKey`).
    private func administerNamedKey(_ action: KeyAction, _ call: inout S3Call, caller: User) async throws -> KeyActionAnswer {
        let query = call.queryParameters
        func required(_ name: String) throws -> String {
            guard let value = query[name], !value.isEmpty else { throw S3Error(.invalidArgument, "Give &\(name)=….") }
            return value
        }
        let answer: KeyActionAnswer
        switch action {
        case .create:
            call.operationName = "CreateKey"
            answer = try await KeyAdministration.create(
                store, alias: try required("alias"), description: query["description"] ?? "", creator: caller.id)
        case .rotate:
            call.operationName = "RotateKeys"
            answer = try await KeyAdministration.rotate(store, key: try required("key"))
        case .retire:
            call.operationName = "RetireKey"
            guard let version = Int(try required("version")), version > 0 else {
                throw S3Error(.invalidArgument, "Name the version to retire: &version=N.")
            }
            answer = try await KeyAdministration.retire(store, key: try required("key"), version: version)
        case .shred:
            call.operationName = "ShredKey"
            answer = try await KeyAdministration.shred(store, key: try required("key"))
            // Every location may hold blobs under the key: none of them can be decrypted any more.
            for location in store.locations.byID.keys.sorted() { call.touched(location, .delete) }
        case .grant, .revoke:
            call.operationName = action == .grant ? "GrantKey" : "RevokeKey"
            answer = try await KeyAdministration.grant(
                store, key: try required("key"), user: try required("user"), encrypt: query["encrypt"] != nil,
                decrypt: query["decrypt"] != nil, revoke: action == .revoke, decider: caller)
        }
        if let audit {
            let event = AuditEvent(
                requestID: call.requestID, user: "\(caller.name) (\(caller.accessKeyID), id \(caller.id))", sourceAddress: call.remoteAddress,
                operation: AuditOperation(call.operationName ?? action.rawValue), bucket: nil, key: nil, bytesIn: 0, bytesOut: 0,
                locations: call.locationsTouched.map { audit.access($0.id, $0.direction) }, status: 200, errorCode: nil,
                detail: answer.auditDetail)
            try await audit.record(event)
        }
        return answer
    }
}
