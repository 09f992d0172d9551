/// The rules that turn facts into the problems a report flags. Pure: one rule, one code
/// (docs/report-format.md lists them), each tested in ReportFindingsTests.
public enum ReportFindings {
    public static func evaluate(_ facts: ReportFacts) -> [ReportFacts.Finding] {
        typealias Finding = ReportFacts.Finding
        var found: [Finding] = []
        let audit = facts.audit
        if !audit.verified {
            found.append(Finding(
                severity: "critical", code: "trail-broken", subject: "audit trail",
                message: "the audit trail does not verify: \(audit.verifierResult)"))
        }
        if audit.unsignedTail > 0 {
            found.append(Finding(
                severity: "info", code: "trail-unsigned-tail", subject: "audit trail",
                message: "\(audit.unsignedTail) record(s) after the last checkpoint are chained but not signed yet"))
        }
        for item in facts.misplaced {
            let to = item.allowed.isEmpty ? "no location is allowed: the rules must change" : "may go to \(item.allowed.joined(separator: ", "))"
            found.append(Finding(
                severity: "critical", code: "misplaced-bytes", subject: "\(item.bucket) at \(item.location)",
                message: "\(item.objects) object(s), \(item.bytes) bytes stored where the '\(item.classification)' rules no longer allow (\(item.reasons.joined(separator: "; "))); \(to)"))
        }
        let used = Set(facts.buckets.flatMap { $0.locations.map(\.location) })
        for location in facts.locations {
            let stale = location.staleFacts
            if !stale.isEmpty {
                found.append(Finding(
                    severity: "warning", code: "stale-facts", subject: location.id,
                    message: "\(stale.count) registry fact(s) about \(location.providerName) are older than \(facts.installation.maxFactAgeDays) days: \(stale.map { "\($0.field) (as of \($0.asOf))" }.joined(separator: ", ")); import a newer registry"))
            }
            if location.nonEULawExposure {
                found.append(Finding(
                    severity: used.contains(location.id) ? "warning" : "info", code: "non-eu-law-exposure", subject: location.id,
                    message: "\(location.providerName) is within reach of a non-EU law (\(exposureSummary(location)))" + (used.contains(location.id) ? "; it holds data" : "; it holds no data")))
            }
            if !location.qualified && !location.onPremise {
                found.append(Finding(
                    severity: "info", code: "unqualified-location", subject: location.id,
                    message: "\(location.providerName) holds no qualification that counts (SecNumCloud J3, or a certified HDS, ISO 27001, C5, ENS or EUCS) in the registry"))
            }
        }
        for bucket in facts.buckets where bucket.shreddedAt == nil && bucket.encryptedObjects < bucket.objects {
            found.append(Finding(
                severity: "warning", code: "unencrypted-objects", subject: bucket.name,
                message: "\(bucket.objects - bucket.encryptedObjects) of \(bucket.objects) object(s) are stored in clear"))
        }
        for bucket in facts.buckets {
            if let shredded = bucket.shreddedAt {
                found.append(Finding(
                    severity: "info", code: "bucket-shredded", subject: bucket.name,
                    message: "the bucket's keys were destroyed at \(shredded): its \(bucket.objects) object(s) can never be read again, at any location"))
            }
        }
        for plan in facts.exitPlans where plan.concentrationRisk {
            let stuck = plan.buckets.filter(\.alternatives.isEmpty).map(\.bucket)
            found.append(Finding(
                severity: "warning", code: "concentration-risk", subject: plan.providerID,
                message: "no other provider's location is allowed for \(stuck.joined(separator: ", ")): leaving \(plan.providerName) needs a change of rules (none: the rules must change)"))
        }
        if let reason = facts.keys.storeUnavailable {
            found.append(Finding(
                severity: "warning", code: "key-store-unavailable", subject: "key store",
                message: "the master key versions could not be listed: \(reason)"))
        }
        let denied = audit.deniedByBucket.values.reduce(0, +)
        if denied > 0 {
            found.append(Finding(
                severity: "info", code: "denied-requests", subject: "audit trail",
                message: "\(denied) request(s) were refused (401/403) in the period"))
        }
        return found
    }

    static func exposureSummary(_ location: ReportFacts.Location) -> String {
        var parts = location.exposure.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        if let seat = location.legalSeatCountry { parts.append("seat \(seat)") }
        if let parent = location.ultimateParentCountry { parts.append("parent in \(parent)") }
        parts += location.exposureOther
        return parts.joined(separator: "; ")
    }
}
