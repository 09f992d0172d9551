import Foundation
import Hummingbird
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainPolicy
import SouverainS3
import SouverainSTS

/// One role as the admin API shows it.
struct RoleAnswer: Codable {
    var name: String
    var arn: String
    var maxSessionSeconds: Int
    /// The policies as stored: JSON text.
    var trustPolicy: String
    var permissionPolicy: String
    var created: String

    init(_ role: RoleRecord) {
        name = role.name
        arn = RoleName.arn(role.name)
        maxSessionSeconds = role.maxSessionSeconds
        trustPolicy = role.trustPolicy
        permissionPolicy = role.permissionPolicy
        created = role.createdAt.formatted(.iso8601)
    }
}

/// `GET /_souverain/roles`.
struct RoleListAnswer: Codable {
    var roles: [RoleAnswer]
}

/// `DELETE /_souverain/roles?name=NAME`.
struct RoleDeletedAnswer: Codable {
    var deleted: String
}

/// `POST /_souverain/roles`: each policy a JSON object or its text.
struct CreateRoleRequest: Decodable {
    var name: String
    var trustPolicy: PolicyDocument
    var permissionPolicy: PolicyDocument
    var maxSessionSeconds: Int?
}

/// A policy document in a request body, given as a JSON object (kept as compact JSON with sorted
/// keys) or as its text (kept as given); its validation is the policy parser's, later.
struct PolicyDocument: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
            return
        }
        let value = try container.decode(JSONValue.self)
        guard case .object = value else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a policy is a JSON object or its text")
        }
        text = String(decoding: try AdminJSON.encoder().encode(EncodableJSON(value)), as: UTF8.self)
    }
}

/// A parsed JSON value written back as JSON (numbers without a fraction as integers).
private struct EncodableJSON: Encodable {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .string(let text): try container.encode(text)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { try container.encode(Int64(number)) } else { try container.encode(number) }
        case .bool(let flag): try container.encode(flag)
        case .array(let items): try container.encode(items.map(EncodableJSON.init))
        case .object(let members): try container.encode(members.mapValues(EncodableJSON.init))
        case .null: try container.encodeNil()
        }
    }
}

/// Roles through the admin API (docs/sts.md), admins only:
/// - `GET /_souverain/roles`: `{"roles": [{name, arn, maxSessionSeconds, trustPolicy, permissionPolicy, created}]}`;
/// - `POST /_souverain/roles` with `{"name", "trustPolicy", "permissionPolicy", "maxSessionSeconds"?}`
///   (each policy a JSON object or its text): the role created, or MalformedPolicy with the reason;
/// - `DELETE /_souverain/roles?name=NAME`: the role removed; its sessions are refused from then on.
extension S3Server {
    func listRoles(_ call: inout S3Call) async throws -> Response {
        let roles = try await store.catalogueStore.roles().map(RoleAnswer.init)
        return try AdminJSON.response(RoleListAnswer(roles: roles), call: &call)
    }

    func createRole(_ call: inout S3Call) async throws -> Response {
        let catalogue = store.catalogueStore
        let request = try await AdminJSON.body(CreateRoleRequest.self, &call, expected: "with name, trustPolicy and permissionPolicy")
        let name = request.name
        let role: RoleRecord
        do {
            let (record, trustPolicy) = try RoleDefinition.validate(
                name: name, trustPolicy: request.trustPolicy.text, permissionPolicy: request.permissionPolicy.text,
                maxSessionSeconds: request.maxSessionSeconds, now: Date())
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
        return try AdminJSON.response(RoleAnswer(role), call: &call)
    }

    func deleteRole(_ call: inout S3Call) async throws -> Response {
        guard let name = call.queryParameters["name"], !name.isEmpty else { throw S3Error(.invalidArgument, "Name the role: ?name=NAME.") }
        guard try await store.catalogueStore.removeRole(named: name) else { throw S3Error(.invalidArgument, "There is no role named \(name).") }
        call.detail = "role \(name)"
        return try AdminJSON.response(RoleDeletedAnswer(deleted: name), call: &call)
    }
}
