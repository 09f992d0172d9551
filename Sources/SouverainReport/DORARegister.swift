import CSV
import Foundation

/// The templates of the DORA register of information (Implementing Regulation (EU) 2024/2956)
/// that concern the ICT third-party providers of storage, in plain CSV: B_05.01 (the providers),
/// B_02.02 (the arrangements: one row per storage location) and B_07.01 (the assessment). The
/// columns are the templates' own, in order, headed by their codes (`c0010`...).
///
/// Souverain fills only what its state establishes (a provider's country of headquarters, the
/// country where data is stored, that data is stored, that an exit plan exists, the alternative
/// providers its rules allow); every other cell is left empty and listed in
/// `operator-fields.csv` with the row it belongs to, what it asks for and what Souverain knows
/// that may help. Nothing is guessed: the registry holds no LEI, no contract, no cost.
/// docs/dora.md maps every column to its source.
public enum DORARegister {
    public struct Column: Sendable, Hashable {
        public var code: String
        public var name: String
    }

    public struct Table: Sendable, Hashable {
        /// `B_05.01`.
        public var template: String
        public var columns: [Column]
        /// Cells in column order.
        public var rows: [[String]]
        public var fileName: String { template.lowercased() + ".csv" }

        public init(template: String, columns: [Column], rows: [[String]]) {
            self.template = template
            self.columns = columns
            self.rows = rows
        }
    }

    /// A cell left for the operator.
    public struct OperatorField: Sendable, Hashable {
        public var template: String
        /// 1-based, as in the CSV after its header.
        public var row: Int
        public var column: String
        public var subject: String
        /// What Souverain knows that may help (a registry name, a country); empty when nothing.
        public var hint: String
    }

    public static let providers: [Column] = [
        ("c0010", "Identification code of the ICT third-party service provider"),
        ("c0020", "Type of code to identify the ICT third-party service provider"),
        ("c0030", "Additional identification code of the ICT third-party service provider"),
        ("c0040", "Type of additional identification code to identify the ICT third-party service provider"),
        ("c0050", "Legal name of the ICT third-party service provider"),
        ("c0060", "Name of the ICT third-party service provider in Latin alphabet"),
        ("c0070", "Type of person of the ICT third-party service provider"),
        ("c0080", "Country of the ICT third-party service provider's headquarters"),
        ("c0090", "Currency of the amount reported in c0100"),
        ("c0100", "Total annual expense or estimated cost of the ICT third-party service provider"),
        ("c0110", "Identification code of the ICT third-party service provider's ultimate parent undertaking"),
        ("c0120", "Type of code to identify the ICT third-party service provider's ultimate parent undertaking"),
    ].map { Column(code: $0.0, name: $0.1) }

    public static let arrangements: [Column] = [
        ("c0010", "Contractual arrangement reference number"),
        ("c0020", "LEI of the entity making use of the ICT service(s)"),
        ("c0030", "Identification code of the ICT third-party service provider"),
        ("c0040", "Type of code to identify the ICT third-party service provider"),
        ("c0050", "Function identifier"),
        ("c0060", "Type of ICT services"),
        ("c0070", "Start date of the contractual arrangement"),
        ("c0080", "End date of the contractual arrangement"),
        ("c0090", "Reason of the termination or ending of the contractual arrangement"),
        ("c0100", "Notice period for the financial entity making use of the ICT service(s)"),
        ("c0110", "Notice period for the ICT third-party service provider"),
        ("c0120", "Country of the governing law of the contractual arrangement"),
        ("c0130", "Country of provision of the ICT services"),
        ("c0140", "Storage of data"),
        ("c0150", "Location of the data at rest (storage)"),
        ("c0160", "Location of management of the data (processing)"),
        ("c0170", "Sensitiveness of the data stored by the ICT third-party service provider"),
        ("c0180", "Level of reliance on the ICT service supporting the critical or important function"),
    ].map { Column(code: $0.0, name: $0.1) }

    public static let assessments: [Column] = [
        ("c0010", "Contractual arrangement reference number"),
        ("c0020", "Identification code of the ICT third-party service provider"),
        ("c0030", "Type of code to identify the ICT third-party service provider"),
        ("c0040", "Type of ICT services"),
        ("c0050", "Substitutability of the ICT third-party service provider"),
        ("c0060", "Reason if the ICT third-party service provider is considered not substitutable or difficult to be substitutable"),
        ("c0070", "Date of the last audit on the ICT third-party service provider"),
        ("c0080", "Existence of an exit plan"),
        ("c0090", "Possibility of reintegration of the contracted ICT service"),
        ("c0100", "Impact of discontinuing the ICT services"),
        ("c0110", "Are there alternative ICT third-party service providers identified?"),
        ("c0120", "Identification of alternative ICT TPP"),
    ].map { Column(code: $0.0, name: $0.1) }

    /// The three tables and the cells left for the operator. Only third-party providers appear:
    /// the organisation's own machines (on-premise) are not an ICT third-party service.
    public static func register(_ facts: ReportFacts) -> (tables: [Table], operatorFields: [OperatorField]) {
        var fields: [OperatorField] = []
        var grouped: [(id: String, locations: [ReportFacts.Location])] = []
        for location in facts.locations where !location.onPremise {
            if let index = grouped.firstIndex(where: { $0.id == location.providerID }) {
                grouped[index].locations.append(location)
            } else {
                grouped.append((location.providerID, [location]))
            }
        }
        let stored = Dictionary(grouping: facts.buckets.flatMap { bucket in bucket.locations.map { ($0.location, bucket.classification) } },
                                by: \.0).mapValues { Set($0.map(\.1)).sorted() }

        func row(_ template: String, _ columns: [Column], number: Int, subject: String, known: [String: String], hints: [String: String]) -> [String] {
            columns.map { column in
                if let value = known[column.code] { return value }
                fields.append(OperatorField(template: template, row: number, column: column.code, subject: subject, hint: hints[column.code] ?? ""))
                return ""
            }
        }

        var providerRows: [[String]] = []
        for (index, provider) in grouped.enumerated() {
            let first = provider.locations[0]
            var known: [String: String] = [:]
            if let seat = first.legalSeatCountry { known["c0080"] = seat }
            let parent = [first.ultimateParentName, first.ultimateParentCountry.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
            providerRows.append(row("B_05.01", providers, number: index + 1, subject: first.providerName, known: known, hints: [
                "c0010": "the registry holds no LEI or EUID for \(first.providerName) (registry id \(provider.id))",
                "c0050": "registry name: \(first.providerName)",
                "c0110": parent.isEmpty ? "" : "registry's ultimate parent: \(parent)",
            ]))
        }

        var arrangementRows: [[String]] = []
        var number = 0
        for provider in grouped {
            for location in provider.locations {
                number += 1
                let classifications = stored[location.id] ?? []
                let holds = !classifications.isEmpty
                var known = ["c0130": location.country, "c0140": holds ? "true" : "false"]
                if holds { known["c0150"] = location.country }
                arrangementRows.append(row("B_02.02", arrangements, number: number, subject: "\(location.providerName), location \(location.id)", known: known, hints: [
                    "c0030": "as in B_05.01 for \(location.providerName)",
                    "c0060": "object storage (location kind \(location.kind))",
                    "c0170": classifications.isEmpty ? "" : "classifications stored: \(classifications.joined(separator: ", "))",
                ]))
            }
        }

        var assessmentRows: [[String]] = []
        let plans = Dictionary(facts.exitPlans.map { ($0.providerID, $0) }, uniquingKeysWith: { first, _ in first })
        let names = Dictionary(facts.locations.map { ($0.id, $0.providerName) }, uniquingKeysWith: { first, _ in first })
        for (index, provider) in grouped.enumerated() {
            let name = provider.locations[0].providerName
            var known = ["c0080": "true"]
            var hints: [String: String] = [:]
            if let plan = plans[provider.id] {
                let alternatives = Array(Set(plan.buckets.flatMap(\.alternatives).compactMap { names[$0] })).sorted()
                if !alternatives.isEmpty { known["c0120"] = alternatives.joined(separator: "; ") }
                let stuck = plan.buckets.filter(\.alternatives.isEmpty).map(\.bucket)
                hints["c0050"] = plan.concentrationRisk
                    ? "Souverain's exit plan: no other provider is allowed for \(stuck.joined(separator: ", ")) (concentration risk)"
                    : (plan.buckets.isEmpty ? "no bucket depends on it" : "Souverain's exit plan: every bucket has an eligible alternative")
                hints["c0110"] = alternatives.isEmpty ? "Souverain's rules allow no alternative provider" : "alternatives allowed by the rules: \(alternatives.joined(separator: "; "))"
                hints["c0090"] = facts.locations.contains(where: \.onPremise) ? "an on-premise location exists; see the exit plan for whether the rules allow it" : ""
            }
            assessmentRows.append(row("B_07.01", assessments, number: index + 1, subject: name, known: known, hints: hints))
        }
        return ([
            Table(template: "B_05.01", columns: providers, rows: providerRows),
            Table(template: "B_02.02", columns: arrangements, rows: arrangementRows),
            Table(template: "B_07.01", columns: assessments, rows: assessmentRows),
        ], fields)
    }

    /// A table as CSV: a header of column codes, then the rows; quoting by CSV.swift.
    public static func csv(_ table: Table) throws -> String {
        try csv([table.columns.map(\.code)] + table.rows)
    }

    /// The operator's cells as CSV: template, row, column, column name, subject, hint.
    public static func csv(_ fields: [OperatorField]) throws -> String {
        let columnNames = Dictionary(
            [("B_05.01", providers), ("B_02.02", arrangements), ("B_07.01", assessments)].flatMap { template, columns in
                columns.map { ("\(template).\($0.code)", $0.name) }
            }, uniquingKeysWith: { first, _ in first })
        return try csv([["template", "row", "column", "column name", "subject", "what Souverain knows"]] + fields.map {
            [$0.template, String($0.row), $0.column, columnNames["\($0.template).\($0.column)"] ?? "", $0.subject, $0.hint]
        })
    }

    static func csv(_ rows: [[String]]) throws -> String {
        let writer = try CSVWriter(stream: .toMemory())
        for row in rows { try writer.write(row: row) }
        writer.stream.close()
        guard let data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw ReportError(.io, "the CSV writer kept no output")
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Writes the three tables and operator-fields.csv into `directory` (created if needed).
    public static func write(_ facts: ReportFacts, to directory: String) throws {
        let (tables, fields) = register(facts)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for table in tables {
                try Data(try csv(table).utf8).write(to: URL(fileURLWithPath: directory + "/" + table.fileName), options: .atomic)
            }
            try Data(try csv(fields).utf8).write(to: URL(fileURLWithPath: directory + "/operator-fields.csv"), options: .atomic)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(.io, "cannot write the DORA register into \(directory): \(error.localizedDescription)", cause: error)
        }
    }
}
