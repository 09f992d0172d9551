import Foundation
import HTTPTypes
import Testing
@testable import SouverainServer

/// The admin API's typed answers and bodies keep the JSON its clients read (docs/admin-api.md):
/// sorted keys, absent optional fields, the nulls the console expects, the action names.
struct AdminAnswerTests {
    private func json(_ value: some Encodable) throws -> String {
        String(decoding: try AdminJSON.encoder().encode(value), as: UTF8.self)
    }

    @Test func whoAmIWritesNullsRatherThanLeavingFieldsOut() throws {
        let longLived = WhoAmIAnswer(user: "alice", role: "admin", accessKeyId: "AKIA1", session: nil)
        #expect(try json(longLived) == #"{"accessKeyId":"AKIA1","role":"admin","session":null,"user":"alice"}"#)
        let session = WhoAmIAnswer(
            user: "alice", role: "user", accessKeyId: "ASIA1", session: .init(expiration: "2026-12-04T17:00:00Z", role: nil, subject: nil))
        #expect(try json(session).contains(#""session":{"expiration":"2026-12-04T17:00:00Z","role":null,"subject":null}"#))
    }

    @Test func aKeyActionWritesOnlyItsOwnFieldsAndTheTrailsDetail() throws {
        let rotated = KeyActionAnswer(bucket: "b", version: 2, objectsRewrapped: 7)
        #expect(try json(rotated) == #"{"bucket":"b","objectsRewrapped":7,"version":2}"#)
        let granted = KeyActionAnswer(key: "alias/k", keyID: "nk-1", user: "bob", encrypt: true, decrypt: false)
        #expect(granted.auditDetail == "key=alias/k keyID=nk-1 user=bob encrypt=true decrypt=false")
    }

    @Test func aPolicyIsTakenAsTextOrAsAnObjectWrittenBackCompactAndSorted() throws {
        let body = #"{"name":"r","trustPolicy":"{\"Version\": \"2012-10-17\"}","permissionPolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]},"maxSessionSeconds":3600}"#
        let request = try JSONDecoder().decode(CreateRoleRequest.self, from: Data(body.utf8))
        #expect(request.trustPolicy.text == #"{"Version": "2012-10-17"}"#)
        #expect(request.permissionPolicy.text == #"{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::b/*"}],"Version":"2012-10-17"}"#)
        #expect(request.maxSessionSeconds == 3600)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(CreateRoleRequest.self, from: Data(#"{"name":"r","trustPolicy":[1],"permissionPolicy":"{}"}"#.utf8)) }
    }

    @Test(arguments: [
        ("whoami", HTTPRequest.Method.get, "WhoAmI"), ("users", .get, "ListUsers"), ("users", .post, "CreateUser"),
        ("users", .delete, "DeleteUser"), ("buckets", .get, "ListBucketGrants"), ("buckets/grant", .post, "GrantBucket"),
        ("buckets/revoke", .post, "RevokeBucket"), ("placement/explain", .get, "ExplainPlacement"),
        ("audit/verify", .get, "VerifyAuditTrail"), ("audit/records", .get, "ReadAuditTrail"), ("users", .put, "AdminAPI"),
    ])
    func actionsAreNamedBeforeAuthentication(_ path: String, _ method: HTTPRequest.Method, _ action: String) {
        #expect(AdminRouter.action(path: "/_souverain/" + path, method: method) == action)
    }
}
