import Foundation

/// An exit plan per provider, from the facts alone: the buckets and bytes at its locations, the
/// locations of other providers the rules in force allow for each bucket's classification (the
/// placement engine's eligible list, gathered per classification), the commands that move the
/// bytes (`souverain migrate`) or take them out (`souverain export`), and a concentration risk
/// when a bucket has nowhere else to go.
public enum ExitPlans {
    /// Why no time is estimated: no export or import in the trail recorded how long it took.
    public static let notMeasured = "not measured: no complete export or import with its duration in the trail (run `souverain export` once)"

    public static func evaluate(_ facts: ReportFacts) -> [ReportFacts.ExitPlan] {
        let eligible = Dictionary(facts.classifications.map { ($0.name, $0.eligible) }, uniquingKeysWith: { first, _ in first })
        let providerOf = Dictionary(facts.locations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var providers: [String] = []
        for location in facts.locations where !providers.contains(location.providerID) { providers.append(location.providerID) }
        return providers.map { providerID in
            let locations = facts.locations.filter { $0.providerID == providerID }
            let ids = Set(locations.map(\.id))
            var buckets: [ReportFacts.ExitBucket] = []
            for bucket in facts.buckets where bucket.shreddedAt == nil {
                for usage in bucket.locations where ids.contains(usage.location) {
                    let alternatives = (eligible[bucket.classification] ?? []).filter { candidate in
                        guard let other = providerOf[candidate] else { return false }
                        return other.providerID != providerID
                    }
                    var commands = alternatives.first.map { ["souverain migrate --bucket \(bucket.name) --to \($0)"] } ?? []
                    commands.append("souverain export --bucket \(bucket.name) --to ./exit-\(bucket.name)")
                    buckets.append(ReportFacts.ExitBucket(
                        bucket: bucket.name, classification: bucket.classification, location: usage.location, objects: usage.objects,
                        bytes: usage.bytes, alternatives: alternatives, commands: commands))
                }
            }
            let first = locations[0]
            let parent = first.ultimateParentName.map { name in first.ultimateParentCountry.map { "\(name) (\($0))" } ?? name }
            return ReportFacts.ExitPlan(
                providerID: providerID, providerName: first.providerName, ultimateParent: parent,
                locations: locations.map(\.id), objects: buckets.reduce(0) { $0 + $1.objects }, bytes: buckets.reduce(0) { $0 + $1.bytes },
                buckets: buckets, concentrationRisk: buckets.contains { $0.alternatives.isEmpty },
                estimatedTime: buckets.isEmpty ? "nothing to move" : estimate(bytes: buckets.reduce(0) { $0 + $1.bytes }, at: facts.audit.lastMeasuredTransfer))
        }
    }

    /// The time `bytes` take at the throughput of the last measured export or import, rounded up
    /// to the minute, with the measurement it comes from; `notMeasured` without one.
    public static func estimate(bytes: Int64, at transfer: ReportFacts.MeasuredTransfer?) -> String {
        guard let transfer, let rate = transfer.bytesPerSecond else { return notMeasured }
        let minutes = Int((Double(max(bytes, 0)) / rate / 60).rounded(.up))
        let duration = minutes < 60 ? "\(max(minutes, 1)) min" : "\(minutes / 60) h \(minutes % 60) min"
        let mebibytes = rate / 1_048_576
        return "about \(duration) at \(String(format: "%.1f", mebibytes)) MiB/s, the throughput of the \(transfer.operation) of bucket \(transfer.bucket) at \(transfer.time)"
    }
}
