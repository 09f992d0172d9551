import ArgumentParser
import Foundation
import SouverainSTS

/// Temporary credentials' settings (docs/sts.md): the shortest session, and the OpenID Connect
/// issuers whose tokens AssumeRoleWithWebIdentity accepts.
struct STSSettings {
    static let keys = ["sts-min-session-seconds", "oidc-issuers", "oidc-issuers-file"]

    /// AWS's shortest session is 900 seconds; an admin may lower it (tests of expiry do).
    var minimumSessionSeconds = 900
    /// `oidc-issuers` and `oidc-issuers-file`, each replaced by a later source (environment, flag).
    var listedIssuers: [OIDCIssuer] = []
    var fileIssuers: [OIDCIssuer] = []
    /// Every issuer configured, both ways.
    var issuers: [OIDCIssuer] { listedIssuers + fileIssuers }

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
