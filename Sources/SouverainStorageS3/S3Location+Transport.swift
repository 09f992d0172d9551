extension S3Location {
    /// Why location `id` may not reach its remote at `endpoint`, or nil when it may: a plain
    /// `http://` endpoint sends the location's credentials' signatures, blob names and encrypted
    /// blobs in clear, and lets anyone on the path answer in the provider's place, so it is refused
    /// unless the location says `allow-plain-http = true` (a provider on the same host or a
    /// private network, a test). Loopback gets no free pass: the allowance is explicit.
    public static func transportRefusal(id: String, endpoint: String, allowPlainHTTP: Bool) -> String? {
        let scheme = endpoint.prefix(while: { $0 != ":" }).lowercased()
        switch scheme {
        case "https": return nil
        case "http":
            if allowPlainHTTP { return nil }
            return "location \(id): the endpoint \(endpoint) is plain HTTP, which would send requests and blobs in clear and "
                + "accept any impostor: use https://, or set allow-plain-http = true in this location if that is intended"
        default:
            return "location \(id): endpoint must be an http:// or https:// URL, got '\(endpoint)'"
        }
    }
}
