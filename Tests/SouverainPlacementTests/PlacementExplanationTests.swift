import Foundation
import Testing
@testable import SouverainPlacement

@Suite struct PlacementExplanationTests {
    typealias F = Fixture

    private func explain(_ classification: String, _ locations: [LocationDescriptor], now: Date = F.now) -> PlacementExplanation {
        let decision = F.decide(classification, locations, now: now)
        return PlacementExplanation(decision: decision, classification: classification, rules: .defaults, registry: F.shipped, now: now)
    }

    let locations = [
        F.location("s3ns", "s3ns", "u-france-east1", "FR", preference: 1),
        F.location("aws-par", "aws", "eu-west-3", "FR", preference: 2),
        F.location("nas", "on-premise", nil, "FR", preference: 3, kind: .local),
    ]

    @Test func textShowsTheTableTheReasonsAndTheDatedFacts() {
        let text = explain("sensitive", locations).text()
        #expect(text.hasPrefix("Placement for classification 'sensitive' at 2026-12-01T00:00:00Z: PLACED on 2 location(s): s3ns, nas."))
        #expect(text.contains("Rules: countries EU; certifications SecNumCloud J3 (qualified)+ (waived on-premise)"))
        #expect(text.contains("#  LOCATION  PROVIDER"))
        #expect(text.contains("aws-par   aws"))
        #expect(text.contains("reject  exposed-to-extraterritorial-law: operator Amazon Web Services is exposed to the US CLOUD Act because its ultimate parent Amazon.com, Inc. is in US"))
        #expect(text.contains("qualifications.secNumCloud"))
        #expect(text.contains("2026-11-22  9d"))
        #expect(text.contains("warning waived-on-premise"))
        #expect(!text.contains("STALE"))
    }

    @Test func staleFactsAreFlagged() {
        let text = explain("personal", [F.location("aws-par", "aws", "eu-west-3", "FR")], now: F.day("2028-01-10")).text()
        #expect(text.contains("STALE"))
        #expect(text.contains("warning stale-fact: the registry fact objectStorage.eu-west-3.country of aws dates from 2026-11-22"))
    }

    @Test func refusalTextCarriesTheMessage() {
        let text = explain("health", [F.location("aws-par", "aws", "eu-west-3", "FR")]).text()
        #expect(text.contains(": REFUSED."))
        #expect(text.contains("Placement refused for classification 'health': it needs 1 eligible location and 0 qualify. Location 'aws-par': Amazon Web Services's HDS status is unknown in the registry"))
    }

    @Test func jsonRoundTripsAndCarriesFactsDatesAndSources() throws {
        let explanation = explain("sensitive", locations)
        let data = try explanation.json()
        #expect(try JSONDecoder().decode(PlacementExplanation.self, from: data) == explanation)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["outcome"] as? String == "placed")
        #expect(json["decidedAt"] as? String == "2026-12-01T00:00:00Z")
        #expect(json["eligibleOrder"] as? [String] == ["s3ns", "nas"])
        let sources = try #require(json["sources"] as? [String: Any])
        #expect(sources["S3NS-QUAL-GNT"] != nil)
        let entries = try #require(json["locations"] as? [[String: Any]])
        let aws = try #require(entries.first { $0["id"] as? String == "aws-par" })
        #expect(aws["eligible"] as? Bool == false)
        let reasons = try #require(aws["reasons"] as? [[String: Any]])
        #expect(reasons.contains { $0["code"] as? String == "exposed-to-extraterritorial-law" })
        let facts = try #require(aws["facts"] as? [[String: Any]])
        let exposure = try #require(facts.first { $0["field"] as? String == "extraterritorialExposure" })
        #expect(exposure["asOf"] as? String == "2026-11-22")
        #expect(exposure["isStale"] as? Bool == false)
        #expect((exposure["sources"] as? [String])?.contains("AWS-ESC") == true)
    }

    @Test func refusedJSONHasTheMessageAndNoOrder() throws {
        let explanation = explain("public-archives", [F.location("aws-par", "aws", "eu-west-3", "FR")])
        #expect(explanation.outcome == .refused)
        #expect(explanation.eligibleOrder.isEmpty)
        #expect(explanation.locations.allSatisfy { $0.order == nil })
        #expect(explanation.message?.contains("'public-archives'") == true)
        let decoded = try JSONDecoder().decode(PlacementExplanation.self, from: explanation.json())
        #expect(decoded.message == explanation.message)
    }

    @Test func unknownClassificationExplainsWithoutRules() {
        let explanation = explain("nope", locations)
        #expect(explanation.rules == nil)
        #expect(explanation.text().contains("the placement rules do not define it"))
    }
}
