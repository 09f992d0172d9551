public import Foundation
public import SouverainCatalogue
public import SouverainPolicy

/// A role as an admin defines it (admin API and CLI), validated into the record the catalogue
/// keeps: a valid name, a trust policy and a permission policy that parse, a maximum session of
/// 1 hour to 12 hours (AWS's MaxSessionDuration range).
public enum RoleDefinition {
    public static let defaultMaxSessionSeconds = 3600
    public static let maxSessionRange = 3600...43_200

    /// Throws `STSError`: ValidationError (name, duration) or MalformedPolicyDocument (with the reason).
    public static func validate(
        name: String, trustPolicy: String, permissionPolicy: String, maxSessionSeconds: Int?, now: Date
    ) throws(STSError) -> (record: RoleRecord, trust: TrustPolicy) {
        guard RoleName.isValid(name) else { throw .validation("A role name is 1 to 64 letters, digits or _+=,.@-") }
        let trust: TrustPolicy
        do { trust = try TrustPolicy.parse(trustPolicy) } catch { throw .malformedPolicy("Trust policy: \(error.message)") }
        do { _ = try PermissionPolicy.parse(permissionPolicy) } catch { throw .malformedPolicy("Permission policy: \(error.message)") }
        let maximum = maxSessionSeconds ?? defaultMaxSessionSeconds
        guard maxSessionRange.contains(maximum) else {
            throw .validation("The maximum session duration is 3600 to 43200 seconds, not \(maximum)")
        }
        return (RoleRecord(name: name, trustPolicy: trustPolicy, permissionPolicy: permissionPolicy, maxSessionSeconds: maximum, createdAt: now), trust)
    }

    /// The session length asked for (`DurationSeconds`), checked against `minimum` (900, or the
    /// `sts-min-session-seconds` setting) and `maximum`; `fallback` when none is asked for.
    public static func sessionSeconds(_ asked: Int?, minimum: Int, maximum: Int, fallback: Int) throws(STSError) -> Int {
        guard let asked else { return min(max(fallback, minimum), maximum) }
        guard asked >= minimum else {
            throw .validation("1 validation error detected: Value '\(asked)' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to \(minimum)")
        }
        guard asked <= maximum else {
            throw .validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role (\(maximum) seconds).")
        }
        return asked
    }
}
