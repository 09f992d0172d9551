/// Each control of the table, with what this installation's facts say about its evidence: the
/// `controls` section of report.json.
public enum ControlAssessment {
    /// Whether one report section supports the controls that cite it: the trail verifies, every
    /// object is encrypted, every copy is where the rules allow, the key store could be read, no
    /// location fact is stale. `buckets` is the placement of every copy: always shown.
    public static func holds(_ section: String, in facts: ReportFacts) -> Bool {
        switch section {
        case "audit": facts.audit.verified
        case "encryption": facts.encryption.complete
        case "misplaced": facts.misplaced.isEmpty
        case "keys": facts.keys.storeUnavailable == nil
        case "locations": facts.locations.allSatisfy { $0.staleFacts.isEmpty }
        case "exitPlans": !facts.exitPlans.contains(where: \.concentrationRisk)
        default: true
        }
    }

    public static func evaluate(_ catalogue: ControlCatalogue, facts: ReportFacts) -> [ReportFacts.Control] {
        catalogue.controls.sorted { $0.key < $1.key }.map { id, entry in
            let evidence = entry.evidence ?? []
            return ReportFacts.Control(
                id: id, framework: String(id.prefix { $0 != "-" }), role: entry.role, requirement: entry.requirement,
                status: entry.status.rawValue, mechanism: entry.mechanism, tests: entry.tests ?? [], evidence: evidence,
                evidenceHolds: evidence.isEmpty ? nil : evidence.allSatisfy { holds($0, in: facts) },
                note: entry.note, operatorDeclaration: entry.status == .operatorDeclaration ? "" : nil)
        }
    }
}
