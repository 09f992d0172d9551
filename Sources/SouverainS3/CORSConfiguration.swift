/// A bucket's CORS rules (Put/Get/DeleteBucketCors) and how a browser's request matches them.
/// Codable for the catalogue (JSON).
public struct CORSConfiguration: Sendable, Equatable, Codable {
    public struct Rule: Sendable, Equatable, Codable {
        public var id: String?
        /// Origins, each with at most one `*` wildcard (`https://*.example.org`, `*`).
        public var allowedOrigins: [String]
        /// GET, PUT, POST, DELETE, HEAD.
        public var allowedMethods: [String]
        /// Request headers a preflight may ask for (each with at most one `*`), compared without case.
        public var allowedHeaders: [String]
        public var exposeHeaders: [String]
        public var maxAgeSeconds: Int?

        public init(id: String? = nil, allowedOrigins: [String], allowedMethods: [String], allowedHeaders: [String] = [],
                    exposeHeaders: [String] = [], maxAgeSeconds: Int? = nil) {
            self.id = id
            self.allowedOrigins = allowedOrigins
            self.allowedMethods = allowedMethods
            self.allowedHeaders = allowedHeaders
            self.exposeHeaders = exposeHeaders
            self.maxAgeSeconds = maxAgeSeconds
        }

        /// Whether the rule lets `origin` use `method` with `headers` (lower-cased names).
        public func allows(origin: String, method: String, headers: [String]) -> Bool {
            guard allowedOrigins.contains(where: { CORSConfiguration.matches($0, origin) }) else { return false }
            guard allowedMethods.contains(method) else { return false }
            return headers.allSatisfy { header in allowedHeaders.contains { CORSConfiguration.matches($0.lowercased(), header) } }
        }
    }

    public var rules: [Rule]

    public init(rules: [Rule]) {
        self.rules = rules
    }

    public static let maximumRules = 100
    static let methods: Set<String> = ["GET", "PUT", "POST", "DELETE", "HEAD"]

    /// The first rule allowing the request, as S3 picks it.
    public func rule(origin: String, method: String, headers: [String]) -> Rule? {
        rules.first { $0.allows(origin: origin, method: method, headers: headers) }
    }

    /// One optional `*` standing for any run of characters.
    static func matches(_ pattern: String, _ value: String) -> Bool {
        guard let star = pattern.firstIndex(of: "*") else { return pattern == value }
        let prefix = pattern[..<star], suffix = pattern[pattern.index(after: star)...]
        return value.count >= prefix.count + suffix.count && value.hasPrefix(prefix) && value.hasSuffix(suffix)
    }

    /// MalformedXML for a document without rules, more than 100 of them, a rule without an
    /// origin or method, an unknown method, a wildcard used twice, or a bad MaxAgeSeconds.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> CORSConfiguration {
        let document = try XMLNode.parse(data, root: "CORSConfiguration")
        let nodes = document.all("CORSRule")
        guard !nodes.isEmpty else { throw S3Error(.malformedXML, "The CORSConfiguration needs at least one CORSRule.") }
        guard nodes.count <= maximumRules else {
            throw S3Error(.malformedXML, "The CORSConfiguration has \(nodes.count) rules; at most \(maximumRules) are allowed.")
        }
        var rules: [Rule] = []
        for node in nodes {
            let origins = node.all("AllowedOrigin").map(\.trimmedText)
            let methods = node.all("AllowedMethod").map(\.trimmedText)
            let headers = node.all("AllowedHeader").map(\.trimmedText)
            guard !origins.isEmpty, !methods.isEmpty else {
                throw S3Error(.malformedXML, "Each CORSRule needs at least one AllowedOrigin and one AllowedMethod.")
            }
            if let method = methods.first(where: { !Self.methods.contains($0) }) {
                throw S3Error(.invalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is \(method)")
            }
            for value in origins + headers where value.filter({ $0 == "*" }).count > 1 {
                throw S3Error(.invalidRequest, "AllowedOrigin and AllowedHeader may hold at most one wildcard: \(value)")
            }
            var maxAge: Int?
            if let text = node.first("MaxAgeSeconds")?.trimmedText {
                guard let value = Int(text), value >= 0 else { throw S3Error(.malformedXML, "MaxAgeSeconds must be a whole number of seconds.") }
                maxAge = value
            }
            let id = node.first("ID")?.trimmedText
            if let id, id.count > 255 { throw S3Error(.invalidArgument, "A CORSRule ID is at most 255 characters.") }
            rules.append(Rule(
                id: id, allowedOrigins: origins, allowedMethods: methods, allowedHeaders: headers,
                exposeHeaders: node.all("ExposeHeader").map(\.trimmedText), maxAgeSeconds: maxAge))
        }
        return CORSConfiguration(rules: rules)
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "CORSConfiguration")
        for rule in rules {
            writer.open("CORSRule")
            writer.element("ID", ifPresent: rule.id)
            for value in rule.allowedHeaders { writer.element("AllowedHeader", value) }
            for value in rule.allowedMethods { writer.element("AllowedMethod", value) }
            for value in rule.allowedOrigins { writer.element("AllowedOrigin", value) }
            for value in rule.exposeHeaders { writer.element("ExposeHeader", value) }
            if let age = rule.maxAgeSeconds { writer.element("MaxAgeSeconds", age) }
            writer.close("CORSRule")
        }
        return writer.finish(closing: "CORSConfiguration")
    }
}
