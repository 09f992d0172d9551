import Foundation

/// One STS call as the form-encoded body of `POST /` carries it (`Action=…&Version=2011-06-15&…`),
/// parsed and validated before anything is looked up.
public enum STSRequest: Sendable, Equatable {
    case assumeRole(role: String, sessionName: String, durationSeconds: Int?)
    case getSessionToken(durationSeconds: Int?)
    case assumeRoleWithWebIdentity(role: String, sessionName: String, token: String, durationSeconds: Int?)

    public static let version = "2011-06-15"

    /// The action's name, for logs and the trail.
    public var name: String {
        switch self {
        case .assumeRole: "AssumeRole"
        case .getSessionToken: "GetSessionToken"
        case .assumeRoleWithWebIdentity: "AssumeRoleWithWebIdentity"
        }
    }

    /// The action a form body names, before it is validated (for the trail of a refused call).
    public static func actionName(_ parameters: [String: String]) -> String {
        let action = parameters["Action"] ?? ""
        return ["AssumeRole", "GetSessionToken", "AssumeRoleWithWebIdentity"].contains(action) ? action : "STS"
    }

    /// Parses the form's parameters (already percent-decoded).
    public static func parse(_ parameters: [String: String]) throws(STSError) -> STSRequest {
        guard let action = parameters["Action"] else { throw .validation("Missing required parameter Action") }
        guard parameters["Version"] == version else {
            throw STSError(code: "InvalidParameterValue", status: 400, message: "Version must be \(version)")
        }
        let duration = try durationSeconds(parameters["DurationSeconds"])
        switch action {
        case "AssumeRole":
            return .assumeRole(
                role: try roleName(parameters["RoleArn"]), sessionName: try sessionName(parameters["RoleSessionName"]),
                durationSeconds: duration)
        case "GetSessionToken":
            return .getSessionToken(durationSeconds: duration)
        case "AssumeRoleWithWebIdentity":
            guard let token = parameters["WebIdentityToken"], !token.isEmpty else {
                throw .validation("1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null")
            }
            guard token.utf8.count <= 20_000 else { throw .validation("WebIdentityToken must be at most 20000 characters") }
            return .assumeRoleWithWebIdentity(
                role: try roleName(parameters["RoleArn"]), sessionName: try sessionName(parameters["RoleSessionName"]),
                token: token, durationSeconds: duration)
        default:
            throw .invalidAction("Could not find operation \(action.prefix(64)) for version \(version) (AssumeRole, GetSessionToken, AssumeRoleWithWebIdentity)")
        }
    }

    /// The role a `RoleArn` names: `arn:aws:iam::<account>:role/NAME` (any account part, a path allowed).
    static func roleName(_ arn: String?) throws(STSError) -> String {
        guard let arn else {
            throw .validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
        }
        let fields = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[2] == "iam", fields[5].hasPrefix("role/"),
              let name = fields[5].split(separator: "/").last, fields[5].count > 5, RoleName.isValid(String(name)) else {
            throw .validation("RoleArn must be an IAM role ARN: arn:aws:iam::souverain:role/NAME")
        }
        return String(name)
    }

    /// AWS's RoleSessionName: 2 to 64 of `[\w+=,.@-]`.
    static func sessionName(_ name: String?) throws(STSError) -> String {
        guard let name else {
            throw .validation("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
        }
        guard (2...64).contains(name.count),
              name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || "_+=,.@-".contains($0) }) else {
            throw .validation("RoleSessionName must be 2 to 64 characters of letters, digits and _+=,.@-")
        }
        return name
    }

    static func durationSeconds(_ text: String?) throws(STSError) -> Int? {
        guard let text else { return nil }
        guard let seconds = Int(text), seconds > 0 else { throw .validation("DurationSeconds must be a positive integer") }
        return seconds
    }
}

/// Role names: 1 to 64 of IAM's `[\w+=,.@-]`.
public enum RoleName {
    public static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "_+=,.@-".contains($0) }
    }

    /// The role's ARN as STS answers it.
    public static func arn(_ name: String) -> String { "arn:aws:iam::souverain:role/\(name)" }
}

/// Form bodies (`application/x-www-form-urlencoded`): `+` is a space, `%XX` a byte.
public enum FormEncoding {
    public static func parse(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            if let name, let value, out[name] == nil { out[name] = value }
        }
        return out
    }

    static func decode(_ text: String) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
