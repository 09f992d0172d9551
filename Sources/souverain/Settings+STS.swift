import ArgumentParser
import Foundation
import SouverainConsole
import SouverainSTS

/// Temporary credentials' settings (docs/sts.md): the shortest session, and the OpenID Connect
/// issuers whose tokens AssumeRoleWithWebIdentity accepts.
struct STSSettings {
    static let keys = [
        "sts-min-session-seconds", "oidc-issuers", "oidc-issuers-file",
        "console-oidc-issuer", "console-oidc-client-id", "console-oidc-role-arn",
    ]

    /// AWS's shortest session is 900 seconds; an admin may lower it (tests of expiry do).
    var minimumSessionSeconds = 900
    /// `oidc-issuers` and `oidc-issuers-file`, each replaced by a later source (environment, flag).
    var listedIssuers: [OIDCIssuer] = []
    var fileIssuers: [OIDCIssuer] = []
    /// Every issuer configured, both ways.
    var issuers: [OIDCIssuer] { listedIssuers + fileIssuers }
    /// The web console's OpenID Connect sign-in (docs/console.md): all three or none.
    var consoleIssuer: String?
    var consoleClientID: String?
    var consoleRoleARN: String?

    /// The console's sign-in through OpenID Connect, nil when not configured; refused when only
    /// part of it is set, or when its issuer is not one AssumeRoleWithWebIdentity accepts.
    func consoleOIDC() throws -> ConsoleOIDC? {
        let parts = [consoleIssuer, consoleClientID, consoleRoleARN]
        if parts.allSatisfy({ $0 == nil }) { return nil }
        guard let issuer = consoleIssuer, let clientID = consoleClientID, let roleARN = consoleRoleARN else {
            throw ValidationError("console-oidc-issuer, console-oidc-client-id and console-oidc-role-arn go together: set all three or none")
        }
        let oidc = ConsoleOIDC(issuer: issuer, clientID: clientID, roleARN: roleARN)
        guard oidc.origin != nil else { throw ValidationError("console-oidc-issuer must be an http(s) URL, got \(issuer)") }
        guard let accepted = issuers.first(where: { $0.url == issuer }) else {
            throw ValidationError("console-oidc-issuer \(issuer) is not in oidc-issuers: its tokens would be refused")
        }
        guard accepted.audiences.contains(clientID) else {
            throw ValidationError("console-oidc-client-id \(clientID) is not an audience of \(issuer) in oidc-issuers: its tokens would be refused")
        }
        return oidc
    }

    mutating func set(_ key: String, _ value: String) throws {
        switch key {
        case "sts-min-session-seconds":
            guard let seconds = Int(value), (1...900).contains(seconds) else {
                throw ValidationError("sts-min-session-seconds must be 1 to 900 seconds, got \(value)")
            }
            minimumSessionSeconds = seconds
        case "oidc-issuers":
            listedIssuers = try Self.issuers(value, from: key)
        case "oidc-issuers-file":
            guard let text = try? String(contentsOfFile: value, encoding: .utf8) else {
                throw ValidationError("oidc-issuers-file \(value) cannot be read")
            }
            fileIssuers = try Self.issuers(text, from: value)
        case "console-oidc-issuer": consoleIssuer = value.isEmpty ? nil : value
        case "console-oidc-client-id": consoleClientID = value.isEmpty ? nil : value
        case "console-oidc-role-arn": consoleRoleARN = value.isEmpty ? nil : value
        default:
            throw ValidationError("unknown setting \(key)")
        }
    }

    static func issuers(_ text: String, from source: String) throws -> [OIDCIssuer] {
        do {
            return try OIDCIssuer.parseList(text)
        } catch {
            throw ValidationError("\(source): \(error.message)")
        }
    }
}
