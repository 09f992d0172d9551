import Foundation
public import SouverainModel

/// The `<LifecycleConfiguration>` of PutBucketLifecycleConfiguration and
/// GetBucketLifecycleConfiguration, validated as S3 validates it. The codes and messages are
/// those AWS answers:
///
/// | what | code |
/// |---|---|
/// | not XML, an unknown element, Status other than Enabled/Disabled, no rule, both `<Prefix>` and `<Filter>`, a `<Filter>` with two conditions outside `<And>`, an `<Expiration>` with both Days and Date, or with ExpiredObjectDeleteMarker and Days or Date, or with none of them | MalformedXML |
/// | more than 1000 rules, an ID over 255 characters, two rules with one ID, Days ≤ 0, a Date not at midnight UTC, NoncurrentDays ≤ 0, NewerNoncurrentVersions outside 1…100, DaysAfterInitiation ≤ 0, size bounds that exclude every object | InvalidArgument |
/// | a rule without an action, AbortIncompleteMultipartUpload with a tag or size filter, ExpiredObjectDeleteMarker with a tag filter, a tag key twice | InvalidRequest |
/// | `<Transition>` or `<NoncurrentVersionTransition>` | NotImplemented: one storage class per location, placement decides where bytes go |
extension LifecycleConfiguration {
    /// Parses and validates a request body; a rule without an ID gets one from `makeID`.
    public static func parse(_ data: [UInt8], makeID: () -> String) throws(S3Error) -> LifecycleConfiguration {
        let document = try XMLNode.parse(data, root: "LifecycleConfiguration")
        try LifecycleXMLParser.only(["Rule"], in: document)
        let ruleNodes = document.all("Rule")
        guard !ruleNodes.isEmpty else { throw LifecycleXMLParser.malformed("A lifecycle configuration needs at least one <Rule>.") }
        guard ruleNodes.count <= maximumRules else {
            throw S3Error(.invalidArgument, "A lifecycle configuration can have at most \(maximumRules) rules; this one has \(ruleNodes.count).")
        }
        var rules: [LifecycleRule] = []
        var ids: Set<String> = []
        for node in ruleNodes {
            let rule = try LifecycleXMLParser.rule(node, makeID: makeID)
            guard ids.insert(rule.id).inserted else {
                throw S3Error(.invalidArgument, "Rule ID must be unique. Found same ID for more than one rule",
                              extra: [("ArgumentName", "ID"), ("ArgumentValue", rule.id)])
            }
            rules.append(rule)
        }
        return LifecycleConfiguration(rules: rules)
    }

    /// The GetBucketLifecycleConfiguration answer: the rules as they were set (a generated ID
    /// included), each filter in the form the client wrote it.
    public func xml() -> String {
        var writer = XMLWriter(root: "LifecycleConfiguration")
        for rule in rules {
            writer.open("Rule")
            writer.element("ID", rule.id)
            Self.write(rule.filter, into: &writer)
            writer.element("Status", rule.isEnabled ? "Enabled" : "Disabled")
            if let expiration = rule.expiration {
                writer.open("Expiration")
                if let date = expiration.date { writer.element("Date", date) }
                if let days = expiration.days { writer.element("Days", days) }
                if let marker = expiration.expiredObjectDeleteMarker { writer.element("ExpiredObjectDeleteMarker", marker) }
                writer.close("Expiration")
            }
            if let noncurrent = rule.noncurrentVersionExpiration {
                writer.open("NoncurrentVersionExpiration")
                writer.element("NoncurrentDays", noncurrent.noncurrentDays)
                if let newer = noncurrent.newerNoncurrentVersions { writer.element("NewerNoncurrentVersions", newer) }
                writer.close("NoncurrentVersionExpiration")
            }
            if let days = rule.abortIncompleteMultipartUploadDays {
                writer.open("AbortIncompleteMultipartUpload")
                writer.element("DaysAfterInitiation", days)
                writer.close("AbortIncompleteMultipartUpload")
            }
            writer.close("Rule")
        }
        return writer.finish(closing: "LifecycleConfiguration")
    }

    private static func write(_ filter: LifecycleFilter, into writer: inout XMLWriter) {
        func conditions(_ writer: inout XMLWriter) {
            if let prefix = filter.prefix { writer.element("Prefix", prefix) }
            for tag in filter.tags {
                writer.open("Tag")
                writer.element("Key", tag.key)
                writer.element("Value", tag.value)
                writer.close("Tag")
            }
            if let bound = filter.objectSizeGreaterThan { writer.element("ObjectSizeGreaterThan", bound) }
            if let bound = filter.objectSizeLessThan { writer.element("ObjectSizeLessThan", bound) }
        }
        switch filter.form {
        case .none:
            break
        case .legacyPrefix:
            writer.element("Prefix", filter.prefix ?? "")
        case .single:
            writer.open("Filter")
            conditions(&writer)
            writer.close("Filter")
        case .and:
            writer.open("Filter")
            writer.open("And")
            conditions(&writer)
            writer.close("And")
            writer.close("Filter")
        }
    }
}

/// The pieces of `LifecycleConfiguration.parse`.
enum LifecycleXMLParser {
    static func malformed(_ detail: String) -> S3Error {
        S3Error(.malformedXML, "The XML you provided was not well-formed or did not validate against our published schema: \(detail)")
    }

    /// Refuses any child element not named in `allowed` (and transitions, by name).
    static func only(_ allowed: Set<String>, in node: XMLNode) throws(S3Error) {
        for child in node.children where !allowed.contains(child.name) {
            if child.name == "Transition" || child.name == "NoncurrentVersionTransition" || child.name == "Transitions"
                || child.name == "NoncurrentVersionTransitions" {
                throw S3Error(.notImplemented, "Lifecycle transitions (\(child.name)) are not implemented: Souverain has one storage class per location, and placement, not lifecycle, decides where bytes are stored. Use Expiration, NoncurrentVersionExpiration and AbortIncompleteMultipartUpload.")
            }
            throw malformed("unexpected element <\(child.name)> in <\(node.name)>.")
        }
    }

    /// The single child `name`, refusing it twice.
    static func single(_ name: String, in node: XMLNode) throws(S3Error) -> XMLNode? {
        let found = node.all(name)
        guard found.count <= 1 else { throw malformed("<\(name)> appears more than once in <\(node.name)>.") }
        return found.first
    }

    /// An integer element: optional sign and ASCII digits only.
    static func integer(_ node: XMLNode) throws(S3Error) -> Int {
        let text = node.trimmedText
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count <= 18, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int(text)
        else { throw malformed("<\(node.name)> must be an integer, not '\(text)'.") }
        return value
    }

    static func positive(_ node: XMLNode, _ message: String) throws(S3Error) -> Int {
        let value = try integer(node)
        guard value > 0 else {
            throw S3Error(.invalidArgument, message, extra: [("ArgumentName", node.name), ("ArgumentValue", node.trimmedText)])
        }
        return value
    }

    static func rule(_ node: XMLNode, makeID: () -> String) throws(S3Error) -> LifecycleRule {
        try only(["ID", "Status", "Prefix", "Filter", "Expiration", "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"], in: node)
        var id = try single("ID", in: node)?.text ?? ""
        if id.isEmpty { id = makeID() }
        guard id.count <= LifecycleRule.maximumIDLength else {
            throw S3Error(.invalidArgument, "ID length should not exceed allowed limit of \(LifecycleRule.maximumIDLength)",
                          extra: [("ArgumentName", "ID"), ("ArgumentValue", String(id.prefix(64)) + "…")])
        }
        let isEnabled: Bool
        switch try single("Status", in: node)?.trimmedText {
        case "Enabled": isEnabled = true
        case "Disabled": isEnabled = false
        case let other: throw malformed("<Status> must be Enabled or Disabled, not '\(other ?? "")'.")
        }

        let filter: LifecycleFilter
        switch (try single("Prefix", in: node), try single("Filter", in: node)) {
        case (.some, .some): throw malformed("a rule has either <Prefix> or <Filter>, not both.")
        case (.some(let prefix), nil): filter = LifecycleFilter(form: .legacyPrefix, prefix: prefix.text)
        case (nil, .some(let node)): filter = try self.filter(node)
        case (nil, nil): filter = LifecycleFilter(form: .none)
        }

        var expiration: LifecycleExpiration?
        if let node = try single("Expiration", in: node) { expiration = try self.expiration(node) }
        var noncurrent: NoncurrentVersionExpiration?
        if let node = try single("NoncurrentVersionExpiration", in: node) {
            try only(["NoncurrentDays", "NewerNoncurrentVersions"], in: node)
            guard let daysNode = try single("NoncurrentDays", in: node) else {
                throw malformed("<NoncurrentVersionExpiration> needs <NoncurrentDays>.")
            }
            let days = try positive(daysNode, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
            var newer: Int?
            if let newerNode = try single("NewerNoncurrentVersions", in: node) {
                let value = try integer(newerNode)
                guard (1...NoncurrentVersionExpiration.maximumNewerNoncurrentVersions).contains(value) else {
                    throw S3Error(.invalidArgument, "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer of at most \(NoncurrentVersionExpiration.maximumNewerNoncurrentVersions)",
                                  extra: [("ArgumentName", "NewerNoncurrentVersions"), ("ArgumentValue", newerNode.trimmedText)])
                }
                newer = value
            }
            noncurrent = NoncurrentVersionExpiration(noncurrentDays: days, newerNoncurrentVersions: newer)
        }
        var abortDays: Int?
        if let node = try single("AbortIncompleteMultipartUpload", in: node) {
            try only(["DaysAfterInitiation"], in: node)
            guard let daysNode = try single("DaysAfterInitiation", in: node) else {
                throw malformed("<AbortIncompleteMultipartUpload> needs <DaysAfterInitiation>.")
            }
            abortDays = try positive(daysNode, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
            if filter.hasTags { throw S3Error(.invalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Tags.") }
            if filter.hasSizes { throw S3Error(.invalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Object Size.") }
        }
        if expiration?.expiredObjectDeleteMarker != nil, filter.hasTags {
            throw S3Error(.invalidRequest, "ExpiredObjectDeleteMarker cannot be specified with Tags.")
        }
        let acts = expiration.map { $0.days != nil || $0.date != nil || $0.expiredObjectDeleteMarker == true } ?? false
        guard acts || noncurrent != nil || abortDays != nil else {
            throw S3Error(.invalidRequest, "At least one action needs to be specified in a rule")
        }
        return LifecycleRule(
            id: id, isEnabled: isEnabled, filter: filter, expiration: expiration, noncurrentVersionExpiration: noncurrent,
            abortIncompleteMultipartUploadDays: abortDays)
    }

    static func filter(_ node: XMLNode) throws(S3Error) -> LifecycleFilter {
        let conditions: Set<String> = ["Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan"]
        try only(conditions.union(["And"]), in: node)
        guard node.children.count <= 1 else {
            throw malformed("a <Filter> holds one condition; combine several in <And>.")
        }
        guard let child = node.children.first else { return LifecycleFilter(form: .single) }
        if child.name == "And" {
            try only(conditions, in: child)
            var filter = try self.conditions(child)
            filter.form = .and
            return filter
        }
        return try self.conditions(node)
    }

    /// Prefix, tags and size bounds, as found among `node`'s children.
    static func conditions(_ node: XMLNode) throws(S3Error) -> LifecycleFilter {
        var filter = LifecycleFilter(form: .single)
        filter.prefix = try single("Prefix", in: node)?.text
        var keys: Set<String> = []
        for tag in node.all("Tag") {
            try only(["Key", "Value"], in: tag)
            guard let key = try single("Key", in: tag)?.text, !key.isEmpty else { throw malformed("a <Tag> needs a non-empty <Key>.") }
            guard keys.insert(key).inserted else { throw S3Error(.invalidRequest, "Duplicate Tag Keys are not allowed.") }
            filter.tags.append(.init(key: key, value: try single("Value", in: tag)?.text ?? ""))
        }
        for (name, path) in [("ObjectSizeGreaterThan", \LifecycleFilter.objectSizeGreaterThan), ("ObjectSizeLessThan", \LifecycleFilter.objectSizeLessThan)] {
            guard let bound = try single(name, in: node) else { continue }
            let value = try integer(bound)
            guard value >= 0 else {
                throw S3Error(.invalidArgument, "\(name) must be a non-negative integer.",
                              extra: [("ArgumentName", name), ("ArgumentValue", bound.trimmedText)])
            }
            filter[keyPath: path] = Int64(value)
        }
        if let greater = filter.objectSizeGreaterThan, let less = filter.objectSizeLessThan, greater >= less {
            throw S3Error(.invalidArgument, "ObjectSizeGreaterThan must be less than ObjectSizeLessThan.",
                          extra: [("ArgumentName", "ObjectSizeGreaterThan"), ("ArgumentValue", String(greater))])
        }
        return filter
    }

    static func expiration(_ node: XMLNode) throws(S3Error) -> LifecycleExpiration {
        try only(["Days", "Date", "ExpiredObjectDeleteMarker"], in: node)
        let daysNode = try single("Days", in: node)
        let dateNode = try single("Date", in: node)
        let markerNode = try single("ExpiredObjectDeleteMarker", in: node)
        if daysNode != nil, dateNode != nil { throw malformed("an <Expiration> has <Days> or <Date>, not both.") }
        if markerNode != nil, daysNode != nil || dateNode != nil {
            throw malformed("<ExpiredObjectDeleteMarker> cannot be specified with <Days> or <Date>.")
        }
        var expiration = LifecycleExpiration()
        if let daysNode {
            expiration.days = try positive(daysNode, "'Days' for Expiration action must be a positive integer")
        }
        if let dateNode {
            let text = dateNode.trimmedText
            guard let date = S3Date.parseISO8601(text) ?? S3Date.parseISO8601(text + "T00:00:00Z") else {
                throw malformed("<Date> must be an ISO 8601 date, not '\(text)'.")
            }
            guard Int64(date.timeIntervalSince1970 * 1000) % 86_400_000 == 0 else {
                throw S3Error(.invalidArgument, "'Date' must be at midnight GMT", extra: [("ArgumentName", "Date"), ("ArgumentValue", text)])
            }
            expiration.date = date
        }
        if let markerNode {
            switch markerNode.trimmedText {
            case "true": expiration.expiredObjectDeleteMarker = true
            case "false": expiration.expiredObjectDeleteMarker = false
            case let other: throw malformed("<ExpiredObjectDeleteMarker> must be true or false, not '\(other)'.")
            }
        }
        guard daysNode != nil || dateNode != nil || markerNode != nil else {
            throw malformed("an <Expiration> needs <Days>, <Date> or <ExpiredObjectDeleteMarker>.")
        }
        return expiration
    }
}
