public import Foundation

extension ProviderRegistry {
    /// What changed from `old` to `new`, per provider and fact (for `souverain registry import`).
    public static func diff(old: ProviderRegistry, new: ProviderRegistry) -> RegistryDiff {
        var changes: [RegistryDiff.ProviderChange] = []
        let ids = Set(old.providers.map(\.id)).union(new.providers.map(\.id)).sorted()
        for id in ids {
            switch (old.provider(id: id), new.provider(id: id)) {
            case (nil, let added?):
                changes.append(.init(providerID: id, kind: .added, facts: compare([], added.factSnapshots())))
            case (let removed?, nil):
                changes.append(.init(providerID: id, kind: .removed, facts: compare(removed.factSnapshots(), [])))
            case (let before?, let after?):
                var facts = compare(before.factSnapshots(), after.factSnapshots())
                if before.name != after.name {
                    facts.insert(.init(field: "name", old: before.name, new: after.name), at: 0)
                }
                if !facts.isEmpty { changes.append(.init(providerID: id, kind: .modified, facts: facts)) }
            case (nil, nil):
                break
            }
        }
        return RegistryDiff(providers: changes)
    }

    private static func compare(_ before: [FactSnapshot], _ after: [FactSnapshot]) -> [RegistryDiff.FactChange] {
        let old = Dictionary(before.map { ($0.field, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(after.map { ($0.field, $0) }, uniquingKeysWith: { first, _ in first })
        var fields = before.map(\.field)
        fields += after.map(\.field).filter { old[$0] == nil }
        var changes: [RegistryDiff.FactChange] = []
        for field in fields {
            let was = old[field], now = new[field]
            guard was != now else { continue }
            changes.append(RegistryDiff.FactChange(
                field: field, old: was?.display, new: now?.display, oldAsOf: was?.asOf, newAsOf: now?.asOf,
                evidenceOnly: was?.display == now?.display,
                isWithdrawal: was?.satisfied == true && now?.satisfied != true
            ))
        }
        return changes
    }
}

/// The differences between two registries.
public struct RegistryDiff: Sendable, Hashable, CustomStringConvertible {
    public struct ProviderChange: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case added, removed, modified }
        public var providerID: String
        public var kind: Kind
        public var facts: [FactChange]
    }

    public struct FactChange: Sendable, Hashable {
        public var field: String
        /// Rendered values; nil when the fact did not exist on that side.
        public var old: String?
        public var new: String?
        public var oldAsOf: Date?
        public var newAsOf: Date?
        /// Same value, new evidence (date, sources or verification).
        public var evidenceOnly: Bool
        /// A qualification, certificate or scope that held before and no longer does.
        public var isWithdrawal: Bool

        public init(
            field: String, old: String?, new: String?, oldAsOf: Date? = nil, newAsOf: Date? = nil,
            evidenceOnly: Bool = false, isWithdrawal: Bool = false
        ) {
            self.field = field
            self.old = old
            self.new = new
            self.oldAsOf = oldAsOf
            self.newAsOf = newAsOf
            self.evidenceOnly = evidenceOnly
            self.isWithdrawal = isWithdrawal
        }
    }

    public var providers: [ProviderChange]

    public var isEmpty: Bool { providers.isEmpty }

    /// Every withdrawn qualification, certificate or scope, by provider.
    public var withdrawals: [(providerID: String, change: FactChange)] {
        providers.flatMap { provider in provider.facts.filter(\.isWithdrawal).map { (provider.providerID, $0) } }
    }

    public var description: String {
        if providers.isEmpty { return "No changes." }
        var lines: [String] = []
        for provider in providers {
            switch provider.kind {
            case .added: lines.append("+ provider \(provider.providerID) (added)")
            case .removed: lines.append("- provider \(provider.providerID) (removed)")
            case .modified: lines.append("~ provider \(provider.providerID)")
            }
            guard provider.kind == .modified else { continue }
            for fact in provider.facts {
                let dates = "as of \(fact.oldAsOf.map(CalendarDay.format) ?? "-") -> \(fact.newAsOf.map(CalendarDay.format) ?? "-")"
                let mark = fact.isWithdrawal ? " [WITHDRAWN]" : ""
                if fact.evidenceOnly {
                    lines.append("    \(fact.field): same value, new evidence (\(dates))")
                } else {
                    lines.append("    \(fact.field): \(fact.old ?? "(none)") -> \(fact.new ?? "(none)") (\(dates))\(mark)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}
