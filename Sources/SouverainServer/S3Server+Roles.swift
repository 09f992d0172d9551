import Foundation
import Hummingbird
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainPolicy
import SouverainS3
import SouverainSTS

/// Roles through the admin API (docs/sts.md), admins only:
/// - `GET /_souverain/roles`: `{"roles": [{name, arn, maxSessionSeconds, trustPolicy, permissionPolicy, created}]}`;
/// - `POST /_souverain/roles` with `{"name", "trustPolicy", "permissionPolicy", "maxSessionSeconds"?}`
///   (each policy a JSON object or its text): the role created, or MalformedPolicy with the reason;
/// - `DELETE /_souverain/roles?name=NAME`: the role removed; its sessions are refused from then on.
extension S3Server {
    func manageRoles(_ call: inout S3Call, user: User) async throws -> Response {
        guard user.role == .admin else { throw S3Error(.accessDenied, "Managing roles needs the admin role.") }
        let catalogue = store.catalogueStore
        switch call.request.method {
        case .get:
            let roles = try await catalogue.roles().map(Self.roleAnswer)
            return try Self.jsonResponse(["roles": roles], call: &call)
        case .post:
            let body = try await call.request.body.collect(upTo: 64 * 1024)
            call.bytesIn = Int64(body.readableBytes)
            guard let object = try? JSONSerialization.jsonObject(with: Data(Array(buffer: body))) as? [String: Any],
                  let name = object["name"] as? String else {
                throw S3Error(.invalidArgument, "The body must be a JSON object with name, trustPolicy and permissionPolicy.")
            }
            let trust = try Self.policyText(object["trustPolicy"], "trustPolicy")
            let permissions = try Self.policyText(object["permissionPolicy"], "permissionPolicy")
            let maximum = object["maxSessionSeconds"] as? Int
            let role: RoleRecord
            do {
                let (record, trustPolicy) = try RoleDefinition.validate(
                    name: name, trustPolicy: trust, permissionPolicy: permissions, maxSessionSeconds: maximum, now: Date())
                for named in trustPolicy.namedUsers {
                    let byName = try await catalogue.user(named: named)
                    let byID = try await catalogue.user(id: named)
                    guard byName != nil || byID != nil else {
                        throw S3Error(.malformedPolicy, "Trust policy: Invalid principal in policy: no user \(named)")
                    }
                }
                role = record
            } catch let error as STSError {
                throw S3Error(error.code == "MalformedPolicyDocument" ? .malformedPolicy : .invalidArgument, error.message)
            }
            do {
                try await catalogue.addRole(role)
            } catch let error as CatalogueError where error.code == .roleExists {
                throw S3Error(.invalidArgument, "A role named \(name) exists: delete it first.")
            }
            call.detail = "role \(name) max session \(role.maxSessionSeconds) s"
            return try Self.jsonResponse(Self.roleAnswer(role), call: &call)
        case .delete:
            guard let name = call.queryParameters["name"], !name.isEmpty else { throw S3Error(.invalidArgument, "Name the role: ?name=NAME.") }
            guard try await catalogue.removeRole(named: name) else { throw S3Error(.invalidArgument, "There is no role named \(name).") }
            call.detail = "role \(name)"
            return try Self.jsonResponse(["deleted": name], call: &call)
        default:
            throw S3Error(.methodNotAllowed, "Roles are listed (GET), created (POST) and deleted (DELETE).")
        }
    }

    static func roleAnswer(_ role: RoleRecord) -> [String: Any] {
        [
            "name": role.name, "arn": RoleName.arn(role.name), "maxSessionSeconds": role.maxSessionSeconds,
            "trustPolicy": role.trustPolicy, "permissionPolicy": role.permissionPolicy,
            "created": role.createdAt.formatted(.iso8601),
        ]
    }

    /// A policy given as a JSON object (kept as compact JSON) or as its text.
    static func policyText(_ value: Any?, _ field: String) throws -> String {
        if let text = value as? String { return text }
        if let object = value as? [String: Any], let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
            return String(decoding: data, as: UTF8.self)
        }
        throw S3Error(.invalidArgument, "\(field) must be a policy document (a JSON object or its text).")
    }
}
