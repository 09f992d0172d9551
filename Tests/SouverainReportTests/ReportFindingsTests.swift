import SouverainReport
import Testing

/// One test per rule of ReportFindings: the rule fires on its problem, and the healthy fixture
/// flags nothing.
@Suite struct ReportFindingsTests {
    func codes(_ facts: ReportFacts) -> [String] { ReportFindings.evaluate(facts).map(\.code) }

    @Test func aHealthyInstallationHasNoFinding() {
        #expect(codes(ReportFixtures.facts()) == [])
    }

    @Test func aTrailThatDoesNotVerifyIsCritical() throws {
        var facts = ReportFixtures.facts()
        facts.audit.verified = false
        facts.audit.verifierResult = "FAILED at hashMismatch in 000001.seg"
        let finding = try #require(ReportFindings.evaluate(facts).first { $0.code == "trail-broken" })
        #expect(finding.severity == "critical")
        #expect(finding.message.contains("hashMismatch"))
    }

    @Test func anUnsignedTailIsInformation() {
        var facts = ReportFixtures.facts()
        facts.audit.unsignedTail = 3
        #expect(ReportFindings.evaluate(facts).map { "\($0.severity) \($0.code)" } == ["info trail-unsigned-tail"])
    }

    @Test func misplacedBytesAreCriticalAndSayWhereTheyMayGo() throws {
        var facts = ReportFixtures.facts()
        facts.misplaced = [
            ReportFacts.Misplacement(bucket: "patients", location: "cloud", classification: "health", objects: 2, bytes: 300, reasons: ["no HDS"], allowed: []),
        ]
        let finding = try #require(ReportFindings.evaluate(facts).first)
        #expect(finding.code == "misplaced-bytes" && finding.severity == "critical")
        #expect(finding.message.contains("300 bytes") && finding.message.contains("the rules must change"))
    }

    @Test func staleFactsAreNamedWithTheirDate() throws {
        var facts = ReportFixtures.facts()
        facts.locations = [ReportFixtures.location(id: "cloud", staleField: "qualifications.secNumCloud")]
        let finding = try #require(ReportFindings.evaluate(facts).first)
        #expect(finding.code == "stale-facts" && finding.subject == "cloud")
        #expect(finding.message.contains("qualifications.secNumCloud (as of 2024-01-01)"))
    }

    @Test func nonEULawExposureIsAWarningOnlyWhereDataIs() {
        var facts = ReportFixtures.facts()
        facts.locations.append(ReportFixtures.location(id: "us", nonEULawExposure: true))
        #expect(ReportFindings.evaluate(facts).map { "\($0.severity) \($0.code)" } == ["info non-eu-law-exposure"])
        facts.buckets[0].locations.append(ReportFacts.BucketLocation(location: "us", objects: 1, bytes: 1))
        #expect(ReportFindings.evaluate(facts).map { "\($0.severity) \($0.code)" } == ["warning non-eu-law-exposure"])
    }

    @Test func anUnqualifiedProviderIsFlaggedButNotTheOrganisationItself() {
        var facts = ReportFixtures.facts()
        facts.locations = [ReportFixtures.location(id: "onprem", onPremise: true, qualified: false), ReportFixtures.location(id: "cheap", qualified: false)]
        #expect(ReportFindings.evaluate(facts).map { "\($0.code) \($0.subject)" } == ["unqualified-location cheap"])
    }

    @Test func objectsInClearAreAWarningExceptInAShreddedBucket() {
        var facts = ReportFixtures.facts()
        facts.buckets[0].encryptedObjects = 1
        #expect(codes(facts) == ["unencrypted-objects"])
        facts.buckets[0].shreddedAt = "2026-12-02T00:00:00Z"
        #expect(codes(facts) == ["bucket-shredded"])
    }

    @Test func aKeyStoreThatCannotBeOpenedIsAWarning() {
        var facts = ReportFixtures.facts()
        facts.keys.storeUnavailable = "SOUVERAIN_PKCS11_PIN is not set"
        #expect(codes(facts) == ["key-store-unavailable"])
    }

    @Test func deniedRequestsAreCounted() throws {
        var facts = ReportFixtures.facts()
        facts.audit.deniedByBucket = ["patients": 2, "(no bucket)": 1]
        let finding = try #require(ReportFindings.evaluate(facts).first)
        #expect(finding.code == "denied-requests" && finding.message.hasPrefix("3 request(s)"))
    }
}
