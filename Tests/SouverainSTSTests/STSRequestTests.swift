import Foundation
import SouverainSTS
import Testing

/// STS's form parameters, and session lengths against a role's bounds.
struct STSRequestTests {
    @Test func theThreeActionsAreParsedFromTheirForm() throws {
        let form = FormEncoding.parse(
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3Asouverain%3Arole%2Freader&RoleSessionName=ci+run&DurationSeconds=1200")
        #expect(throws: STSError.self) { try STSRequest.parse(form) }  // a space is not allowed in a session name
        let good = FormEncoding.parse(
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3Asouverain%3Arole%2Freader&RoleSessionName=ci-run&DurationSeconds=1200")
        #expect(try STSRequest.parse(good) == .assumeRole(role: "reader", sessionName: "ci-run", durationSeconds: 1200))
        #expect(try STSRequest.parse(["Action": "GetSessionToken", "Version": "2011-06-15"]) == .getSessionToken(durationSeconds: nil))
        #expect(try STSRequest.parse([
            "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::123456789012:role/path/web",
            "RoleSessionName": "ann", "WebIdentityToken": "a.b.c",
        ]) == .assumeRoleWithWebIdentity(role: "web", sessionName: "ann", token: "a.b.c", durationSeconds: nil))
    }

    @Test(arguments: [
        (["Action": "AssumeRole", "Version": "2011-06-15", "RoleSessionName": "ci"], "ValidationError"),
        (["Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::x:user/bob", "RoleSessionName": "ci"], "ValidationError"),
        (["Action": "GetSessionToken", "Version": "2010-01-01"], "InvalidParameterValue"),
        (["Action": "GetFederationToken", "Version": "2011-06-15"], "InvalidAction"),
        (["Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::souverain:role/web", "RoleSessionName": "ann"], "ValidationError"),
        (["Action": "GetSessionToken", "Version": "2011-06-15", "DurationSeconds": "soon"], "ValidationError"),
    ])
    func badCallsAreRefusedWithSTSsCodes(form: [String: String], code: String) {
        #expect { try STSRequest.parse(form) } throws: { ($0 as? STSError)?.code == code }
    }

    @Test func sessionLengthsStayWithinTheMinimumAndTheRolesMaximum() throws {
        #expect(try RoleDefinition.sessionSeconds(nil, minimum: 900, maximum: 7200, fallback: 3600) == 3600)
        #expect(try RoleDefinition.sessionSeconds(nil, minimum: 2, maximum: 3600, fallback: 43_200) == 3600)
        #expect(try RoleDefinition.sessionSeconds(3, minimum: 2, maximum: 3600, fallback: 3600) == 3)
        #expect { try RoleDefinition.sessionSeconds(600, minimum: 900, maximum: 3600, fallback: 3600) } throws: { ($0 as? STSError)?.code == "ValidationError" }
        #expect { try RoleDefinition.sessionSeconds(7200, minimum: 900, maximum: 3600, fallback: 3600) } throws: { ($0 as? STSError)?.code == "ValidationError" }
    }

    @Test func issuersAreHTTPSOrLoopbackHTTPWithAudiences() throws {
        let issuers = try OIDCIssuer.parseList("https://sso.example/realms/staff=souverain,console; http://127.0.0.1:8080=test")
        #expect(issuers == [
            OIDCIssuer(url: "https://sso.example/realms/staff", audiences: ["souverain", "console"]),
            OIDCIssuer(url: "http://127.0.0.1:8080", audiences: ["test"]),
        ])
        #expect(throws: STSError.self) { try OIDCIssuer.parseList("http://sso.example=souverain") }
        #expect(throws: STSError.self) { try OIDCIssuer.parseList("https://sso.example") }
    }

    @Test func errorsAndAnswersAreSTSsXML() {
        let error = STSError.accessDenied("no <way>")
        #expect(error.xmlBody(requestID: "R1").contains("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no &lt;way&gt;</Message></Error><RequestId>R1</RequestId></ErrorResponse>"))
        let xml = STSResponse.xml(
            action: "AssumeRole",
            credentials: .init(accessKeyID: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: Date(timeIntervalSince1970: 1_800_000_000)),
            assumedRole: ("reader", "ci"), webIdentity: nil, requestID: "R2")
        #expect(xml.contains("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2027-01-15T08:00:00Z</Expiration></Credentials>"))
        #expect(xml.contains("<Arn>arn:aws:sts::souverain:assumed-role/reader/ci</Arn>"))
    }
}
