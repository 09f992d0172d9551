/// Who a request is from, as a policy sees it: independent of how the identity was established
/// (a SigV4 access key today; a role session later), so a policy names principals, not credentials.
public enum PolicyIdentity: Sendable, Equatable {
    /// An unsigned request.
    case anonymous
    /// A Souverain user, by its stable id and its name.
    case user(id: String, name: String)

    public var isAnonymous: Bool { self == .anonymous }
}

/// What a statement's `Principal` (or `NotPrincipal`) names.
///
/// Souverain maps AWS's forms to its users: `"*"` and `{"AWS": "*"}` are everyone, anonymous
/// requests included; `{"AWS": "arn:aws:iam::<any account>:user/<name>"}` (a path before the name
/// is allowed) is the user of that name; `{"AWS": "<id or name>"}` and `{"CanonicalUser": "<id>"}`
/// are the user with that id or name. Account principals (`arn:aws:iam::<account>:root`, a bare
/// 12-digit account) delegate to IAM policies that Souverain does not have, and services and
/// federated principals have no meaning here: they are refused as "Invalid principal in policy".
public enum PolicyPrincipal: Sendable, Equatable {
    case everyone
    /// Users named by id or by name.
    case users(Set<String>)

    public func matches(_ identity: PolicyIdentity) -> Bool {
        switch (self, identity) {
        case (.everyone, _): true
        case (.users, .anonymous): false
        case (.users(let names), .user(let id, let name)): names.contains(id) || names.contains(name)
        }
    }

    /// The user ids or names the principal names (none for everyone), to check they exist.
    public var namedUsers: Set<String> {
        switch self {
        case .everyone: []
        case .users(let names): names
        }
    }

    /// Reads a `Principal` value: `"*"` or an object of `AWS` / `CanonicalUser` to a string or a list.
    static func parse(_ value: JSONValue, element: String) throws(PolicyError) -> PolicyPrincipal {
        if let text = value.string {
            guard text == "*" else { throw PolicyError("Invalid principal in policy: \(element) must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::000000000000:user/NAME\"}, not \"\(text)\"") }
            return .everyone
        }
        guard let object = value.object, !object.isEmpty else {
            throw PolicyError("Invalid principal in policy: \(element) must be \"*\" or an object such as {\"AWS\": [...]}")
        }
        var names: Set<String> = []
        for kind in object.keys.sorted() {
            let entries = object[kind]!
            guard kind == "AWS" || kind == "CanonicalUser" else {
                throw PolicyError("Invalid principal in policy: \(kind) principals are not supported (only AWS and CanonicalUser, naming Souverain users)")
            }
            for entry in try BucketPolicy.strings(entries, element: "\(element).\(kind)") {
                if entry == "*" {
                    guard kind == "AWS" else { throw PolicyError("Invalid principal in policy: CanonicalUser \"*\"") }
                    return .everyone
                }
                names.insert(try user(named: entry))
            }
        }
        return .users(names)
    }

    /// The user id or name an `AWS` principal entry names.
    static func user(named entry: String) throws(PolicyError) -> String {
        guard entry.hasPrefix("arn:") else {
            if entry.count == 12, entry.allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw PolicyError("Invalid principal in policy: account \(entry): Souverain has no accounts; name users (arn:aws:iam::ACCOUNT:user/NAME, or a user id or name)")
            }
            guard !entry.isEmpty else { throw PolicyError("Invalid principal in policy: an empty principal") }
            return entry
        }
        let fields = entry.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[1] == "aws", fields[2] == "iam", fields[5].hasPrefix("user/") else {
            throw PolicyError("Invalid principal in policy: \(entry): only user ARNs (arn:aws:iam::ACCOUNT:user/NAME) name Souverain users")
        }
        guard let name = fields[5].split(separator: "/").last, fields[5].count > 5, !name.isEmpty else {
            throw PolicyError("Invalid principal in policy: \(entry) names no user")
        }
        return String(name)
    }
}
