import Foundation

/// The web console (docs/console.md) as the server answers it under `/console`: the embedded
/// static files with headers that keep the page from being framed, sniffed or given scripts from
/// anywhere else, `config.json` (what the page needs to sign requests: the region), and a refusal
/// page instead of the sign-in when the request came over plain HTTP from another machine.
public struct ConsoleSite: Sendable {
    /// Where the console lives; a bucket named `console` is still reached by signed requests.
    public static let mountPath = "/console"

    /// The region requests are signed for (the server's `region` setting).
    public var region: String
    /// Sign-in through OpenID Connect, when configured.
    public var oidc: ConsoleOIDC?

    public init(region: String, oidc: ConsoleOIDC? = nil) {
        self.region = region
        self.oidc = oidc
    }

    /// Whether `path` (without its query) is the console's.
    public static func isConsolePath(_ path: String) -> Bool {
        path == mountPath || path.hasPrefix(mountPath + "/")
    }

    /// Headers every console answer carries. Scripts, styles and requests from this origin only
    /// (no inline script, so an injected string cannot run; requests also to the OpenID Connect
    /// issuer when one is configured); never framed; no referrer, so a presigned URL never leaks
    /// in a `Referer`; no content sniffing.
    var securityHeaders: [(name: String, value: String)] {
        let connect = (["'self'"] + (oidc?.origin.map { [$0] } ?? [])).joined(separator: " ")
        return [
            ("Content-Security-Policy",
             "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src \(connect); "
                + "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"),
        ] + Self.fixedHeaders
    }

    static let fixedHeaders: [(name: String, value: String)] = [
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]

    /// The file a console path names: `index.html` for the console's root.
    static func fileName(for path: String) -> String {
        let rest = path.dropFirst(mountPath.count).drop { $0 == "/" }
        return rest.isEmpty ? "index.html" : String(rest)
    }

    /// The answer to a GET (or HEAD: the caller drops the body) of `path`.
    /// - Parameters:
    ///   - ifNoneMatch: the request's `If-None-Match`, answered with 304 when it names the file's ETag.
    ///   - transport: how the request came; over plain HTTP from another machine, the sign-in is
    ///     refused and the page says how to turn HTTPS on (the stylesheet is still served for it).
    public func answer(path: String, ifNoneMatch: String?, transport: ConsoleTransport) -> ConsoleAnswer {
        let name = Self.fileName(for: path)
        if !transport.permitsSignIn, name != "console.css" {
            return refusal()
        }
        if name == "config.json" {
            return configuration()
        }
        guard let file = ConsoleAssets.file(named: name), name != "refused.html" else {
            return ConsoleAnswer(
                status: 404, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")] + securityHeaders,
                body: Array("No console page at \(path).\n".utf8))
        }
        // Revalidated on every load (the files change with the binary, their names do not).
        var headers: [(name: String, value: String)] = [
            ("Content-Type", file.contentType), ("Cache-Control", "no-cache"), ("ETag", file.etag),
        ] + securityHeaders
        if let ifNoneMatch, ifNoneMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == file.etag }) {
            headers.removeAll { $0.name == "Content-Type" }
            return ConsoleAnswer(status: 304, headers: headers, body: [])
        }
        return ConsoleAnswer(status: 200, headers: headers, body: file.bytes)
    }

    /// What the page needs from the server before sign-in.
    func configuration() -> ConsoleAnswer {
        var object: [String: Any] = ["region": region, "mountPath": Self.mountPath]
        if let oidc {
            object["oidc"] = ["issuer": oidc.issuer, "clientId": oidc.clientID, "roleArn": oidc.roleARN]
        }
        let body = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return ConsoleAnswer(
            status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")] + securityHeaders,
            body: [UInt8](body ?? Data("{}".utf8)))
    }

    /// The page served instead of the console over plain HTTP from another machine.
    func refusal() -> ConsoleAnswer {
        let page = ConsoleAssets.file(named: "refused.html")?.bytes
            ?? Array("The console is served over HTTPS only (docs/tls.md), or over plain HTTP on loopback.\n".utf8)
        return ConsoleAnswer(
            status: 403, headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")] + securityHeaders,
            body: page)
    }
}
