/// What the S3 parser needs from an HTTP request: no body, nothing decoded yet.
public struct S3RequestHead: Sendable {
    /// "GET", "PUT", ...
    public var method: String
    /// The raw path as sent, percent-encoded, without the query.
    public var path: String
    /// The raw query string without '?', "" when none.
    public var query: String
    /// The Host header (may include ":port").
    public var host: String?
    public var headers: [(name: String, value: String)]

    public init(method: String, path: String, query: String = "", host: String? = nil, headers: [(name: String, value: String)] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.host = host
        self.headers = headers
    }

    /// Splits a request target ("/bucket/key?uploads") into path and query.
    public init(method: String, target: String, host: String? = nil, headers: [(name: String, value: String)] = []) {
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.init(method: method, path: String(target[..<mark]), query: String(target[target.index(after: mark)...]),
                      host: host, headers: headers)
        } else {
            self.init(method: method, path: target, host: host, headers: headers)
        }
    }

    /// The first value of a header, its name compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEquals($0.name, name) }?.value
    }
}

@inline(__always)
func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lhs, rhs in
        lhs == rhs || (lhs | 0x20 == rhs | 0x20 && (lhs | 0x20) >= UInt8(ascii: "a") && (lhs | 0x20) <= UInt8(ascii: "z"))
    }
}
