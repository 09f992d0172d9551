/// The trails of several gateways read as one (docs/audit.md, "Several gateways"): each gateway
/// writes its own chain (its own directory, signed by its own key), and an auditor verifies each
/// and reads their records merged by time.
public struct AuditTrailSet: Sendable {
    /// One gateway's trail: a name for it (what the merged records say they came from) and its
    /// directory.
    public struct Trail: Sendable, Equatable {
        public var name: String
        public var directory: String

        public init(name: String, directory: String) {
            self.name = name
            self.directory = directory
        }
    }

    public let trails: [Trail]

    public init(_ trails: [Trail]) {
        self.trails = trails
    }

    /// Calls `body` with every record of every trail that matches `filter`, merged by time: the
    /// earliest head of all the trails first, ties to the trail listed first. Each trail's records
    /// keep their sequence order (a chain is never reordered, even if its clock went back).
    /// Throws what reading a trail throws (a broken chain: run `AuditVerifier` on it).
    public func forEach(matching filter: AuditFilter = AuditFilter(), _ body: (Trail, AuditRecord) throws -> Void) throws {
        var readers = trails.map { ReaderCore(directory: $0.directory, filter: filter) }
        var heads: [AuditRecord?] = []
        for index in readers.indices { heads.append(try readers[index].next()) }
        while true {
            var earliest: Int?
            for (index, head) in heads.enumerated() {
                guard let head else { continue }
                if let current = earliest, let best = heads[current], best.time.millisecondsSince1970 <= head.time.millisecondsSince1970 {
                    continue
                }
                earliest = index
            }
            guard let index = earliest, let record = heads[index] else { return }
            try body(trails[index], record)
            heads[index] = try readers[index].next()
        }
    }

    /// Appends the matching records of every trail, merged by time, as JSON Lines: each record's
    /// line (`AuditRecord.jsonLine`) with the trail's name first, as `"trail"`. Returns how many.
    @discardableResult
    public func exportJSONLines(matching filter: AuditFilter = AuditFilter(), into output: inout some TextOutputStream) throws -> Int {
        var count = 0
        try forEach(matching: filter) { trail, record in
            output.write("{\"trail\":" + JSON.string(trail.name) + "," + String(record.jsonLine.dropFirst()))
            output.write("\n")
            count += 1
        }
        return count
    }
}
