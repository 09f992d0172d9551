import Foundation
import SouverainReport
import Testing

@Suite struct DORARegisterTests {
    func facts() -> ReportFacts {
        var facts = ReportFixtures.facts()
        facts.locations += [ReportFixtures.location(id: "cloud-a"), ReportFixtures.location(id: "us", nonEULawExposure: true)]
        facts.buckets[0].locations.append(ReportFacts.BucketLocation(location: "cloud-a", objects: 2, bytes: 300))
        facts.classifications = [ReportFacts.ClassificationPlacement(name: "health", eligible: ["cloud-a", "onprem", "us"], refusal: nil)]
        facts.exitPlans = ExitPlans.evaluate(facts)
        return facts
    }

    @Test func theColumnsAreTheTemplatesOwnInOrder() {
        #expect(DORARegister.providers.map(\.code) == (1...12).map { String(format: "c%04d", $0 * 10) })
        #expect(DORARegister.arrangements.map(\.code) == (1...18).map { String(format: "c%04d", $0 * 10) })
        #expect(DORARegister.assessments.map(\.code) == (1...12).map { String(format: "c%04d", $0 * 10) })
        #expect(DORARegister.providers[7].name == "Country of the ICT third-party service provider's headquarters")
        #expect(DORARegister.providers[10].name.contains("ultimate parent"))
        #expect(DORARegister.arrangements[14].name == "Location of the data at rest (storage)")
        #expect(DORARegister.assessments[7].name == "Existence of an exit plan")
    }

    @Test func onlyWhatTheStateEstablishesIsFilledAndTheRestIsTheOperators() throws {
        let (tables, fields) = DORARegister.register(facts())
        let providers = try #require(tables.first { $0.template == "B_05.01" })
        // Third parties only: the organisation's own disk is not an ICT third-party service.
        #expect(providers.rows.count == 2)
        #expect(providers.rows[0] == ["", "", "", "", "", "", "", "FR", "", "", "", ""])
        #expect(providers.rows[1][7] == "US")
        let arrangements = try #require(tables.first { $0.template == "B_02.02" })
        #expect(arrangements.rows.map { [$0[12], $0[13], $0[14]] } == [["FR", "true", "FR"], ["FR", "false", ""]])
        let assessments = try #require(tables.first { $0.template == "B_07.01" })
        #expect(assessments.rows[0][7] == "true")
        #expect(assessments.rows[0][11] == "Provider us; the organisation (on-premise)")
        // Every empty cell is named for the operator, and no filled one is.
        for table in tables {
            for (index, row) in table.rows.enumerated() {
                for (column, value) in zip(table.columns, row) {
                    let listed = fields.contains { $0.template == table.template && $0.row == index + 1 && $0.column == column.code }
                    #expect(listed == value.isEmpty, "\(table.template) row \(index + 1) \(column.code)")
                }
            }
        }
        #expect(fields.contains { $0.template == "B_05.01" && $0.column == "c0050" && $0.hint == "registry name: Provider cloud-a" })
    }

    @Test func theCSVIsQuotedByTheLibrary() throws {
        let table = DORARegister.Table(template: "B_05.01", columns: Array(DORARegister.providers.prefix(2)), rows: [["a,b", "say \"x\""]])
        #expect(try DORARegister.csv(table) == "c0010,c0020\n\"a,b\",\"say \"\"x\"\"\"\n")
    }
}
