import Foundation

/// Checks one location against one classification's rules, collecting reasons, warnings and facts.
struct LocationEvaluator {
    let rules: ClassificationRules
    let maxAgeDays: Int
    /// Read only to age the facts consulted (`use`) and to date the operator's declared ones:
    /// `PlacementDecision.holds(at:)`, by which writes keep a decision, relies on it.
    let now: Date

    private var reasons: [RejectionReason] = []
    private var warnings: [PlacementWarning] = []
    private var facts: [FactUse] = []
    private var providerID = ""

    init(rules: ClassificationRules, maxAgeDays: Int, now: Date) {
        self.rules = rules
        self.maxAgeDays = maxAgeDays
        self.now = now
    }

    func evaluate(_ location: LocationDescriptor, registry: ProviderRegistry) -> LocationEvaluation {
        var evaluator = self
        return evaluator.run(location, registry: registry)
    }

    private mutating func run(_ location: LocationDescriptor, registry: ProviderRegistry) -> LocationEvaluation {
        let profile = location.profile
        providerID = profile.providerID
        guard let provider = registry.provider(id: profile.providerID) else {
            reject(.unknownProvider, "provider '\(profile.providerID)' is not in the provider registry, so none of its facts can be proven")
            checkHealth(location)
            return result(location, providerName: nil, operatorID: nil, operatorName: "unknown")
        }
        if !ISOCountry.isValid(profile.country) {
            reject(.invalidProfile, "the profile's country '\(profile.country)' is not an ISO 3166 country code")
        }
        let p = EffectiveProfile.resolve(provider, profile, now: now)
        for (code, message, used) in p.rejections {
            reject(code, message, facts: used.map { use($0.field, $0.fact, $0.fact.value, byRule: true) })
        }
        for (code, message) in p.warnings { warn(code, message) }

        checkCountry(p)
        checkOperatorSeat(p)
        for requirement in rules.requiredCertifications { checkCertification(requirement, p) }
        checkExposure(p)
        noteProfile(p)
        checkHealth(location)
        return result(location, providerName: p.fullName, operatorID: p.operatorID, operatorName: p.operatorName)
    }

    private func result(_ location: LocationDescriptor, providerName: String?, operatorID: String?, operatorName: String) -> LocationEvaluation {
        LocationEvaluation(
            location: location, providerName: providerName, operatorID: operatorID, operatorName: operatorName,
            reasons: reasons, warnings: warnings, facts: facts
        )
    }

    // MARK: Rules

    private mutating func checkCountry(_ p: EffectiveProfile) {
        let country = use(p.countryField, p.country, p.country.value, byRule: rules.allowedCountries != nil)
        guard let allowed = rules.allowedCountries, !allowed.contains(p.country.value) else { return }
        reject(.countryNotAllowed,
               "the datacentre country \(p.country.value) is not allowed for this classification (allowed: \(allowed)) [\(country.evidence)]",
               facts: [country])
    }

    private mutating func checkOperatorSeat(_ p: EffectiveProfile) {
        guard let allowed = rules.operatorSeatCountries else { return }
        let seat = use("legalSeatCountry", p.legalSeat, displayCountry(p.legalSeat.value), byRule: true)
        guard let code = p.legalSeat.value else {
            reject(.factUnknown, "\(p.providerName)'s legal seat is unknown, so it cannot be shown to be in \(allowed) [\(seat.evidence)]", facts: [seat])
            return
        }
        if !allowed.contains(code) {
            reject(.operatorSeatNotAllowed,
                   "\(p.providerName)'s legal seat is in \(code), not in \(allowed) [\(seat.evidence)]", facts: [seat])
        }
    }

    private mutating func checkCertification(_ requirement: CertificationRequirement, _ p: EffectiveProfile) {
        let name = requirement.certification.displayName
        if p.isOnPremise, requirement.waivedOnPremise {
            warn(.waivedOnPremise, "\(name) is not required of the organisation's own machines (waived on-premise by the rules)")
            return
        }
        switch requirement.certification {
        case .secNumCloud:
            checkSecNumCloud(requirement, p)
        case .gaiaX:
            let fact = p.qualifications.gaiaX
            let used = use("qualifications.gaiaX", fact, fact.value.display, byRule: true)
            guard checkStatus(fact.value.status, requirement, p, used) else { return }
            guard let minimum = requirement.minimumLevel else { return }
            guard let level = fact.value.level else {
                reject(.certificationUnproven, "\(p.providerName)'s Gaia-X label level is unknown, so level \(minimum.rawValue) cannot be proven [\(used.evidence)]", facts: [used])
                return
            }
            if level < minimum {
                reject(.certificationLevelTooLow, "\(p.providerName)'s Gaia-X label is level \(level.rawValue); level \(minimum.rawValue) or higher is required [\(used.evidence)]", facts: [used])
            }
        case .hds, .iso27001, .c5, .ens, .eucs:
            let certification = requirement.certification
            let fact = p.qualifications.certificate(certification)!
            let used = use("qualifications.\(certification.fieldName)", fact, fact.value.display, byRule: true)
            guard checkStatus(fact.value.status, requirement, p, used) else { return }
            if certification == .hds {
                checkScope(name, p.hdsScope, field: p.scopeFieldPrefix + ".hdsScope", p)
            }
        }
    }

    /// True when the status satisfies the requirement; otherwise records the reason.
    private mutating func checkStatus(_ status: CertificateStatus, _ requirement: CertificationRequirement, _ p: EffectiveProfile, _ used: FactUse) -> Bool {
        let name = requirement.certification.displayName
        switch status {
        case .certified:
            return true
        case .claimed where requirement.acceptClaimed:
            warn(.claimAccepted, "\(p.providerName)'s \(name) is claimed by the vendor, not checked against an official list; the rules accept claims", facts: [used])
            return true
        case .claimed:
            reject(.certificationClaimedOnly, "\(p.providerName)'s \(name) is only claimed by the vendor, not checked against an official list [\(used.evidence)]", facts: [used])
        case .unknown:
            reject(.certificationUnproven, "\(p.providerName)'s \(name) status is unknown in the registry, so it is not proven [\(used.evidence)]", facts: [used])
        case .notApplicable:
            reject(.certificationMissing, "\(p.providerName) does not hold \(name) (not applicable) [\(used.evidence)]", facts: [used])
        case .schemeNotAdopted:
            reject(.certificationMissing, "\(name) is not adopted as a scheme, so no provider can hold it [\(used.evidence)]", facts: [used])
        }
        return false
    }

    private mutating func checkSecNumCloud(_ requirement: CertificationRequirement, _ p: EffectiveProfile) {
        let fact = p.qualifications.secNumCloud
        let q = fact.value
        let used = use("qualifications.secNumCloud", fact, q.display, byRule: true)
        let minimum = requirement.minimumStage ?? .j3
        let provider = p.providerName
        switch q.status {
        case .qualified:
            guard q.stage == .j3 else {
                reject(.certificationUnproven, "the registry records \(provider) as SecNumCloud-qualified but at stage \(q.stage?.rawValue ?? "none"), so the qualification is not proven [\(used.evidence)]", facts: [used])
                return
            }
        case .inProgress, .announced:
            if let stage = q.stage, stage < .j3, stage >= minimum {
                break
            }
            let where_ = q.stage.map { "is in progress at stage \($0.rawValue), which is not qualified" }
                ?? "has only been announced, with no stage reached"
            reject(.certificationStageNotQualified,
                   "\(provider)'s SecNumCloud qualification \(where_); \(minimum.displayName) is required [\(used.evidence)]",
                   facts: [used])
            return
        case .noneKnown:
            reject(.certificationMissing, "\(provider) holds no known SecNumCloud qualification [\(used.evidence)]", facts: [used])
            return
        case .notEligible:
            reject(.certificationMissing, "\(provider) is not eligible for SecNumCloud, according to the registry [\(used.evidence)]", facts: [used])
            return
        case .notApplicable:
            reject(.certificationMissing, "\(provider) does not hold SecNumCloud (not applicable) [\(used.evidence)]", facts: [used])
            return
        case .unknown:
            reject(.certificationUnproven, "\(provider)'s SecNumCloud status is unknown in the registry, so it is not proven [\(used.evidence)]", facts: [used])
            return
        }
        checkScope("SecNumCloud", p.secNumCloudScope, field: p.scopeFieldPrefix + ".secNumCloudScope", p)
    }

    /// Qualification is per offer: the provider's certificate must cover its object storage here.
    private mutating func checkScope(_ name: String, _ scope: Fact<OfferScope>, field: String, _ p: EffectiveProfile) {
        let used = use(field, scope, scope.value.display, byRule: true)
        let region = p.regionCode.map { "in region \($0)" } ?? "at this location"
        let note = scope.value.note.map { " (\($0))" } ?? ""
        switch scope.value.status {
        case .inScope:
            return
        case .notInScope:
            reject(.certificationOutOfScope, "\(p.providerName)'s \(name) does not cover its object storage \(region)\(note) [\(used.evidence)]", facts: [used])
        case .unknown:
            reject(.certificationScopeUnproven, "it is not proven that \(p.providerName)'s \(name) covers its object storage \(region)\(note) [\(used.evidence)]", facts: [used])
        }
    }

    private mutating func checkExposure(_ p: EffectiveProfile) {
        let forbidden = rules.forbidExtraterritorialExposure
        let byRule = !forbidden.isEmpty
        let exposure = use("extraterritorialExposure", p.exposure, p.exposure.value.display, byRule: byRule)
        let parent = use("ultimateParent", p.parent, p.parent.value.display, byRule: byRule)
        let seat = use("legalSeatCountry", p.legalSeat, displayCountry(p.legalSeat.value), byRule: byRule || rules.operatorSeatCountries != nil)
        let used = [exposure, parent, seat]
        let parentName = p.parent.value.name ?? "(name unknown)"
        let evidence = "[\(exposure.evidence)]"

        for law in [ExtraterritorialLaw.cloudAct, .fisa702] {
            let status = p.exposure.value.status(law)!
            var ground: String?
            if p.parent.value.country == "US" {
                ground = "its ultimate parent \(parentName) is in US"
            } else if p.legalSeat.value == "US" {
                ground = "its legal seat is in US"
            } else if status == .exposed {
                ground = "the registry records it as exposed"
            }
            if let ground {
                if forbidden.contains(law) {
                    reject(.exposedToExtraterritorialLaw, "operator \(p.providerName) is exposed to \(law.displayName) because \(ground) \(evidence)", facts: used)
                } else {
                    warn(.extraterritorialExposure, "operator \(p.providerName) is exposed to \(law.displayName) because \(ground); this classification allows it, but it is a transfer risk: keep the keys in the organisation's hands", facts: used)
                }
            } else if status == .unknown, forbidden.contains(law) {
                reject(.exposureUnproven, "\(p.providerName)'s exposure to \(law.displayName) is unknown in the registry, so immunity is not proven \(evidence)", facts: used)
            }
        }

        if forbidden.contains(.anyNonEULaw) {
            var grounds: [String] = []
            var unknowns: [String] = []
            if let code = p.legalSeat.value {
                if !CountryZone.isEU(code) { grounds.append("its legal seat is in \(code), outside the EU") }
            } else {
                unknowns.append("its legal seat is unknown")
            }
            if let code = p.parent.value.country {
                if !CountryZone.isEU(code) { grounds.append("its ultimate parent \(parentName) is in \(code), outside the EU") }
            } else {
                unknowns.append("its ultimate parent's country is unknown")
            }
            for law in [ExtraterritorialLaw.cloudAct, .fisa702] where !forbidden.contains(law) {
                switch p.exposure.value.status(law)! {
                case .exposed: grounds.append("the registry records it as exposed to \(law.displayName)")
                case .unknown: unknowns.append("its exposure to \(law.displayName) is unknown")
                case .notExposed: break
                }
            }
            if !grounds.isEmpty {
                reject(.exposedToExtraterritorialLaw, "operator \(p.providerName) is exposed to non-EU law: \(grounds.joined(separator: "; ")) \(evidence)", facts: used)
            } else if !unknowns.isEmpty {
                reject(.exposureUnproven, "operator \(p.providerName) cannot be shown free of non-EU law: \(unknowns.joined(separator: "; ")) \(evidence)", facts: used)
            }
        }

        if !p.exposure.value.other.isEmpty {
            warn(.otherForeignReach, "non-US foreign reach is recorded for \(p.providerName): \(p.exposure.value.other.joined(separator: "; "))", facts: [exposure])
        }
    }

    private mutating func noteProfile(_ p: EffectiveProfile) {
        if p.operatorID == nil {
            warn(.unknownParent, "\(p.providerName)'s ultimate parent is unknown; operators with unknown parents count as one for distinct-operator rules")
        }
    }

    private mutating func checkHealth(_ location: LocationDescriptor) {
        switch location.health {
        case .healthy:
            break
        case .down:
            reject(.locationDown, "the location is down")
        case .degraded where !rules.acceptDegraded:
            reject(.locationDegraded, "the location is degraded and this classification does not accept degraded locations")
        case .degraded:
            break
        }
    }

    // MARK: Recording

    private mutating func reject(_ code: RejectionReason.Code, _ message: String, facts: [FactUse] = []) {
        reasons.append(RejectionReason(code, message, facts: facts))
    }

    private mutating func warn(_ code: PlacementWarning.Code, _ message: String, facts: [FactUse] = []) {
        warnings.append(PlacementWarning(code, message, facts: facts))
    }

    /// Records a consulted fact once; a stale one is a reason when a rule depends on it and the
    /// classification rejects stale facts, a warning otherwise.
    private mutating func use<V>(_ field: String, _ fact: Fact<V>, _ display: String, byRule: Bool) -> FactUse {
        let age = fact.age(at: now)
        let stale = fact.verification != .declared && age > maxAgeDays
        let used = FactUse(
            field: field, providerID: providerID, value: display, sourceIDs: fact.sourceIDs, asOf: fact.asOf,
            verification: fact.verification, ageDays: age, isStale: stale
        )
        if let index = facts.firstIndex(where: { $0.field == field }) {
            if byRule, stale, rules.staleFacts == .reject, !reasons.contains(where: { $0.code == .staleFact && $0.facts.first?.field == field }) {
                warnings.removeAll { $0.code == .staleFact && $0.facts.first?.field == field }
                reject(.staleFact, staleMessage(used, rejected: true), facts: [used])
            }
            return facts[index]
        }
        facts.append(used)
        if stale {
            if byRule, rules.staleFacts == .reject {
                reject(.staleFact, staleMessage(used, rejected: true), facts: [used])
            } else {
                warn(.staleFact, staleMessage(used, rejected: false), facts: [used])
            }
        }
        return used
    }

    private func staleMessage(_ fact: FactUse, rejected: Bool) -> String {
        let base = "the registry fact \(fact.field) of \(fact.providerID) dates from \(CalendarDay.format(fact.asOf)), \(fact.ageDays) days ago, beyond the \(maxAgeDays)-day maximum"
        return rejected
            ? base + "; this classification does not accept stale facts: update the registry"
            : base + "; shown as stale and still used"
    }
}
