import Foundation

/// A role's permission policy (docs/sts.md): an identity-based policy in the AWS policy language,
/// evaluated for every request of a session of the role. It has no `Principal` (it applies to the
/// session itself); its actions are S3's (`s3:GetObject`, `s3:*`) and the admin API's, named
/// `souverain:<AdminAction>` (`souverain:ReadAuditTrail`, `souverain:*`); its resources are S3 ARNs
/// or `*`.
///
/// A session may do only what an Allow statement names and no Deny statement does: nothing is
/// allowed by default, and the bucket policies still apply on top (their explicit Deny wins).
public struct PermissionPolicy: Sendable, Equatable {
    public let version: String
    public let statements: [PolicyStatement]

    static let statementFields: Set<String> = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"]

    /// The largest permission policy accepted, in bytes (AWS's inline role policy limit).
    public static let maximumSize = 10 * 1024

    /// Parses and validates a permission policy. Throws `PolicyError` with the reason
    /// (MalformedPolicyDocument): not JSON, a Principal, an unknown field, an action that is
    /// neither an S3 action nor `souverain:`, a resource that is not an S3 ARN or `*`.
    public static func parse(_ text: String) throws(PolicyError) -> PermissionPolicy {
        guard text.utf8.count <= maximumSize else { throw PolicyError("Permission policies must be no larger than 10 KB (this one is \(text.utf8.count) bytes)") }
        let (version, rawStatements) = try document(text)
        var statements: [PolicyStatement] = []
        for (index, raw) in rawStatements.enumerated() {
            let header = try RoleStatementHeader(
                raw, index: index, known: statementFields, prohibited: ["Principal", "NotPrincipal"],
                refusal: "Has prohibited field Principal: a permission policy applies to the role's sessions")
            let (object, sid, name, effect) = (header.object, header.sid, header.name, header.effect)
            let action = try BucketPolicy.exactlyOne("Action", "NotAction", in: object, name: name)
            let actions = try BucketPolicy.strings(action.value, element: action.field)
            for pattern in actions where !pattern.lowercased().hasPrefix("souverain:") {
                try BucketPolicy.validateAction(pattern)
            }
            let resource = try BucketPolicy.exactlyOne("Resource", "NotResource", in: object, name: name)
            let resources = try BucketPolicy.strings(resource.value, element: resource.field)
            for pattern in resources {
                try BucketPolicy.refuseVariables(pattern, element: resource.field)
                guard pattern == "*" || pattern.hasPrefix("arn:aws:s3:::") else {
                    throw PolicyError("Policy has invalid resource: \(pattern) (arn:aws:s3:::BUCKET, arn:aws:s3:::BUCKET/KEY or *)")
                }
            }
            statements.append(PolicyStatement(
                sid: sid, effect: effect, principal: .init(values: .everyone, negated: false),
                actions: .init(values: actions, negated: action.field == "NotAction"),
                resources: .init(values: resources, negated: resource.field == "NotResource"),
                conditions: try BucketPolicy.parseConditions(object["Condition"], name: name)))
        }
        return PermissionPolicy(version: version, statements: statements)
    }

    /// The policy's decision for one request: a Deny that applies wins, then an Allow; else nothing
    /// applies (an implicit deny for a session).
    public func evaluate(_ request: PolicyRequest) -> BucketPolicy.Decision {
        var allowed: PolicyStatement?
        for statement in statements where statement.applies(to: request) {
            if statement.effect == .deny { return .deny(sid: statement.sid) }
            if allowed == nil { allowed = statement }
        }
        return allowed.map { .allow(sid: $0.sid) } ?? .notApplicable
    }

    /// The Version and the statements of a policy document (shared with trust policies).
    static func document(_ text: String) throws(PolicyError) -> (String, [JSONValue]) {
        guard let parsed = JSONValue.parse(text), let document = parsed.object else { throw PolicyError("This policy contains invalid Json") }
        if let unknown = document.keys.sorted().first(where: { !BucketPolicy.topLevel.contains($0) }) {
            throw PolicyError("Unknown field \(unknown)")
        }
        guard let version = document["Version"]?.string, BucketPolicy.versions.contains(version) else {
            throw PolicyError("The policy must contain a valid version string (2012-10-17 or 2008-10-17)")
        }
        guard let statementValue = document["Statement"] else { throw PolicyError("Missing required field Statement") }
        let raw = statementValue.array ?? [statementValue]
        guard !raw.isEmpty else { throw PolicyError("Could not parse the policy: Statement is empty!") }
        return (version, raw)
    }
}
