public import Foundation

/// A role's trust policy (docs/sts.md): who may assume the role. Each statement names principals,
/// `sts:` actions and conditions, and no resource (the role is the resource):
///
/// - `{"AWS": "arn:aws:iam::souverain:user/NAME"}` (any account part), or a user's name or id:
///   a Souverain user, through `sts:AssumeRole` (signed with its access key);
/// - `{"Federated": "https://issuer.example/realms/x"}`: a web identity from that OpenID Connect
///   issuer, through `sts:AssumeRoleWithWebIdentity`, whose claims the conditions test under
///   `ISSUER:CLAIM`, the issuer without its scheme as AWS writes it (`issuer.example/realms/x:sub`,
///   `…:aud`, `…:email`), with the usual operators (`StringEquals`, `StringLike`, …);
/// - `"*"`: any authenticated caller, user or web identity (conditions should then narrow it).
public struct TrustPolicy: Sendable, Equatable {
    public let statements: [Statement]

    public struct Statement: Sendable, Equatable {
        public let sid: String?
        public let effect: PolicyStatement.Effect
        /// Everyone (`"*"`), or these users (names or ids) and issuers (without scheme or trailing slash).
        public let everyone: Bool
        public let users: Set<String>
        public let issuers: Set<String>
        public let actions: [String]
        public let conditions: [PolicyCondition]
    }

    /// Who asks to assume the role.
    public enum Caller: Sendable, Equatable {
        /// A Souverain user, signed with its own access key.
        case user(id: String, name: String)
        /// A verified OpenID Connect token: its issuer (as the token names it) and its claims, each
        /// as strings (a list claim such as `aud` keeps every value).
        case webIdentity(issuer: String, claims: [String: [String]])
    }

    static let statementFields: Set<String> = ["Sid", "Effect", "Principal", "Action", "Condition"]
    static let actions = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity"]

    /// Parses and validates a trust policy; throws `PolicyError` with the reason.
    public static func parse(_ text: String) throws(PolicyError) -> TrustPolicy {
        guard text.utf8.count <= 2048 * 4 else { throw PolicyError("Trust policies must be no larger than 8 KB") }
        let (_, raw) = try PermissionPolicy.document(text)
        var statements: [Statement] = []
        for (index, item) in raw.enumerated() {
            let header = try RoleStatementHeader(
                item, index: index, known: statementFields, prohibited: ["Resource", "NotResource"],
                refusal: "Has prohibited field Resource: a trust policy's resource is its role")
            let (object, sid, name, effect) = (header.object, header.sid, header.name, header.effect)
            guard let principal = object["Principal"] else { throw PolicyError("Missing required field Principal in \(name)") }
            var everyone = false
            var users: Set<String> = []
            var issuers: Set<String> = []
            if let text = principal.string {
                guard text == "*" else { throw PolicyError("Invalid principal in policy: \(text)") }
                everyone = true
            } else if let kinds = principal.object, !kinds.isEmpty {
                for kind in kinds.keys.sorted() {
                    let entries = try BucketPolicy.strings(kinds[kind]!, element: "Principal.\(kind)")
                    switch kind {
                    case "AWS":
                        for entry in entries {
                            if entry == "*" { everyone = true } else { users.insert(try PolicyPrincipal.user(named: entry)) }
                        }
                    case "Federated":
                        for entry in entries {
                            guard !entry.isEmpty, !entry.hasPrefix("arn:") else {
                                throw PolicyError("Invalid principal in policy: Federated \(entry) must be an OpenID Connect issuer URL")
                            }
                            issuers.insert(Self.conditionPrefix(issuer: entry))
                        }
                    default:
                        throw PolicyError("Invalid principal in policy: \(kind) principals are not supported (AWS users and Federated issuers)")
                    }
                }
            } else {
                throw PolicyError("Invalid principal in policy: Principal must be \"*\" or an object such as {\"Federated\": \"https://issuer\"}")
            }
            guard let actionValue = object["Action"] else { throw PolicyError("Missing required field Action in \(name)") }
            let actions = try BucketPolicy.strings(actionValue, element: "Action")
            for action in actions {
                guard action == "*" || action == "sts:*" || Self.actions.contains(where: { $0.caseInsensitiveCompare(action) == .orderedSame }) else {
                    throw PolicyError("Policy has invalid action: \(action) (sts:AssumeRole or sts:AssumeRoleWithWebIdentity)")
                }
            }
            statements.append(Statement(
                sid: sid, effect: effect, everyone: everyone, users: users, issuers: issuers, actions: actions,
                conditions: try BucketPolicy.parseConditions(object["Condition"], name: name, anyNamespace: true)))
        }
        return TrustPolicy(statements: statements)
    }

    /// Whether the policy lets `caller` take `action` (`sts:AssumeRole` or
    /// `sts:AssumeRoleWithWebIdentity`) at `now` from `sourceIP`: some Allow applies and no Deny does.
    public func allows(_ caller: Caller, action: String, sourceIP: String?, now: Date) -> Bool {
        var request: PolicyRequest
        switch caller {
        case .user(let id, let name):
            request = PolicyRequest(identity: .user(id: id, name: name), action: action, resource: "*", sourceIP: sourceIP, secureTransport: false, now: now)
        case .webIdentity(let issuer, let claims):
            request = PolicyRequest(identity: .anonymous, action: action, resource: "*", sourceIP: sourceIP, secureTransport: false, now: now)
            let prefix = Self.conditionPrefix(issuer: issuer)
            for (claim, values) in claims { request.set(prefix + ":" + claim, values: values) }
            // AWS's own keys for web identities: the token's sub and aud.
            request.set("aws:FederatedProvider", prefix)
        }
        var allowed = false
        for statement in statements where statement.applies(to: caller, action: action, request: request) {
            if statement.effect == .deny { return false }
            allowed = true
        }
        return allowed
    }

    /// An issuer URL as condition keys and `Federated` principals name it: without `https://` or
    /// `http://` and without a trailing slash (`accounts.google.com`, `sso.example/realms/x`).
    public static func conditionPrefix(issuer: String) -> String {
        var text = issuer
        for scheme in ["https://", "http://"] where text.lowercased().hasPrefix(scheme) { text = String(text.dropFirst(scheme.count)) }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// The users (names or ids) the policy names, so the caller can check they exist.
    public var namedUsers: Set<String> { statements.reduce(into: []) { $0.formUnion($1.users) } }
}

extension TrustPolicy.Statement {
    func applies(to caller: TrustPolicy.Caller, action: String, request: PolicyRequest) -> Bool {
        guard actions.contains(where: { WildcardPattern.matches($0, action, ignoringCase: true) }) else { return false }
        let principalMatches: Bool
        switch caller {
        case .user(let id, let name):
            principalMatches = everyone || users.contains(id) || users.contains(name)
        case .webIdentity(let issuer, _):
            principalMatches = everyone || issuers.contains(TrustPolicy.conditionPrefix(issuer: issuer))
        }
        guard principalMatches else { return false }
        return conditions.allSatisfy { $0.holds(for: request) }
    }
}
