import Foundation

/// One fact of a provider, flattened for validation, diffs and explanations.
struct FactSnapshot: Hashable {
    var field: String
    var display: String
    var sourceIDs: [String]
    var asOf: Date
    var verification: Verification
    /// For qualifications and scopes: whether the value satisfies a requirement; nil otherwise.
    var satisfied: Bool?
}

extension Provider {
    /// Every fact, under a stable field name (`qualifications.hds`, `objectStorage.gra.country`).
    func factSnapshots() -> [FactSnapshot] {
        func snap<V>(_ field: String, _ fact: Fact<V>, _ display: String, satisfied: Bool? = nil) -> FactSnapshot {
            FactSnapshot(
                field: field, display: display, sourceIDs: fact.sourceIDs, asOf: fact.asOf,
                verification: fact.verification, satisfied: satisfied
            )
        }
        let q = qualifications
        var facts = [
            snap("legalSeatCountry", legalSeatCountry, displayCountry(legalSeatCountry.value)),
            snap("ultimateParent", ultimateParent, ultimateParent.value.display),
            snap("euOwnership", euOwnership, euOwnership.value.display),
            snap("extraterritorialExposure", extraterritorialExposure, extraterritorialExposure.value.display),
            snap("qualifications.secNumCloud", q.secNumCloud, q.secNumCloud.value.display,
                 satisfied: q.secNumCloud.value.isQualified),
        ]
        for certification in [Certification.hds, .iso27001, .c5, .ens, .eucs] {
            let fact = q.certificate(certification)!
            facts.append(snap("qualifications.\(certification.fieldName)", fact, fact.value.display,
                              satisfied: fact.value.status == .certified))
        }
        facts.append(snap("qualifications.gaiaX", q.gaiaX, q.gaiaX.value.display, satisfied: q.gaiaX.value.status == .certified))
        facts.append(snap("qualifications.other", q.other, q.other.value.isEmpty ? "none" : q.other.value.joined(separator: "; ")))
        for offer in objectStorage {
            for region in offer.regions {
                let prefix = "objectStorage.\(region.code)"
                facts.append(snap(prefix + ".country", region.country, region.country.value))
                facts.append(snap(prefix + ".secNumCloudScope", region.secNumCloudScope, region.secNumCloudScope.value.display,
                                  satisfied: region.secNumCloudScope.value.status == .inScope))
                facts.append(snap(prefix + ".hdsScope", region.hdsScope, region.hdsScope.value.display,
                                  satisfied: region.hdsScope.value.status == .inScope))
            }
        }
        return facts
    }
}

extension Certification {
    /// The field name under `qualifications`.
    var fieldName: String {
        switch self {
        case .secNumCloud: "secNumCloud"
        case .hds: "hds"
        case .iso27001: "iso27001"
        case .c5: "c5"
        case .ens: "ens"
        case .gaiaX: "gaiaX"
        case .eucs: "eucs"
        }
    }
}

func displayCountry(_ code: String?) -> String { code ?? "unknown" }

extension UltimateParent {
    var display: String {
        switch (name, country) {
        case (nil, nil): "unknown"
        case (let name?, nil): "\(name) (country unknown)"
        case (nil, let country?): "unknown parent in \(country)"
        case (let name?, let country?): "\(name) (\(country))"
        }
    }
}

extension EUOwnership {
    var display: String {
        let share = percent.map { "\(formatPercent($0)) % EU-owned" } ?? "EU share not stated"
        return summary.map { "\(share): \($0)" } ?? share
    }
}

private func formatPercent(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}

extension ExtraterritorialExposure {
    var display: String {
        var text = "CLOUD Act: \(usCloudAct.rawValue); FISA 702: \(usFISA702.rawValue)"
        if !other.isEmpty { text += "; other: " + other.joined(separator: "; ") }
        if let reasoning { text += "; reasoning: " + reasoning }
        return text
    }
}

extension SecNumCloudQualification {
    var display: String {
        var parts = [status.rawValue]
        parts.append("stage " + (stage?.rawValue ?? "none"))
        if let version { parts.append("version " + version) }
        if !scope.isEmpty { parts.append("scope: " + scope.joined(separator: "; ")) }
        return parts.joined(separator: ", ")
    }
}

extension Certificate {
    var display: String { scope.map { "\(status.rawValue) (scope: \($0))" } ?? status.rawValue }
}

extension GaiaXLabel {
    var display: String { "\(status.rawValue), level \(level?.rawValue ?? "unknown")" }
}

extension OfferScope {
    var display: String { note.map { "\(status.rawValue) (\($0))" } ?? status.rawValue }
}
