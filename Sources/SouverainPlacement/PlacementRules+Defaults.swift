extension PlacementRules {
    /// The built-in classifications, after requirements.md §13. Operators edit a copy.
    public static let defaults = PlacementRules(
        maxFactAgeDays: 365,
        classifications: [
            // Open data: no condition beyond tenant policy.
            .public: ClassificationRules(),
            // EU/EEA is preferred but tenant policy (§13): not a hard rule. Encryption at rest (GDPR-32).
            .internal: ClassificationRules(encryptionRequired: true),
            // GDPR ch. V (GDPR-44, 45): EEA or an adequacy decision. A CLOUD Act exposure is flagged, not refused.
            .personal: ClassificationRules(
                allowedCountries: CountrySet(["EEA+adequacy"]),
                encryptionRequired: true
            ),
            // HDS-EXI28: HDS-certified storage, exclusively in the EEA. The organisation's own machines
            // are not a third-party host (L.1111-8), so the certificate is waived on-premise.
            .health: ClassificationRules(
                allowedCountries: CountrySet(["EEA"]),
                requiredCertifications: [CertificationRequirement(.hds, waivedOnPremise: true)],
                encryptionRequired: true,
                staleFacts: .reject
            ),
            // SREN-31, CAC-R9: a SecNumCloud-qualified offer (J3; J0–J2 refused), data in the EU
            // (SNC-19.2.b), no exposure to non-EU law (SNC-19.6), or the organisation's own machines.
            .sensitive: ClassificationRules(
                allowedCountries: CountrySet(["EU"]),
                requiredCertifications: [.secNumCloud(minimumStage: .j3, waivedOnPremise: true)],
                forbidExtraterritorialExposure: [.cloudAct, .fisa702, .anyNonEULaw],
                encryptionRequired: true,
                staleFacts: .reject
            ),
            // ARCH-TN: every copy on French territory; ARCH-NOTE-2016: a sovereign operator. The strict
            // reading (operator seated in France) is `operatorSeatCountries: ["FR"]`.
            // Records are kept unaltered: buckets are created with versioning and Object Lock on, and
            // every record is retained at least a year (docs/object-lock.md).
            .publicArchives: {
                var rules = ClassificationRules(
                    allowedCountries: CountrySet(["FR"]),
                    forbidExtraterritorialExposure: [.cloudAct, .fisa702, .anyNonEULaw],
                    encryptionRequired: true,
                    staleFacts: .reject
                )
                rules.requireObjectLock = true
                rules.minimumRetentionDays = 365
                return rules
            }(),
        ]
    )
}
