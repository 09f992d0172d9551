import Foundation
import Hummingbird
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

/// One user as the admin API lists it (never its secret).
struct UserAnswer: Codable {
    var id: String
    var name: String
    var role: String
    var accessKeyId: String

    init(_ user: User) {
        id = user.id
        name = user.name
        role = user.role.rawValue
        accessKeyId = user.accessKeyID
    }
}

/// `GET /_souverain/users`.
struct UserListAnswer: Codable {
    var users: [UserAnswer]
}

/// `POST /_souverain/users`: `role` is `admin`, `user` (the default) or `auditor`.
struct CreateUserRequest: Decodable {
    var name: String
    var role: String?
}

/// The user created, with its secret: the only time the secret is shown.
struct CreatedUserAnswer: Codable {
    var id: String
    var name: String
    var role: String
    var accessKeyId: String
    var secretAccessKey: String
}

/// Users through the admin API (admins only), with the rules of `souverain user`
/// (`UserAdministration`): `GET /_souverain/users`, `POST /_souverain/users`,
/// `DELETE /_souverain/users?name=NAME[&reassignTo=OTHER]`.
extension S3Server {
    func listUsers(_ call: inout S3Call) async throws -> Response {
        call.operationName = "ListUsers"
        let users = try await store.catalogueStore.users().sorted { $0.name < $1.name }
        return try AdminJSON.response(UserListAnswer(users: users.map(UserAnswer.init)), call: &call)
    }

    func createUser(_ call: inout S3Call) async throws -> Response {
        call.operationName = "CreateUser"
        let request = try await AdminJSON.body(CreateUserRequest.self, &call, expected: #"{"name": NAME, "role": "admin"|"user"|"auditor"}"#)
        guard let role = Role(rawValue: request.role ?? Role.user.rawValue) else {
            throw S3Error(.invalidArgument, "role must be admin, user or auditor.")
        }
        guard let credentials = store.credentials else {
            throw S3Error(.serviceUnavailable, "No key store is open to seal the new user's secret.")
        }
        let created = try await UserAdministration(catalogue: store.catalogueStore).create(name: request.name, role: role, credentials: credentials)
        // The trail names the user created, never its secret.
        call.detail = "user \(created.user.name) (\(created.user.accessKeyID), id \(created.user.id)) role \(role.rawValue)"
        let answer = CreatedUserAnswer(
            id: created.user.id, name: created.user.name, role: role.rawValue, accessKeyId: created.user.accessKeyID,
            secretAccessKey: created.secretAccessKey)
        return try AdminJSON.response(answer, call: &call)
    }

    func deleteUser(_ call: inout S3Call, caller: User) async throws -> Response {
        call.operationName = "DeleteUser"
        let name = try AdminJSON.required("name", call)
        // An admin cannot lock itself out: another admin removes it.
        guard name != caller.name else { throw S3Error(.invalidArgument, "You cannot remove the user you sign with (\(name)).") }
        let heir = call.queryParameters["reassignTo"].flatMap { $0.isEmpty ? nil : $0 }
        let (user, reassigned): (User, [String])
        do {
            (user, reassigned) = try await UserAdministration(catalogue: store.catalogueStore).remove(name: name, reassigningTo: heir)
        } catch let error as EngineError where error.code == .deleteConflict {
            throw S3Error(.deleteConflict, "\(error.message). Give them away (&reassignTo=OTHER) or delete them, then remove \(name).")
        }
        call.detail = "user \(user.name) (\(user.accessKeyID), id \(user.id))" + (reassigned.isEmpty ? "" : ", buckets given to \(heir ?? ""): \(reassigned.joined(separator: ","))")
        return AdminJSON.noContent()
    }
}
