/// What a Signature V4 signature covers, as received on the wire.
public struct SigV4Request: Sendable {
    /// The HTTP method, such as `PUT`.
    public var method: String
    /// The raw request path as sent, percent-encoded, without the query (`/bucket/a%20b`).
    public var path: String
    /// The raw query string after `?`; empty when there is none.
    public var query: String
    /// Every header as received: names in any case, a name may repeat. HTTP/2's `:authority`
    /// belongs here as `host`.
    public var headers: [(name: String, value: String)]

    /// Creates a request description.
    public init(method: String, path: String, query: String, headers: [(name: String, value: String)]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// The first value of the header `name` (lowercase), if any.
    func header(_ name: String) -> String? {
        headers.first { $0.name.isHeaderName(name) }?.value
    }
}

extension String {
    /// Whether this header name is `lowercaseName`, in any ASCII case, without making a lowercase
    /// copy (header names are ASCII tokens; the lookups were a copy per header and per name).
    func isHeaderName(_ lowercaseName: String) -> Bool {
        utf8.count == lowercaseName.utf8.count && utf8.elementsEqual(lowercaseName.utf8) { $0.asciiLowercased == $1 }
    }
}
