import Foundation
import SouverainSigV4

/// The parts of the endpoint URL that requests are built from.
struct S3Endpoint: Sendable, Equatable {
    var scheme: String
    /// The host, without brackets for IPv6.
    var host: String
    var port: Int?
    /// A path put before every request path, without a trailing slash ("" for none).
    var basePath: String
    var addressing: S3ClientConfiguration.Addressing

    init(_ url: String, addressing: S3ClientConfiguration.Addressing) throws(S3ClientError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw S3ClientError(
                code: .invalidRequest,
                message: "The endpoint '\(url)' is not an http:// or https:// URL with a host; give one such as http://127.0.0.1:9000.",
                operation: "Configure")
        }
        guard components.query == nil, components.user == nil, components.password == nil else {
            throw S3ClientError(
                code: .invalidRequest, message: "The endpoint must not carry a query or credentials in its URL.",
                operation: "Configure")
        }
        self.scheme = scheme
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.basePath = path
        self.addressing = addressing
    }

    /// The `host` header for a request on `bucket`: host, plus the port when not the scheme's default.
    func hostHeader(bucket: String?) -> String {
        var name = host.contains(":") ? "[\(host)]" : host
        if addressing == .virtualHosted, let bucket, !bucket.isEmpty { name = "\(bucket).\(name)" }
        if let port, port != (scheme == "https" ? 443 : 80) { name += ":\(port)" }
        return name
    }

    /// The percent-encoded path of a request on `bucket` and `key`: `/bucket/key` or `/bucket`
    /// path-style, `/key` or `/` virtual-hosted.
    func path(bucket: String?, key: String?) -> String {
        var path = basePath
        if let bucket, !bucket.isEmpty, addressing == .path {
            path += "/" + SigV4Signer.encodeQueryComponent(bucket)
            if let key { path += "/" + SigV4Signer.encodePath(key) }
            return path
        }
        return path + "/" + SigV4Signer.encodePath(key ?? "")
    }
}
