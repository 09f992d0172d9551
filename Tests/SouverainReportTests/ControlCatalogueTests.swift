import Foundation
import SouverainReport
import Testing

/// The control table against the catalogue it serves and the repository it cites.
@Suite struct ControlCatalogueTests {
    /// The repository's root, from this file's path (Tests/SouverainReportTests/…).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// requirements.md lives in shared/, beside the repository (as in CI).
    static let requirementsPath = root.deletingLastPathComponent().appendingPathComponent("shared/reference/requirements.md").path

    @Test(.enabled(if: FileManager.default.fileExists(atPath: requirementsPath)))
    func everyPlatformOrLocationControlHasExactlyOneEntry() throws {
        let markdown = try String(contentsOfFile: Self.requirementsPath, encoding: .utf8)
        let wanted = RequirementsCatalogue.parse(markdown).filter(\.concernsPlatformOrLocation)
        let ids = wanted.map(\.id)
        #expect(Set(ids).count == ids.count, "requirements.md repeats an identifier")
        let table = try ControlCatalogue.shipped()
        let missing = Set(ids).subtracting(table.controls.keys).sorted()
        let extra = Set(table.controls.keys).subtracting(ids).sorted()
        #expect(missing.isEmpty, "controls with no entry in controls.json: \(missing)")
        #expect(extra.isEmpty, "entries for controls that are not platform or location controls of requirements.md: \(extra)")
        for control in wanted {
            #expect(table.controls[control.id]?.role == control.role, "\(control.id): the role differs from requirements.md")
        }
    }

    @Test func everyEntryObeysTheStatusRules() throws {
        let table = try ControlCatalogue.shipped()
        let problems = table.controls.sorted { $0.key < $1.key }.flatMap { ControlCatalogue.problems($0.key, $0.value) }
        #expect(problems.isEmpty, "\(problems)")
        #expect(table.controls.count > 100)
    }

    @Test func everyNamedTestExistsInTheRepository() throws {
        let table = try ControlCatalogue.shipped()
        var named = Set<String>()
        for entry in table.controls.values { named.formUnion(entry.tests ?? []) }
        #expect(!named.isEmpty)
        for test in named.sorted() {
            let parts = test.components(separatedBy: "::")
            let path = Self.root.appendingPathComponent(parts[0]).path
            let source = try #require(try? String(contentsOfFile: path, encoding: .utf8), "\(test): no file \(parts[0])")
            let declared = source.contains("def \(parts[1])(") || source.contains("func \(parts[1])(")
            #expect(declared, "\(test): \(parts[0]) declares no test \(parts[1])")
        }
    }

    @Test func theStatusRulesRefuseIncompleteEntries() {
        typealias Entry = ControlCatalogue.Entry
        let bare = Entry(status: .enforced, requirement: "r", role: "P", mechanism: nil, tests: nil, evidence: nil, note: nil)
        #expect(ControlCatalogue.problems("X-1", bare) == ["X-1: enforced without a mechanism", "X-1: enforced without a test that proves it"])
        let evidenced = Entry(status: .evidenced, requirement: "r", role: "L", mechanism: nil, tests: nil, evidence: ["weather"], note: nil)
        #expect(ControlCatalogue.problems("X-2", evidenced) == ["X-2: unknown evidence section 'weather'"])
        let declaration = Entry(status: .operatorDeclaration, requirement: "r", role: "L", mechanism: nil, tests: nil, evidence: nil, note: "")
        #expect(ControlCatalogue.problems("X-3", declaration) == ["X-3: operator-declaration without a note saying why"])
        let loose = Entry(status: .enforced, requirement: "r", role: "P", mechanism: "m", tests: ["tests/x.py"], evidence: nil, note: nil)
        #expect(ControlCatalogue.problems("X-4", loose) == ["X-4: test 'tests/x.py' is not file::function"])
    }

    @Test func theParserTakesTheFirstWordAndTheRoleColumn() {
        let markdown = """
            | ID | Requirement | Role | Enforce |
            |---|---|---|---|
            | SNC-19.1.h [also 19.1.i] | Reversibility. | P/L | export |
            | GDPR-49 | Derogations. | C | — |
            | ID | Statement | Use |
            |---|---|---|
            | EXT-CLOUD | US law. | flag |
            """
        let controls = RequirementsCatalogue.parse(markdown)
        #expect(controls.map(\.id) == ["SNC-19.1.h", "GDPR-49"])
        #expect(controls.map(\.concernsPlatformOrLocation) == [true, false])
    }

    @Test func evidenceHoldsOnlyWhenItsSectionsSupportIt() throws {
        let table = try ControlCatalogue.shipped()
        var facts = ReportFixtures.facts()
        let healthy = ControlAssessment.evaluate(table, facts: facts)
        #expect(healthy.allSatisfy { $0.evidenceHolds != false })
        facts.audit.verified = false
        let broken = ControlAssessment.evaluate(table, facts: facts)
        let trail = try #require(broken.first { $0.id == "SNC-12.7" })
        #expect(trail.evidenceHolds == false && trail.status == "enforced")
        let declaration = try #require(broken.first { $0.status == "operator-declaration" })
        #expect(declaration.operatorDeclaration == "" && declaration.evidenceHolds == nil)
        #expect(Set(broken.map(\.framework)).isSuperset(of: ["SNC", "HDS", "GDPR", "DORA", "NIS2"]))
        facts.exitPlans = [ReportFacts.ExitPlan(
            providerID: "p", providerName: "P", ultimateParent: nil, locations: ["onprem"], objects: 1, bytes: 1, buckets: [],
            concentrationRisk: true, estimatedTime: ExitPlans.notMeasured)]
        let concentrated = ControlAssessment.evaluate(table, facts: facts)
        #expect(concentrated.first { $0.id == "DORA-29.1" }?.evidenceHolds == false)
    }
}
