/// Named groups of countries usable in rules: "EU", "EEA", "EEA+adequacy".
public enum CountryZone: String, Sendable, Hashable, Codable, CaseIterable {
    case eu = "EU"
    case eea = "EEA"
    case eeaAndAdequacy = "EEA+adequacy"

    public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }

    /// The ISO 3166-1 codes the zone stands for.
    public var countries: Set<String> {
        switch self {
        case .eu: Self.euMembers.union(Self.euOutermostRegions)
        case .eea: CountryZone.eu.countries.union(Self.eeaOnly)
        case .eeaAndAdequacy: CountryZone.eea.countries.union(Self.adequacy.keys)
        }
    }

    /// Where the list comes from, and what to check before relying on it.
    public var basis: String {
        switch self {
        case .eu:
            "The 27 EU member states (SNC-19.2.b, SNC-19.6.a: 'in the EU'), plus ISO codes of territories that are part of the EU: the French outermost regions (GF, GP, MQ, RE, YT, MF) and the Åland Islands (AX)."
        case .eea:
            "EU plus Iceland, Liechtenstein and Norway (HDS-EXI28: 'EU + Iceland, Liechtenstein, Norway')."
        case .eeaAndAdequacy:
            "EEA plus countries with a Commission adequacy decision under GDPR art. 45 (GDPR-45, list maintained as data). Compiled from secondary sources as of 2026-11-22, not from the reference corpus: verify against the Commission's list. The United States is left out: its adequacy (Data Privacy Framework) covers only certified organisations, and an appeal (C-703/25 P) is pending."
        }
    }

    /// EU member states; Greece is GR in ISO 3166 (EL in EU usage).
    static let euMembers: Set<String> = [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ]

    /// Parts of the EU with their own ISO 3166-1 code.
    static let euOutermostRegions: Set<String> = ["GF", "GP", "MQ", "RE", "YT", "MF", "AX"]

    static let eeaOnly: Set<String> = ["IS", "LI", "NO"]

    /// Countries and territories with an adequacy decision, and its scope where partial.
    static let adequacy: [String: String] = [
        "AD": "Andorra",
        "AR": "Argentina",
        "BR": "Brazil (Implementing Decision (EU) 2026/179 of 26 January 2026)",
        "CA": "Canada (commercial organisations subject to PIPEDA)",
        "CH": "Switzerland",
        "FO": "Faroe Islands",
        "GB": "United Kingdom (renewed 19 December 2025, until 27 December 2031)",
        "GG": "Guernsey",
        "IL": "Israel",
        "IM": "Isle of Man",
        "JE": "Jersey",
        "JP": "Japan (private sector under the APPI)",
        "KR": "Republic of Korea",
        "NZ": "New Zealand",
        "UY": "Uruguay",
    ]

    /// True if the country is in the EU (including its outermost regions).
    public static func isEU(_ country: String) -> Bool { CountryZone.eu.countries.contains(country) }
}
