public import Foundation

/// What a session is, as its token carries it (docs/sts.md): its access key and secret, when it
/// ends, and who it acts as: a role (for AssumeRole and AssumeRoleWithWebIdentity) or the user
/// itself (GetSessionToken), and the original identity, a user or an OpenID Connect subject.
public struct Session: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A session of a role, assumed by a user (AssumeRole) or a web identity.
        case role
        /// A user's own permissions, for a while (GetSessionToken).
        case user
    }

    public var kind: Kind
    /// The session's access key id (`ASIA` + 16 characters).
    public var accessKeyID: String
    /// The session's secret access key.
    public var secretAccessKey: String
    /// When the session ends, in whole seconds.
    public var expiration: Date
    public var role: String?
    public var sessionName: String?
    /// The Souverain user who asked for the session (AssumeRole, GetSessionToken): its id and name.
    public var userID: String?
    public var userName: String?
    /// The OpenID Connect issuer and subject (AssumeRoleWithWebIdentity).
    public var issuer: String?
    public var subject: String?

    public init(
        kind: Kind, accessKeyID: String, secretAccessKey: String, expiration: Date, role: String? = nil, sessionName: String? = nil,
        userID: String? = nil, userName: String? = nil, issuer: String? = nil, subject: String? = nil
    ) {
        self.kind = kind
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.expiration = Date(timeIntervalSince1970: expiration.timeIntervalSince1970.rounded(.down))
        self.role = role
        self.sessionName = sessionName
        self.userID = userID
        self.userName = userName
        self.issuer = issuer
        self.subject = subject
    }

    /// Who the session acts for, for the audit trail: the role and session name, then the original
    /// identity (`role reader session ci assumed by user alice (id …)`, `… by web identity ISSUER subject SUB`).
    public var auditIdentity: String {
        var text = switch kind {
        case .role: "role \(role ?? "?") session \(sessionName ?? "?")"
        case .user: "session"
        }
        text += " (\(accessKeyID))"
        if let issuer, let subject {
            text += " by web identity \(issuer) subject \(subject)"
        } else if let userName, let userID {
            text += " by user \(userName) (id \(userID))"
        }
        return text
    }

    /// A session's access key id: `ASIA` and 16 random upper-case letters and digits, as AWS's.
    public static func makeAccessKeyID() -> String {
        "ASIA" + randomText(16, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
    }

    /// A session's secret: 40 random characters of base64's alphabet, as AWS's.
    public static func makeSecret() -> String {
        randomText(40, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
    }

    /// Whether an access key id is a session's (rather than a user's long-lived key).
    public static func isSessionKey(_ accessKeyID: String) -> Bool { accessKeyID.hasPrefix("ASIA") }

    static func randomText(_ count: Int, alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}

extension Session: CustomStringConvertible, CustomDebugStringConvertible {
    // The secret never reaches a log through string interpolation.
    public var description: String { "Session(\(auditIdentity), until \(expiration.formatted(.iso8601)))" }
    public var debugDescription: String { description }
}
