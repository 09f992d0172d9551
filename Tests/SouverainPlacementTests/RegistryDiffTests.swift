import Foundation
import Testing
@testable import SouverainPlacement

@Suite struct RegistryDiffTests {
    let old = Fixture.shipped

    private func withProvider(_ id: String, _ change: (inout Provider) -> Void) -> ProviderRegistry {
        var providers = old.providers
        let index = providers.firstIndex { $0.id == id }!
        change(&providers[index])
        return ProviderRegistry(asOf: old.asOf, derivedFrom: old.derivedFrom, sources: old.sources, providers: providers)
    }

    @Test func identicalRegistriesHaveNoDifferences() {
        let diff = ProviderRegistry.diff(old: old, new: old)
        #expect(diff.isEmpty)
        #expect(diff.description == "No changes.")
    }

    @Test func withdrawnQualificationIsReported() throws {
        let new = withProvider("s3ns") { provider in
            provider.qualifications.secNumCloud.value.status = .inProgress
            provider.qualifications.secNumCloud.value.stage = .j2
            provider.qualifications.secNumCloud.asOf = Fixture.day("2027-03-01")
        }
        let diff = ProviderRegistry.diff(old: old, new: new)
        #expect(diff.providers.count == 1)
        let change = try #require(diff.providers.first)
        #expect(change.providerID == "s3ns")
        #expect(change.kind == .modified)
        let fact = try #require(change.facts.first { $0.field == "qualifications.secNumCloud" })
        #expect(fact.isWithdrawal)
        #expect(!fact.evidenceOnly)
        #expect(fact.old?.hasPrefix("qualified, stage J3") == true)
        #expect(fact.new?.hasPrefix("in-progress, stage J2") == true)
        #expect(fact.newAsOf == Fixture.day("2027-03-01"))
        #expect(diff.withdrawals.map(\.providerID) == ["s3ns"])
        #expect(diff.description.contains("qualifications.secNumCloud"))
        #expect(diff.description.contains("[WITHDRAWN]"))
        #expect(diff.description.contains("2026-11-22 -> 2027-03-01"))
    }

    @Test func withdrawnHDSScopeIsReported() throws {
        let new = withProvider("scaleway") { provider in
            provider.objectStorage[0].regions[0].hdsScope.value = OfferScope(status: .notInScope)
        }
        let diff = ProviderRegistry.diff(old: old, new: new)
        let fact = try #require(diff.providers.first?.facts.first)
        #expect(fact.field == "objectStorage.fr-par.hdsScope")
        #expect(fact.isWithdrawal)
    }

    @Test func newQualificationIsNotAWithdrawal() throws {
        let new = withProvider("numspot") { provider in
            provider.qualifications.secNumCloud.value = SecNumCloudQualification(status: .qualified, stage: .j3, version: "3.2")
        }
        let fact = try #require(ProviderRegistry.diff(old: old, new: new).providers.first?.facts.first)
        #expect(fact.field == "qualifications.secNumCloud")
        #expect(!fact.isWithdrawal)
        #expect(ProviderRegistry.diff(old: old, new: new).withdrawals.isEmpty)
    }

    @Test func newEvidenceForTheSameValueIsReportedAsSuch() throws {
        let new = withProvider("ovhcloud") { provider in
            provider.legalSeatCountry.asOf = Fixture.day("2027-01-15")
        }
        let fact = try #require(ProviderRegistry.diff(old: old, new: new).providers.first?.facts.first)
        #expect(fact.field == "legalSeatCountry")
        #expect(fact.evidenceOnly)
        #expect(!fact.isWithdrawal)
    }

    @Test func addedAndRemovedProvidersAreListed() {
        var providers = old.providers.filter { $0.id != "wire" }
        providers.append(Fixture.provider("fx-new", regions: [Fixture.region("par", "FR")]))
        var sources = old.sources
        sources["FIXTURE"] = Source(title: "fixture", kind: .secondary)
        let new = ProviderRegistry(asOf: old.asOf, sources: sources, providers: providers)
        let diff = ProviderRegistry.diff(old: old, new: new)
        #expect(diff.providers.map(\.providerID) == ["fx-new", "wire"])
        #expect(diff.providers.map(\.kind) == [.added, .removed])
        #expect(diff.description.contains("+ provider fx-new (added)"))
        #expect(diff.description.contains("- provider wire (removed)"))
    }
}
