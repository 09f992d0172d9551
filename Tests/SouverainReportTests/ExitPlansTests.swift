import SouverainReport
import Testing

@Suite struct ExitPlansTests {
    /// patients (health) at onprem and cloud-a; the rules allow onprem, cloud-a and cloud-b.
    func facts(eligible: [String]) -> ReportFacts {
        var facts = ReportFixtures.facts()
        facts.locations += [ReportFixtures.location(id: "cloud-a"), ReportFixtures.location(id: "cloud-b")]
        facts.buckets[0].locations.append(ReportFacts.BucketLocation(location: "cloud-a", objects: 2, bytes: 300))
        facts.classifications = [ReportFacts.ClassificationPlacement(name: "health", eligible: eligible, refusal: nil)]
        return facts
    }

    @Test func aProviderWithAnEligibleSubstituteHasAMigrateCommand() throws {
        let plans = ExitPlans.evaluate(facts(eligible: ["cloud-a", "onprem", "cloud-b"]))
        #expect(plans.map(\.providerID) == ["on-premise", "provider-cloud-a", "provider-cloud-b"])
        let cloudA = try #require(plans.first { $0.providerID == "provider-cloud-a" })
        #expect(cloudA.bytes == 300 && !cloudA.concentrationRisk)
        #expect(cloudA.buckets.map(\.alternatives) == [["onprem", "cloud-b"]])
        #expect(cloudA.buckets[0].commands == [
            "souverain migrate --bucket patients --to onprem", "souverain export --bucket patients --to ./exit-patients",
        ])
        #expect(cloudA.estimatedTime == ExitPlans.notMeasured)
        let cloudB = try #require(plans.first { $0.providerID == "provider-cloud-b" })
        #expect(cloudB.buckets.isEmpty && cloudB.estimatedTime == "nothing to move")
    }

    @Test func noEligibleSubstituteIsAConcentrationRisk() throws {
        var facts = facts(eligible: ["cloud-a"])
        let plans = ExitPlans.evaluate(facts)
        let cloudA = try #require(plans.first { $0.providerID == "provider-cloud-a" })
        #expect(cloudA.concentrationRisk)
        #expect(cloudA.buckets[0].alternatives.isEmpty)
        #expect(cloudA.buckets[0].commands == ["souverain export --bucket patients --to ./exit-patients"])
        facts.exitPlans = plans
        #expect(ReportFindings.evaluate(facts).contains { $0.code == "concentration-risk" && $0.subject == "provider-cloud-a" })
    }

    @Test func aShreddedBucketHasNothingToMove() {
        var facts = facts(eligible: ["cloud-a"])
        facts.buckets[0].shreddedAt = "2026-12-02T00:00:00Z"
        #expect(ExitPlans.evaluate(facts).allSatisfy { $0.buckets.isEmpty && !$0.concentrationRisk })
    }

    @Test func theTimeIsEstimatedAtTheLastMeasuredThroughput() throws {
        var facts = self.facts(eligible: ["cloud-a", "onprem"])
        facts.audit.lastMeasuredTransfer = ReportFacts.MeasuredTransfer(
            operation: "export", bucket: "archives", bytes: 10_485_760, seconds: 1, time: "2026-12-01T10:00:00Z")
        let cloudA = try #require(ExitPlans.evaluate(facts).first { $0.providerID == "provider-cloud-a" })
        #expect(cloudA.estimatedTime == "about 1 min at 10.0 MiB/s, the throughput of the export of bucket archives at 2026-12-01T10:00:00Z")
        // Two hours of bytes at 10 MiB/s.
        let transfer = try #require(facts.audit.lastMeasuredTransfer)
        #expect(ExitPlans.estimate(bytes: 7_200 * 10_485_760, at: transfer).hasPrefix("about 2 h 0 min at 10.0 MiB/s"))
        // A transfer that took no time measures nothing.
        let instant = ReportFacts.MeasuredTransfer(operation: "import", bucket: "b", bytes: 10, seconds: 0, time: "t")
        #expect(ExitPlans.estimate(bytes: 100, at: instant) == ExitPlans.notMeasured)
    }
}

@Suite struct ReportRenderingTests {
    @Test func theMapDrawsEveryColumnAndMarksNonEULawInRed() {
        var facts = ReportFixtures.facts()
        facts.locations.append(ReportFixtures.location(id: "us-cloud", nonEULawExposure: true))
        facts.buckets[0].locations.append(ReportFacts.BucketLocation(location: "us-cloud", objects: 1, bytes: 10))
        let svg = DependencyMap.svg(facts)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        for label in ["patients", "health", "onprem", "us-cloud", "Provider us-cloud", "US (outside the EU)", "Key custody", "keyring file"] {
            #expect(svg.contains(">\(label)<"), "no node \(label)")
        }
        #expect(svg.contains("stroke=\"#c62828\""))
        #expect(!svg.contains("<script"))
        #expect(svg == DependencyMap.svg(facts))
    }

    @Test func namesAreEscapedInTheMapAndThePage() throws {
        var facts = ReportFixtures.facts()
        facts.buckets[0].name = "<b>&\"x"
        #expect(DependencyMap.svg(facts).contains("&lt;b&gt;&amp;&quot;x"))
        let html = try ReportHTML.render(facts)
        #expect(!html.contains("<b>&\"x"))
    }

    @Test func thePageIsOneFileWithNoExternalResource() throws {
        var facts = ReportFixtures.facts()
        facts.findings = [ReportFacts.Finding(severity: "critical", code: "trail-broken", subject: "audit trail", message: "broken")]
        let html = try ReportHTML.render(facts)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg xmlns"))
        #expect(html.contains("trail-broken") && html.contains("1 critical finding(s)"))
        for external in ["<script", "<link", "src=", "url(", "@import"] {
            #expect(!html.contains(external), "the page refers to an external resource: \(external)")
        }
    }
}
