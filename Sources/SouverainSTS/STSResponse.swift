public import Foundation
import SouverainS3

/// STS's answers, as the 2011-06-15 API writes them (what boto3 and the AWS CLI parse).
public enum STSResponse {
    static let namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

    /// The credentials of a new session.
    public struct Credentials: Sendable, Equatable {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String
        public var expiration: Date

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String, expiration: Date) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
            self.expiration = expiration
        }
    }

    /// `AssumeRoleResponse`, `AssumeRoleWithWebIdentityResponse` or `GetSessionTokenResponse`.
    /// `assumedRole` (role name, session name) is given for the two role actions; `subject` and
    /// `audience`, `provider` for a web identity.
    public static func xml(
        action: String, credentials: Credentials, assumedRole: (role: String, session: String)?, webIdentity: (subject: String, audience: String, provider: String)?,
        requestID: String
    ) -> String {
        var result = "<Credentials><AccessKeyId>\(escape(credentials.accessKeyID))</AccessKeyId>"
            + "<SecretAccessKey>\(escape(credentials.secretAccessKey))</SecretAccessKey>"
            + "<SessionToken>\(escape(credentials.sessionToken))</SessionToken>"
            + "<Expiration>\(timestamp(credentials.expiration))</Expiration></Credentials>"
        if let assumedRole {
            result += "<AssumedRoleUser><AssumedRoleId>\(escape("AROA\(assumedRole.role.uppercased().prefix(16)):\(assumedRole.session)"))</AssumedRoleId>"
                + "<Arn>\(escape("arn:aws:sts::souverain:assumed-role/\(assumedRole.role)/\(assumedRole.session)"))</Arn></AssumedRoleUser>"
        }
        if let webIdentity {
            result += "<SubjectFromWebIdentityToken>\(escape(webIdentity.subject))</SubjectFromWebIdentityToken>"
                + "<Audience>\(escape(webIdentity.audience))</Audience><Provider>\(escape(webIdentity.provider))</Provider>"
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <\(action)Response xmlns="\(namespace)"><\(action)Result>\(result)</\(action)Result>\
            <ResponseMetadata><RequestId>\(escape(requestID))</RequestId></ResponseMetadata></\(action)Response>
            """
    }

    /// ISO 8601 with seconds, in UTC (`2026-12-04T02:00:00Z`).
    static func timestamp(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }

    /// XML escaping of the answers' text: the S3 responses' own (XMLWriter.escape).
    static func escape(_ text: String) -> String { XMLWriter.escape(text) }
}
