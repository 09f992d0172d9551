/// One statement of a bucket policy.
public struct PolicyStatement: Sendable, Equatable {
    public enum Effect: String, Sendable {
        case allow = "Allow"
        case deny = "Deny"
    }

    /// A list of patterns, or (for `NotAction`, `NotResource`, `NotPrincipal`) its complement.
    public struct Match<Value: Sendable & Equatable>: Sendable, Equatable {
        public let values: Value
        public let negated: Bool
    }

    public let sid: String?
    public let effect: Effect
    public let principal: Match<PolicyPrincipal>
    public let actions: Match<[String]>
    public let resources: Match<[String]>
    public let conditions: [PolicyCondition]

    /// Whether the statement applies to `request`: its principal, action, resource and every condition.
    public func applies(to request: PolicyRequest) -> Bool {
        guard principal.values.matches(request.identity) != principal.negated else { return false }
        let actionMatched = actions.values.contains { WildcardPattern.matches($0, request.action, ignoringCase: true) }
        guard actionMatched != actions.negated else { return false }
        let resourceMatched = resources.values.contains { WildcardPattern.matches($0, request.resource) }
        guard resourceMatched != resources.negated else { return false }
        return conditions.allSatisfy { $0.holds(for: request) }
    }

    /// Whether the statement allows everyone (anonymous requests included) something: an Allow
    /// whose principal is `*`, or a NotPrincipal (which includes anonymous unless it names no one).
    public var allowsAnonymous: Bool {
        guard effect == .allow else { return false }
        return principal.negated ? true : principal.values == .everyone
    }

    /// AWS's definition of a public statement: it allows anonymous access and no condition pins
    /// the caller to fixed values (a source IP range other than /0, or a fixed user name or id).
    public var isPublic: Bool {
        guard allowsAnonymous else { return false }
        let pinned = conditions.contains { condition in
            switch (condition.operator.kind, condition.key.lowercased()) {
            case (.ipAddress, "aws:sourceip"):
                return !condition.operator.ifExists && condition.values.allSatisfy { (IPAddressBlock($0)?.prefixLength ?? 0) > 0 }
            case (.stringEquals, "aws:username"), (.stringEquals, "aws:userid"), (.stringEquals, "aws:sourcevpc"),
                 (.stringEquals, "aws:sourcevpce"), (.stringEquals, "aws:principalaccount"), (.stringEquals, "aws:sourceaccount"),
                 (.stringEquals, "aws:principalorgid"):
                return !condition.operator.ifExists && !condition.values.contains { WildcardPattern.hasWildcard($0) }
            default:
                return false
            }
        }
        return !pinned
    }
}
