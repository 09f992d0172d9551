import SouverainPlacement

/// The dependency map, drawn as SVG by Souverain itself (no script, no external resource): six
/// columns left to right (buckets, classifications, locations, providers, ultimate parents,
/// jurisdictions), a link for each dependency that holds data, and key custody in a box beside.
///
/// Red marks what an auditor must look at: a location, provider, parent or jurisdiction within
/// reach of a non-EU law, and the links into a location whose provider holds no qualification
/// that counts (on-premise excepted). The drawing is a plain function of the facts: the same
/// facts give the same bytes.
public enum DependencyMap {
    static let columnWidth = 170
    static let nodeWidth = 150
    static let nodeHeight = 26
    static let rowHeight = 36
    static let top = 56
    static let left = 12
    static let red = "#c62828"
    static let ink = "#37474f"
    static let columns = ["Buckets", "Classifications", "Locations", "Providers", "Ultimate parents", "Jurisdictions"]

    struct Node: Hashable {
        var column: Int
        var label: String
        var alert: Bool
    }

    public static func svg(_ facts: ReportFacts) -> String {
        var nodes: [[Node]] = Array(repeating: [], count: columns.count)
        var links: [(from: Node, to: Node, alert: Bool)] = []
        func node(_ column: Int, _ label: String, alert: Bool = false) -> Node {
            if let index = nodes[column].firstIndex(where: { $0.label == label }) {
                if alert { nodes[column][index].alert = true }
                return nodes[column][index]
            }
            let made = Node(column: column, label: label, alert: alert)
            nodes[column].append(made)
            return made
        }
        func link(_ from: Node, _ to: Node, alert: Bool = false) {
            if !links.contains(where: { $0.from.label == from.label && $0.from.column == from.column && $0.to.label == to.label && $0.to.column == to.column }) {
                links.append((from, to, alert))
            }
        }
        let locations = Dictionary(facts.locations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Every bucket and classification, then only the dependencies that hold data.
        for bucket in facts.buckets {
            let b = node(0, bucket.name + (bucket.shreddedAt == nil ? "" : " (shredded)"))
            let c = node(1, bucket.classification)
            link(b, c)
            for usage in bucket.locations {
                let location = locations[usage.location]
                let exposed = location?.nonEULawExposure ?? true
                let unqualified = location.map { !$0.qualified && !$0.onPremise } ?? true
                link(c, node(2, usage.location, alert: exposed), alert: unqualified || exposed)
            }
        }
        for location in facts.locations {
            let l = node(2, location.id, alert: location.nonEULawExposure)
            let p = node(3, location.providerName, alert: location.nonEULawExposure)
            link(l, p, alert: !location.qualified && !location.onPremise)
            let parentName = location.ultimateParentName ?? "unknown parent"
            let country = location.ultimateParentCountry ?? location.legalSeatCountry ?? "unknown"
            let outside = !CountryZone.isEU(country)
            let parent = node(4, parentName, alert: outside)
            link(p, parent, alert: outside)
            let jurisdiction = node(5, country + (outside ? " (outside the EU)" : ""), alert: outside)
            link(parent, jurisdiction, alert: outside)
            if location.nonEULawExposure, !outside {
                // A parent in the EU but a provider within reach of a non-EU law: name the law.
                let laws = location.exposure.filter { $0.value == "exposed" }.keys.sorted().joined(separator: ", ")
                let reach = node(5, laws.isEmpty ? "non-EU law" : laws, alert: true)
                link(p, reach, alert: true)
            }
        }
        let rows = max(nodes.map(\.count).max() ?? 0, 1)
        let mapWidth = left + columns.count * columnWidth
        let keysWidth = 280
        let width = mapWidth + keysWidth + 20
        let keysLines = keyCustody(facts.keys)
        let height = max(top + rows * rowHeight + 20, top + 30 + keysLines.count * 18 + 20)
        func position(_ node: Node) -> (x: Int, y: Int) {
            let index = nodes[node.column].firstIndex { $0.label == node.label } ?? 0
            return (left + node.column * columnWidth, top + index * rowHeight)
        }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="sans-serif" font-size="12" role="img" aria-label="Dependency map">
            <title>Souverain dependency map, \(xml(facts.generatedAt))</title>
            <rect width="\(width)" height="\(height)" fill="#ffffff"/>

            """
        for (index, title) in columns.enumerated() {
            out += "<text x=\"\(left + index * columnWidth)\" y=\"24\" font-weight=\"bold\" fill=\"\(ink)\">\(xml(title))</text>\n"
        }
        for link in links {
            let from = position(link.from)
            let to = position(link.to)
            let x1 = from.x + nodeWidth
            let y1 = from.y + nodeHeight / 2
            let x2 = to.x
            let y2 = to.y + nodeHeight / 2
            let bend = (x2 - x1) / 2
            out += "<path d=\"M\(x1),\(y1) C\(x1 + bend),\(y1) \(x2 - bend),\(y2) \(x2),\(y2)\" fill=\"none\" stroke=\"\(link.alert ? red : "#90a4ae")\" stroke-width=\"\(link.alert ? 2 : 1.2)\"\(link.alert ? " class=\"alert\"" : "")/>\n"
        }
        for column in nodes {
            for node in column {
                let (x, y) = position(node)
                let stroke = node.alert ? red : ink
                out += "<g\(node.alert ? " class=\"alert\"" : "")><rect x=\"\(x)\" y=\"\(y)\" width=\"\(nodeWidth)\" height=\"\(nodeHeight)\" rx=\"4\" fill=\"\(node.alert ? "#ffebee" : "#eceff1")\" stroke=\"\(stroke)\"/>"
                out += "<text x=\"\(x + 6)\" y=\"\(y + 17)\" fill=\"\(node.alert ? red : ink)\">\(xml(clip(node.label)))</text></g>\n"
            }
        }
        let boxX = mapWidth + 10
        out += "<rect x=\"\(boxX)\" y=\"\(top)\" width=\"\(keysWidth)\" height=\"\(20 + keysLines.count * 18)\" rx=\"6\" fill=\"#e8f5e9\" stroke=\"#2e7d32\"/>\n"
        out += "<text x=\"\(boxX)\" y=\"24\" font-weight=\"bold\" fill=\"\(ink)\">Key custody</text>\n"
        for (index, line) in keysLines.enumerated() {
            out += "<text x=\"\(boxX + 8)\" y=\"\(top + 20 + index * 18)\" fill=\"#1b5e20\">\(xml(clip(line, limit: 40)))</text>\n"
        }
        out += "</svg>\n"
        return out
    }

    static func keyCustody(_ keys: ReportFacts.Keys) -> [String] {
        var lines: [String] = []
        if keys.storeKind == "pkcs11" {
            lines.append("PKCS#11 HSM token \(keys.tokenLabel ?? "?")")
            lines.append("slot \(keys.slot ?? "not read")")
        } else {
            lines.append("keyring file" + (keys.sealed == true ? " (sealed)" : ""))
        }
        lines.append(keys.storeLocation)
        if let current = keys.masterKeys.first(where: \.current) {
            lines.append("master \(current.reference), \(current.ageDays) d old")
        } else if keys.storeUnavailable != nil {
            lines.append("master keys not listed")
        }
        lines.append("\(keys.bucketKeys.count) bucket key version(s)")
        lines.append("held by the organisation, not by providers")
        return lines
    }

    static func clip(_ text: String, limit: Int = 22) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// Text escaped for XML content and attribute values.
    static func xml(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
