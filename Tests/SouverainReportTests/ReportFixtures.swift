import SouverainReport

/// A small, fully healthy installation; each test breaks the one thing it is about.
enum ReportFixtures {
    static func facts(publicKey: String = "") -> ReportFacts {
        ReportFacts(
            generatedAt: "2026-12-03T22:00:00Z",
            period: ReportFacts.Period(from: "2026-12-01T00:00:00Z", to: "2026-12-03T22:00:00Z"),
            installation: ReportFacts.Installation(
                region: "eu-west-3", country: "FR", defaultClassification: "internal", registryAsOf: "2026-11-22",
                registrySource: "shipped with Souverain", maxFactAgeDays: 365),
            buckets: [
                ReportFacts.Bucket(
                    name: "patients", classification: "health", createdAt: "2026-12-01T10:00:00Z", shreddedAt: nil, objects: 2,
                    bytes: 300, encryptedObjects: 2, locations: [ReportFacts.BucketLocation(location: "onprem", objects: 2, bytes: 300)]),
            ],
            locations: [location(id: "onprem", onPremise: true)],
            misplaced: [],
            audit: ReportFacts.AuditTrail(
                publicKey: publicKey, verified: true, verifierResult: "verified: 10 records, 2 checkpoints, 1 segments, 0 unsigned",
                records: 10, checkpoints: 2, segments: 1, firstSequence: 1, lastSequence: 10, lastCheckpoint: 10, unsignedTail: 0,
                gaps: [], deniedByBucket: [:], deniedBySource: [:], movements: [:]),
            keys: ReportFacts.Keys(
                storeKind: "keyring", storeLocation: "/data/keyring.json", tokenLabel: nil, slot: nil, sealed: false,
                storeUnavailable: nil,
                masterKeys: [ReportFacts.MasterKey(reference: "keyring:k#v1", version: 1, created: "2026-12-01T10:00:00Z", ageDays: 2, state: "active", current: true)],
                bucketKeys: [], rotations: [], shreddings: []),
            encryption: ReportFacts.EncryptionCoverage(encryptedObjects: 2, totalObjects: 2))
    }

    static func location(
        id: String, onPremise: Bool = false, qualified: Bool = true, nonEULawExposure: Bool = false, staleField: String? = nil
    ) -> ReportFacts.Location {
        ReportFacts.Location(
            id: id, kind: onPremise ? "local" : "s3", providerID: onPremise ? "on-premise" : "provider-\(id)",
            providerName: onPremise ? "the organisation (on-premise)" : "Provider \(id)", onPremise: onPremise, country: "FR",
            region: nil, legalSeatCountry: nonEULawExposure ? "US" : "FR", ultimateParentName: "Parent",
            ultimateParentCountry: nonEULawExposure ? "US" : "FR",
            exposure: ["cloud-act": nonEULawExposure ? "exposed" : "not-exposed", "fisa-702": nonEULawExposure ? "exposed" : "not-exposed"],
            exposureOther: [],
            facts: [ReportFacts.Fact(
                field: staleField ?? "qualifications.hds", value: "certified", sources: ["HDS-LIST"], asOf: staleField == nil ? "2026-11-22" : "2024-01-01",
                verification: "primary", stale: staleField != nil)],
            qualified: qualified, nonEULawExposure: nonEULawExposure)
    }
}
