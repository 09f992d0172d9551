/// The `<WebsiteConfiguration>` of PutBucketWebsite and GetBucketWebsite, validated as S3
/// validates it and kept in the catalogue as JSON (`Codable`). Souverain keeps and answers the
/// configuration so that tools which read or copy it work; it does not serve website endpoints
/// (docs/s3-compatibility.md).
///
/// | what | code |
/// |---|---|
/// | not XML, an unknown element, a RoutingRule without Redirect, both ReplaceKeyWith and ReplaceKeyPrefixWith | MalformedXML |
/// | RedirectAllRequestsTo together with anything else, neither it nor IndexDocument | InvalidArgument |
/// | an empty IndexDocument Suffix or one with a '/', an empty ErrorDocument Key, an empty HostName | InvalidArgument |
/// | a Protocol other than http or https, an HttpRedirectCode outside 300–399, an HttpErrorCodeReturnedEquals outside 400–599 | InvalidArgument |
/// | more than 50 routing rules | InvalidArgument |
public struct WebsiteConfiguration: Codable, Sendable, Equatable {
    public struct Redirect: Codable, Sendable, Equatable {
        public var hostName: String?
        public var httpRedirectCode: String?
        public var `protocol`: String?
        public var replaceKeyPrefixWith: String?
        public var replaceKeyWith: String?
    }

    public struct RoutingRule: Codable, Sendable, Equatable {
        public var keyPrefixEquals: String?
        public var httpErrorCodeReturnedEquals: String?
        public var redirect: Redirect
    }

    /// Every request redirected to another host (then nothing else may be set).
    public var redirectAllRequestsTo: Redirect?
    public var indexSuffix: String?
    public var errorKey: String?
    public var routingRules: [RoutingRule] = []

    /// Most routing rules a configuration may hold (S3's limit).
    public static let maximumRoutingRules = 50

    public static func parse(_ data: [UInt8]) throws(S3Error) -> WebsiteConfiguration {
        let document = try XMLNode.parse(data, root: "WebsiteConfiguration")
        try document.requireChildren(in: ["RedirectAllRequestsTo", "IndexDocument", "ErrorDocument", "RoutingRules"])
        var configuration = WebsiteConfiguration()
        if let node = try document.single("RedirectAllRequestsTo") {
            guard document.children.count == 1 else {
                throw invalid("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.")
            }
            try node.requireChildren(in: ["HostName", "Protocol"])
            guard let host = try text("HostName", in: node), !host.isEmpty else {
                throw invalid("RedirectAllRequestsTo needs a non-empty HostName.")
            }
            configuration.redirectAllRequestsTo = Redirect(hostName: host, protocol: try scheme(in: node))
            return configuration
        }
        guard let index = try document.single("IndexDocument") else {
            throw invalid("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty")
        }
        try index.requireChildren(in: ["Suffix"])
        guard let suffix = try text("Suffix", in: index), !suffix.isEmpty, !suffix.contains("/") else {
            throw invalid("The IndexDocument Suffix is not well formed: it must be non-empty and contain no '/'.")
        }
        configuration.indexSuffix = suffix
        if let error = try document.single("ErrorDocument") {
            try error.requireChildren(in: ["Key"])
            guard let key = try text("Key", in: error), !key.isEmpty else {
                throw invalid("The ErrorDocument Key must not be empty.")
            }
            configuration.errorKey = key
        }
        if let rules = try document.single("RoutingRules") {
            try rules.requireChildren(in: ["RoutingRule"])
            guard rules.children.count <= maximumRoutingRules else {
                throw invalid("A website configuration can have at most \(maximumRoutingRules) routing rules.")
            }
            configuration.routingRules = try rules.children.map(routingRule)
        }
        return configuration
    }

    private static func routingRule(_ node: XMLNode) throws(S3Error) -> RoutingRule {
        try node.requireChildren(in: ["Condition", "Redirect"])
        var keyPrefix: String?
        var errorCode: String?
        if let condition = try node.single("Condition") {
            try condition.requireChildren(in: ["KeyPrefixEquals", "HttpErrorCodeReturnedEquals"])
            keyPrefix = try text("KeyPrefixEquals", in: condition)
            errorCode = try text("HttpErrorCodeReturnedEquals", in: condition)
            if let errorCode, !(Int(errorCode).map { (400...599).contains($0) } ?? false) {
                throw invalid("HttpErrorCodeReturnedEquals must be an HTTP error code from 400 to 599, not \(errorCode).")
            }
        }
        guard let redirectNode = try node.single("Redirect") else {
            throw S3Error(.malformedXML, "Each RoutingRule needs a Redirect.")
        }
        try redirectNode.requireChildren(in: ["HostName", "HttpRedirectCode", "Protocol", "ReplaceKeyPrefixWith", "ReplaceKeyWith"])
        let redirect = Redirect(
            hostName: try text("HostName", in: redirectNode),
            httpRedirectCode: try text("HttpRedirectCode", in: redirectNode),
            protocol: try scheme(in: redirectNode),
            replaceKeyPrefixWith: try text("ReplaceKeyPrefixWith", in: redirectNode),
            replaceKeyWith: try text("ReplaceKeyWith", in: redirectNode))
        if redirect.replaceKeyWith != nil, redirect.replaceKeyPrefixWith != nil {
            throw S3Error(.malformedXML, "A Redirect cannot have both ReplaceKeyWith and ReplaceKeyPrefixWith.")
        }
        if let code = redirect.httpRedirectCode, !(Int(code).map { (300...399).contains($0) } ?? false) {
            throw invalid("The provided HTTP redirect code (\(code)) is not valid: it must be from 300 to 399.")
        }
        if let host = redirect.hostName, host.isEmpty { throw invalid("A Redirect's HostName must not be empty.") }
        return RoutingRule(keyPrefixEquals: keyPrefix, httpErrorCodeReturnedEquals: errorCode, redirect: redirect)
    }

    /// The GetBucketWebsite answer.
    public func xml() -> String {
        var writer = XMLWriter(root: "WebsiteConfiguration")
        if let all = redirectAllRequestsTo {
            writer.open("RedirectAllRequestsTo")
            writer.element("HostName", ifPresent: all.hostName)
            writer.element("Protocol", ifPresent: all.protocol)
            writer.close("RedirectAllRequestsTo")
        }
        if let indexSuffix {
            writer.open("IndexDocument")
            writer.element("Suffix", indexSuffix)
            writer.close("IndexDocument")
        }
        if let errorKey {
            writer.open("ErrorDocument")
            writer.element("Key", errorKey)
            writer.close("ErrorDocument")
        }
        if !routingRules.isEmpty {
            writer.open("RoutingRules")
            for rule in routingRules {
                writer.open("RoutingRule")
                if rule.keyPrefixEquals != nil || rule.httpErrorCodeReturnedEquals != nil {
                    writer.open("Condition")
                    writer.element("HttpErrorCodeReturnedEquals", ifPresent: rule.httpErrorCodeReturnedEquals)
                    writer.element("KeyPrefixEquals", ifPresent: rule.keyPrefixEquals)
                    writer.close("Condition")
                }
                writer.open("Redirect")
                writer.element("HostName", ifPresent: rule.redirect.hostName)
                writer.element("HttpRedirectCode", ifPresent: rule.redirect.httpRedirectCode)
                writer.element("Protocol", ifPresent: rule.redirect.protocol)
                writer.element("ReplaceKeyPrefixWith", ifPresent: rule.redirect.replaceKeyPrefixWith)
                writer.element("ReplaceKeyWith", ifPresent: rule.redirect.replaceKeyWith)
                writer.close("Redirect")
                writer.close("RoutingRule")
            }
            writer.close("RoutingRules")
        }
        return writer.finish(closing: "WebsiteConfiguration")
    }

    // MARK: - Reading the document

    private static func invalid(_ message: String) -> S3Error { S3Error(.invalidArgument, message) }

    private static func text(_ name: String, in node: XMLNode) throws(S3Error) -> String? {
        try node.single(name)?.trimmedText
    }

    private static func scheme(in node: XMLNode) throws(S3Error) -> String? {
        guard let value = try text("Protocol", in: node) else { return nil }
        guard value == "http" || value == "https" else {
            throw invalid("Protocol must be http or https, not \(value).")
        }
        return value
    }
}
