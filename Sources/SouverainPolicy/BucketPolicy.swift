import Foundation

/// A bucket policy: the AWS policy language, parsed and validated for one bucket.
///
/// Parse with `BucketPolicy.parse(_:bucket:)`; evaluate with `evaluate(_:)`. Which requests the
/// other sources of access (owner, grants, ACLs) allow is the caller's to combine, in AWS's order
/// (`AccessDecision`): an explicit Deny anywhere wins, then any Allow, else an implicit deny.
public struct BucketPolicy: Sendable, Equatable {
    public let version: String
    public let id: String?
    public let statements: [PolicyStatement]

    /// The outcome of the policy alone for one request.
    public enum Decision: Sendable, Equatable {
        /// A Deny statement applies (its Sid, if it has one).
        case deny(sid: String?)
        /// An Allow statement applies and no Deny does.
        case allow(sid: String?)
        /// No statement applies.
        case notApplicable
    }

    public func evaluate(_ request: PolicyRequest) -> Decision {
        var allowed: PolicyStatement?
        for statement in statements where statement.applies(to: request) {
            if statement.effect == .deny { return .deny(sid: statement.sid) }
            if allowed == nil { allowed = statement }
        }
        return allowed.map { .allow(sid: $0.sid) } ?? .notApplicable
    }

    /// Whether any statement allows anonymous requests, whatever its conditions (what a
    /// classification that forbids public access refuses).
    public var allowsAnonymous: Bool { statements.contains(where: \.allowsAnonymous) }

    /// Whether the policy is public as AWS defines it (GetBucketPolicyStatus, BlockPublicPolicy).
    public var isPublic: Bool { statements.contains(where: \.isPublic) }

    /// The users (ids or names) the policy's principals name, so the caller can check they exist.
    public var namedUsers: Set<String> { statements.reduce(into: []) { $0.formUnion($1.principal.values.namedUsers) } }

    /// The largest policy AWS accepts, in bytes.
    public static let maximumSize = 20 * 1024

    static let versions: Set<String> = ["2012-10-17", "2008-10-17"]
    static let topLevel: Set<String> = ["Version", "Id", "Statement"]
    static let statementFields: Set<String> = [
        "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
    ]

    /// Parses and validates a policy for `bucket`. Throws `PolicyError` (MalformedPolicy) with
    /// the reason: not JSON, an unknown field, a missing or invalid Version, Effect, Principal,
    /// Action or Resource, a resource outside the bucket, an action that applies to none of the
    /// statement's resources, an unknown condition operator or a malformed condition value.
    public static func parse(_ text: String, bucket: String) throws(PolicyError) -> BucketPolicy {
        guard text.utf8.count <= maximumSize else { throw PolicyError("Policies must be no larger than 20 KB (this one is \(text.utf8.count) bytes)") }
        guard let parsed = JSONValue.parse(text) else { throw PolicyError("This policy contains invalid Json") }
        guard let document = parsed.object else { throw PolicyError("This policy contains invalid Json: the policy must be a JSON object") }
        if let unknown = document.keys.sorted().first(where: { !topLevel.contains($0) }) {
            throw PolicyError("Unknown field \(unknown)")
        }
        let version = try document["Version"].map { value throws(PolicyError) in
            guard let text = value.string, versions.contains(text) else {
                throw PolicyError("The policy must contain a valid version string (2012-10-17 or 2008-10-17)")
            }
            return text
        } ?? "2008-10-17"
        let id = document["Id"]?.string
        if document["Id"] != nil, id == nil { throw PolicyError("Id must be a string") }
        guard let statementValue = document["Statement"] else { throw PolicyError("Missing required field Statement") }
        let rawStatements = statementValue.array ?? [statementValue]
        guard !rawStatements.isEmpty else { throw PolicyError("Could not parse the policy: Statement is empty!") }
        var statements: [PolicyStatement] = []
        var sids: Set<String> = []
        for (index, raw) in rawStatements.enumerated() {
            let statement = try parseStatement(raw, index: index, bucket: bucket)
            if let sid = statement.sid, !sids.insert(sid).inserted {
                throw PolicyError("Statement IDs (SID) in a single policy must be unique: \(sid)")
            }
            statements.append(statement)
        }
        return BucketPolicy(version: version, id: id, statements: statements)
    }

    static func parseStatement(_ raw: JSONValue, index: Int, bucket: String) throws(PolicyError) -> PolicyStatement {
        guard let object = raw.object else { throw PolicyError("Statement \(index + 1) must be a JSON object") }
        if let unknown = object.keys.sorted().first(where: { !statementFields.contains($0) }) {
            throw PolicyError("Unknown field \(unknown)")
        }
        let sid = object["Sid"]?.string
        if object["Sid"] != nil, sid == nil { throw PolicyError("Sid must be a string") }
        let name = sid.map { "statement \($0)" } ?? "statement \(index + 1)"
        guard let effectText = object["Effect"] else { throw PolicyError("Missing required field Effect in \(name)") }
        guard let effect = effectText.string.flatMap(PolicyStatement.Effect.init(rawValue:)) else {
            throw PolicyError("Invalid effect in \(name): \(effectText.summary) (Allow or Deny)")
        }
        let principal = try exactlyOne("Principal", "NotPrincipal", in: object, name: name)
        let principalMatch = PolicyStatement.Match(
            values: try PolicyPrincipal.parse(principal.value, element: principal.field), negated: principal.field == "NotPrincipal")
        let action = try exactlyOne("Action", "NotAction", in: object, name: name)
        let actions = try strings(action.value, element: action.field)
        for pattern in actions { try validateAction(pattern) }
        let resource = try exactlyOne("Resource", "NotResource", in: object, name: name)
        let resources = try strings(resource.value, element: resource.field)
        for pattern in resources {
            try refuseVariables(pattern, element: resource.field)
            try validateResource(pattern, bucket: bucket)
        }
        if action.field == "Action", resource.field == "Resource" {
            try checkApplicable(actions, resources, name: name)
        }
        let conditions = try parseConditions(object["Condition"], name: name)
        return PolicyStatement(
            sid: sid, effect: effect, principal: principalMatch,
            actions: .init(values: actions, negated: action.field == "NotAction"),
            resources: .init(values: resources, negated: resource.field == "NotResource"),
            conditions: conditions)
    }

    /// The one of two mutually exclusive fields the statement has.
    static func exactlyOne(_ field: String, _ negated: String, in object: [String: JSONValue], name: String) throws(PolicyError) -> (field: String, value: JSONValue) {
        switch (object[field], object[negated]) {
        case (let value?, nil): return (field, value)
        case (nil, let value?): return (negated, value)
        case (.some, .some): throw PolicyError("\(name) has both \(field) and \(negated): give one")
        case (nil, nil): throw PolicyError("Missing required field \(field) in \(name)")
        }
    }

    /// A string or a non-empty list of strings.
    static func strings(_ value: JSONValue, element: String) throws(PolicyError) -> [String] {
        if let text = value.string { return [text] }
        guard let list = value.array, !list.isEmpty else { throw PolicyError("\(element) must be a string or a non-empty list of strings") }
        var out: [String] = []
        for item in list {
            guard let text = item.string else { throw PolicyError("\(element) must be a string or a non-empty list of strings") }
            out.append(text)
        }
        return out
    }

    /// Policy variables (`${aws:username}`) are not expanded; read literally, a Deny naming one
    /// would never apply, so a policy using one is refused rather than half honoured.
    static func refuseVariables(_ text: String, element: String) throws(PolicyError) {
        guard !text.contains("${") else {
            throw PolicyError("Policy variables are not supported by Souverain (\(element): \(text)); name the resources or values themselves")
        }
    }

    static func validateAction(_ pattern: String) throws(PolicyError) {
        if pattern == "*" { return }
        guard pattern.lowercased().hasPrefix("s3:") else { throw PolicyError("Policy has invalid action: \(pattern) (bucket policies name s3: actions)") }
        if WildcardPattern.hasWildcard(pattern) {
            guard !S3Actions.matching(pattern).isEmpty else { throw PolicyError("Policy has invalid action: \(pattern) matches no S3 action") }
        } else {
            guard S3Actions.kind(of: pattern) != nil else { throw PolicyError("Policy has invalid action: \(pattern)") }
        }
    }

    /// A resource is `*`, the bucket's ARN or an object ARN in it (wildcards allowed, as long as
    /// the bucket part can name this bucket).
    static func validateResource(_ pattern: String, bucket: String) throws(PolicyError) {
        if pattern == "*" { return }
        let prefix = "arn:aws:s3:::"
        guard pattern.hasPrefix(prefix) else { throw PolicyError("Policy has invalid resource: \(pattern) (arn:aws:s3:::\(bucket) or arn:aws:s3:::\(bucket)/KEY)") }
        let path = pattern.dropFirst(prefix.count)
        let bucketPart = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let namesBucket = WildcardPattern.matches(String(bucketPart), bucket)
            || (WildcardPattern.hasWildcard(String(bucketPart)) && WildcardPattern.matches(String(path), bucket))
        guard namesBucket else {
            throw PolicyError("Policy has invalid resource: \(pattern) is outside the bucket \(bucket)")
        }
    }

    /// AWS refuses a statement with an action that none of its resources can be: an object
    /// action on the bucket ARN alone, ListBucket on objects only, an account-level action.
    static func checkApplicable(_ actions: [String], _ resources: [String], name: String) throws(PolicyError) {
        let mayBeObject = resources.contains { $0 == "*" || $0.contains("/") || $0.dropFirst("arn:aws:s3:::".count).contains("*") }
        let mayBeBucket = resources.contains { !$0.contains("/") }
        for action in actions where !WildcardPattern.hasWildcard(action) {
            let applies = switch S3Actions.kind(of: action) {
            case .object?: mayBeObject
            case .bucket?: mayBeBucket
            case .account?, nil: false
            }
            guard applies else { throw PolicyError("Action does not apply to any resource(s) in statement: \(action) in \(name)") }
        }
    }

    /// `anyNamespace`: condition keys of any `namespace:name` form are accepted (a role's trust
    /// policy tests an OpenID Connect issuer's claims, `issuer:sub`), not only `aws:` and `s3:` ones.
    static func parseConditions(_ value: JSONValue?, name: String, anyNamespace: Bool = false) throws(PolicyError) -> [PolicyCondition] {
        guard let value else { return [] }
        guard let block = value.object else { throw PolicyError("Condition in \(name) must be an object of operators") }
        var out: [PolicyCondition] = []
        for operatorName in block.keys.sorted() {
            let op = try ConditionOperator.parse(operatorName)
            guard let keys = block[operatorName]?.object, !keys.isEmpty else {
                throw PolicyError("Condition \(operatorName) in \(name) must be an object of condition keys")
            }
            for key in keys.keys.sorted() {
                let lower = key.lowercased()
                guard lower.hasPrefix("aws:") || lower.hasPrefix("s3:") || (anyNamespace && lower.contains(":") && !lower.hasPrefix(":")) else {
                    throw PolicyError("Policy has an invalid condition key: \(key)")
                }
                let values = try conditionValues(keys[key]!, key: key)
                for value in values {
                    try refuseVariables(value, element: "condition \(key)")
                    try PolicyCondition.validate(op.kind, value, key: key)
                }
                out.append(PolicyCondition(operator: op, key: key, values: values))
            }
        }
        return out
    }

    /// Condition values: strings, booleans or numbers, alone or in a list, compared as text.
    static func conditionValues(_ value: JSONValue, key: String) throws(PolicyError) -> [String] {
        let items = value.array ?? [value]
        guard !items.isEmpty else { throw PolicyError("Condition \(key) has no value") }
        var out: [String] = []
        for item in items {
            guard let text = item.scalarText else {
                throw PolicyError("Invalid value in condition \(key): values are strings, numbers or booleans, not \(item.summary)")
            }
            out.append(text)
        }
        return out
    }
}
