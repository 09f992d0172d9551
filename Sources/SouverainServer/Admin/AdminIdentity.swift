import Foundation
import Hummingbird
import SouverainModel
import SouverainS3
import SouverainSTS

/// `GET /_souverain/whoami` (anyone signed): who the request was signed as, with which role,
/// and the session it belongs to, so that a console can show who is signed in and until when.
struct WhoAmIAnswer: Encodable {
    struct SessionAnswer: Encodable {
        /// ISO 8601, UTC, to the second.
        var expiration: String
        /// The role assumed (AssumeRole, web identity); nil for GetSessionToken.
        var role: String?
        /// The OpenID Connect subject of a web-identity session; nil otherwise.
        var subject: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(expiration, forKey: .expiration)
            // Present and null rather than absent: a client reads the same shape for every session.
            try container.encode(role, forKey: .role)
            try container.encode(subject, forKey: .subject)
        }

        private enum CodingKeys: String, CodingKey { case expiration, role, subject }
    }

    var user: String
    var role: String
    var accessKeyId: String
    /// Nil for a long-lived access key.
    var session: SessionAnswer?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user, forKey: .user)
        try container.encode(role, forKey: .role)
        try container.encode(accessKeyId, forKey: .accessKeyId)
        try container.encode(session, forKey: .session)
    }

    private enum CodingKeys: String, CodingKey { case user, role, accessKeyId, session }
}

extension S3Server {
    /// The caller as the admin API sees it: a long-lived key's user and role; a GetSessionToken
    /// session's user and role (a session never has more); a role session's original user (or
    /// `role/NAME` for a web identity) with the `user` role, since what it may do on the admin API
    /// is what its role's permission policy allows, call by call.
    func whoAmI(_ call: inout S3Call, caller: User) throws -> Response {
        call.operationName = "WhoAmI"
        var answer = WhoAmIAnswer(user: caller.name, role: caller.role.rawValue, accessKeyId: caller.accessKeyID, session: nil)
        if let session = call.session?.session {
            answer.accessKeyId = session.accessKeyID
            if session.kind == .role {
                answer.user = session.userName ?? caller.name
                answer.role = Role.user.rawValue
            }
            answer.session = .init(expiration: session.expiration.formatted(.iso8601), role: session.role, subject: session.subject)
        }
        return try AdminJSON.response(answer, call: &call)
    }
}
