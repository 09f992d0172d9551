public import Foundation

/// The one reviewed table from control identifiers (those of shared/reference/requirements.md
/// whose role is platform or location) to what Souverain does about each: `Resources/controls.json`.
/// A unit test checks that every such control has exactly one entry, that every test an
/// enforced control names exists, and that every entry obeys the status rules below.
public struct ControlCatalogue: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// The system refuses the violation: `mechanism` says how, `tests` (file::function) prove it.
        case enforced
        /// The report carries the proof: `evidence` names its sections.
        case evidenced
        /// Outside the software: the operator states it in the report's empty field.
        case operatorDeclaration = "operator-declaration"
        /// Souverain does nothing about it yet; `note` says what is missing.
        case notCovered = "not-covered"
    }

    public struct Entry: Sendable, Hashable, Codable {
        public var status: Status
        /// The requirement, paraphrased (from requirements.md).
        public var requirement: String
        /// `P`, `L`, `L/P`, `C/L/P`... as requirements.md gives it.
        public var role: String
        public var mechanism: String?
        public var tests: [String]?
        /// Sections of report.json that carry the proof (`audit`, `encryption`, ...).
        public var evidence: [String]?
        public var note: String?

        public init(
            status: Status, requirement: String, role: String, mechanism: String?, tests: [String]?, evidence: [String]?, note: String?
        ) {
            self.status = status
            self.requirement = requirement
            self.role = role
            self.mechanism = mechanism
            self.tests = tests
            self.evidence = evidence
            self.note = note
        }
    }

    public var format: Int
    public var source: String
    public var controls: [String: Entry]

    /// The report sections an entry may name as evidence.
    public static let evidenceSections: Set<String> = ["audit", "buckets", "encryption", "exitPlans", "keys", "locations", "misplaced"]

    public static func shipped() throws -> ControlCatalogue {
        guard let url = Bundle.module.url(forResource: "controls", withExtension: "json") else {
            throw ReportError(.malformed, "the control table (controls.json) is missing from the build")
        }
        return try decode(Data(contentsOf: url))
    }

    public static func decode(_ data: Data) throws -> ControlCatalogue {
        do {
            return try JSONDecoder().decode(ControlCatalogue.self, from: data)
        } catch {
            throw ReportError(.malformed, "the control table is not valid: \(error)", cause: error)
        }
    }

    /// Why an entry breaks the status rules; empty when it obeys them.
    public static func problems(_ id: String, _ entry: Entry) -> [String] {
        var found: [String] = []
        let tests = entry.tests ?? []
        let evidence = entry.evidence ?? []
        switch entry.status {
        case .enforced:
            if (entry.mechanism ?? "").isEmpty { found.append("\(id): enforced without a mechanism") }
            if tests.isEmpty { found.append("\(id): enforced without a test that proves it") }
        case .evidenced:
            if evidence.isEmpty { found.append("\(id): evidenced without a report section carrying the proof") }
            if !tests.isEmpty { found.append("\(id): evidenced names tests; enforced is the status for that") }
        case .operatorDeclaration, .notCovered:
            if (entry.note ?? "").isEmpty { found.append("\(id): \(entry.status.rawValue) without a note saying why") }
            if !tests.isEmpty || !evidence.isEmpty { found.append("\(id): \(entry.status.rawValue) names tests or evidence") }
        }
        for section in evidence where !evidenceSections.contains(section) {
            found.append("\(id): unknown evidence section '\(section)'")
        }
        for test in tests where test.components(separatedBy: "::").count != 2 {
            found.append("\(id): test '\(test)' is not file::function")
        }
        return found
    }
}

/// The controls of requirements.md, read from its tables: each row's identifier (the first word
/// of its first cell: `SNC-19.1.h [also 19.1.i]` is `SNC-19.1.h`) and its Role column (tables
/// without a Role column, such as the extraterritorial laws, hold no controls).
public enum RequirementsCatalogue {
    public struct Control: Sendable, Hashable {
        public var id: String
        public var role: String
        /// Whether the role names the platform (`P`) or the location (`L`).
        public var concernsPlatformOrLocation: Bool {
            !Set(role.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }).isDisjoint(with: ["P", "L"])
        }
    }

    public static func parse(_ markdown: String) -> [Control] {
        var roleColumn: Int?
        var controls: [Control] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard line.hasPrefix("|"), !cells.isEmpty else { continue }
            if cells[0] == "ID" {
                roleColumn = cells.firstIndex(of: "Role")
                continue
            }
            guard let roleColumn, roleColumn < cells.count,
                let first = cells[0].split(separator: " ").first.map(String.init),
                first.range(of: #"^[A-Z][A-Za-z0-9]*-\S+$"#, options: .regularExpression) != nil
            else { continue }
            controls.append(Control(id: first, role: cells[roleColumn]))
        }
        return controls
    }
}
