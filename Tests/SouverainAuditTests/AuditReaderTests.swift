import Foundation
import Testing
@testable import SouverainAudit

@Suite struct AuditReaderTests {
    /// 30 events over three buckets, two users, two countries, one minute apart; a checkpoint every
    /// 8 records; small segments so queries cross rotations.
    private func makeVariedTrail() async throws -> (directory: String, events: [AuditRecord]) {
        let directory = temporaryDirectory("query")
        let now = ManualNow()
        let writer = try await AuditWriter.open(
            directory: directory, key: .generate(), configuration: .init(checkpointEveryRecords: 8, maximumSegmentBytes: 1500),
            now: now.closure
        )
        for index in 0..<30 {
            let event = sampleEvent(
                index, bucket: ["archives", "mails", "scans"][index % 3], user: index % 2 == 0 ? "AKIAEVEN" : "AKIAODD",
                country: index % 4 == 0 ? "DE" : "FR"
            )
            _ = try await writer.append(index == 29 ? AuditEvent(operation: .shred, bucket: "scans", detail: "bucket key destroyed") : event)
            now.advance(.seconds(60))
        }
        try await writer.close()
        var events: [AuditRecord] = []
        try AuditReader(directory: directory).forEach { events.append($0) }
        return (directory, events)
    }

    private func query(_ directory: String, _ filter: AuditFilter) async throws -> [AuditRecord] {
        var out: [AuditRecord] = []
        for try await record in AuditReader(directory: directory).records(matching: filter) { out.append(record) }
        return out
    }

    @Test func filtersSelectExactlyTheMatchingRecordsInOrder() async throws {
        let (directory, events) = try await makeVariedTrail()
        #expect(try AuditSegment.list(directory: directory).count > 2)
        #expect(events.count == 30)
        #expect(events.allSatisfy { $0.kind == .event })
        #expect(events.map(\.sequence) == events.map(\.sequence).sorted())

        let cases: [(AuditFilter, (AuditEvent) -> Bool)] = [
            (AuditFilter(bucket: "mails"), { $0.bucket == "mails" }),
            (AuditFilter(key: "dossiers/7.pdf"), { $0.key == "dossiers/7.pdf" }),
            (AuditFilter(keyPrefix: "dossiers/1"), { $0.key?.hasPrefix("dossiers/1") ?? false }),
            (AuditFilter(user: "AKIAODD"), { $0.user == "AKIAODD" }),
            (AuditFilter(operations: ["GetObject"]), { $0.operation == "GetObject" }),
            (AuditFilter(operations: AuditOperation.internalMovements), { $0.operation == .shred }),
            (AuditFilter(country: "de"), { $0.locations.contains { $0.country == "DE" } }),
            (AuditFilter(bucket: "archives", user: "AKIAEVEN", country: "FR"), { $0.bucket == "archives" && $0.user == "AKIAEVEN" && $0.locations.contains { $0.country == "FR" } }),
        ]
        for (filter, predicate) in cases {
            let expected = events.filter { predicate($0.event!) }
            #expect(!expected.isEmpty)
            #expect(try await query(directory, filter) == expected, "\(filter)")
        }

        let from = events[10].time
        let to = events[20].time
        #expect(try await query(directory, AuditFilter(time: from...to)) == Array(events[10...20]))
        let sequences = events[5].sequence...events[25].sequence
        #expect(try await query(directory, AuditFilter(sequences: sequences)) == events.filter { sequences.contains($0.sequence) })

        let withCheckpoints = try await query(directory, AuditFilter(includeCheckpoints: true))
        #expect(withCheckpoints.filter { $0.kind == .checkpoint }.count > 3)
        #expect(withCheckpoints.filter { $0.kind == .event } == events)
        #expect(withCheckpoints.map(\.sequence) == Array(1...UInt64(withCheckpoints.count)))
        removeTrail(directory)
    }

    @Test func exportWritesOneJSONObjectPerRecord() async throws {
        let (directory, events) = try await makeVariedTrail()
        let path = directory + "/export.jsonl"
        let count = try AuditReader(directory: directory).exportJSONLines(matching: AuditFilter(bucket: "scans"), to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(count == 10)
        #expect(lines.count == count)
        let scans = events.filter { $0.event?.bucket == "scans" }
        for (line, record) in zip(lines, scans) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["sequence"] as? Int == Int(record.sequence))
            #expect(object["hash"] as? String == record.hash.hex)
            #expect(object["bucket"] as? String == "scans")
            #expect(object.keys.count == 19)
        }
        var text = ""
        #expect(try AuditReader(directory: directory).exportJSONLines(matching: AuditFilter(bucket: "scans"), into: &text) == 10)
        #expect(text.split(separator: "\n").map(String.init) == lines.map(String.init))
        removeTrail(directory)
    }

    @Test func aRecordBeingWrittenEndsTheIterationButDamageThrows() async throws {
        let (directory, _) = try await makeTrail(count: 5, checkpointEvery: 100, close: false)
        let last = try #require(try frames(in: directory).last)
        let bytes = try readBytes(last.path)
        try writeBytes(Array(bytes[0..<(last.range.upperBound - 3)]), to: last.path)
        var seen: [UInt64] = []
        try AuditReader(directory: directory).forEach { seen.append($0.sequence) }
        #expect(seen == [1, 2, 3, 4])
        var damaged = bytes
        damaged[Int(last.offset) - 10] ^= 1
        try writeBytes(damaged, to: last.path)
        #expect(throws: AuditError.self) { try AuditReader(directory: directory).forEach { _ in } }
        removeTrail(directory)
    }
}
