import Foundation
import Testing
@testable import SouverainAudit

/// Several gateways' trails read as one (docs/audit.md, "Several gateways"): merged by time, each
/// chain in its own order, each JSON line naming its trail.
struct AuditTrailSetTests {
    @Test func theRecordsOfTwoTrailsAreMergedByTimeEachChainKeepingItsOrder() async throws {
        // Gateway A writes at 0, 1.5, 3 s…; gateway B at 0.75, 2.25, 3.75 s…: they interleave.
        let a = try await makeTrail(count: 7, checkpointEvery: 3, now: ManualNow(1_767_225_600_000))
        let b = try await makeTrail(count: 5, checkpointEvery: 3, now: ManualNow(1_767_225_600_750))
        defer {
            try? FileManager.default.removeItem(atPath: a.directory)
            try? FileManager.default.removeItem(atPath: b.directory)
        }
        let set = AuditTrailSet([.init(name: "gw-a", directory: a.directory), .init(name: "gw-b", directory: b.directory)])
        var merged: [(String, AuditRecord)] = []
        try set.forEach { merged.append(($0.name, $1)) }
        var single = 0
        try AuditReader(directory: a.directory).forEach { _ in single += 1 }
        try AuditReader(directory: b.directory).forEach { _ in single += 1 }
        #expect(merged.count == single)
        let times = merged.map(\.1.time.millisecondsSince1970)
        #expect(times == times.sorted())
        for name in ["gw-a", "gw-b"] {
            let sequences = merged.filter { $0.0 == name }.map(\.1.sequence)
            #expect(!sequences.isEmpty && zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 })
        }
        // Both trails' events are there, interleaved: B's first event comes between A's first two.
        let events = merged.filter { $0.1.event != nil }.map(\.0)
        #expect(Array(events.prefix(3)) == ["gw-a", "gw-b", "gw-a"])

        var output = ""
        let count = try set.exportJSONLines(matching: AuditFilter(bucket: "archives"), into: &output)
        let lines = output.split(separator: "\n")
        #expect(count == lines.count && count == 12)
        #expect(lines.allSatisfy { $0.hasPrefix("{\"trail\":\"gw-a\",\"sequence\":") || $0.hasPrefix("{\"trail\":\"gw-b\",\"sequence\":") })
    }
}
