import Foundation
import Testing
@testable import SouverainConsole

@Suite struct ConsoleSiteTests {
    let site = ConsoleSite(region: "eu-west-3")
    let loopback = ConsoleTransport(secure: false, clientAddress: "127.0.0.1")

    @Test(arguments: [
        "127.0.0.1", "127.8.9.10", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "::FFFF:7f00:1", "::1%lo",
    ])
    func loopbackAddressesMaySignInOverPlainHTTP(address: String) {
        #expect(ConsoleTransport.isLoopback(address))
        #expect(ConsoleTransport(secure: false, clientAddress: address).permitsSignIn)
    }

    @Test(arguments: [
        "10.0.0.7", "192.0.2.1", "128.0.0.1", "::2", "::ffff:10.0.0.1", "fe80::1", "localhost", "", "127.0.0", "1::1::1", "127.0.0.1.5",
    ])
    func otherAddressesMayNotSignInOverPlainHTTP(address: String) {
        #expect(!ConsoleTransport.isLoopback(address))
        #expect(!ConsoleTransport(secure: false, clientAddress: address).permitsSignIn)
        // Over HTTPS the same client may.
        #expect(ConsoleTransport(secure: true, clientAddress: address).permitsSignIn)
    }

    @Test func anUnknownPeerOverPlainHTTPIsRefused() {
        #expect(!ConsoleTransport(secure: false, clientAddress: nil).permitsSignIn)
    }

    @Test func plainHTTPFromAnotherMachineGetsTheRefusalPageNotTheSignIn() throws {
        let remote = ConsoleTransport(secure: false, clientAddress: "192.0.2.10")
        for path in ["/console", "/console/", "/console/app.js", "/console/config.json"] {
            let answer = site.answer(path: path, ifNoneMatch: nil, transport: remote)
            #expect(answer.status == 403, "\(path)")
            #expect(answer.header("Cache-Control") == "no-store")
            let text = String(decoding: answer.body, as: UTF8.self)
            #expect(text.contains("HTTPS"))
            #expect(!text.contains("id=\"signin\""))
        }
        // The refusal page's stylesheet is still served.
        #expect(site.answer(path: "/console/console.css", ifNoneMatch: nil, transport: remote).status == 200)
    }

    @Test func theIndexIsServedWithTheSecurityHeaders() throws {
        for path in ["/console", "/console/"] {
            let answer = site.answer(path: path, ifNoneMatch: nil, transport: loopback)
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "text/html; charset=utf-8")
            let policy = try #require(answer.header("Content-Security-Policy"))
            #expect(policy.contains("script-src 'self'"))
            #expect(policy.contains("default-src 'none'"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe"))
            #expect(answer.header("X-Frame-Options") == "DENY")
            #expect(answer.header("Referrer-Policy") == "no-referrer")
            #expect(answer.header("X-Content-Type-Options") == "nosniff")
            #expect(answer.header("Cache-Control") == "no-cache")
            #expect(String(decoding: answer.body, as: UTF8.self).contains("id=\"signin\""))
        }
    }

    @Test func scriptsAreServedAsJavaScriptAndRevalidatedByETag() throws {
        let answer = site.answer(path: "/console/sigv4.js", ifNoneMatch: nil, transport: loopback)
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type") == "text/javascript; charset=utf-8")
        let etag = try #require(answer.header("ETag"))
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
        let again = site.answer(path: "/console/sigv4.js", ifNoneMatch: "\"other\", \(etag)", transport: loopback)
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        #expect(site.answer(path: "/console/sigv4.js", ifNoneMatch: "\"other\"", transport: loopback).status == 200)
    }

    @Test func everyEmbeddedFileIsTheSourceFileByteForByte() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appending(path: "../../Sources/SouverainConsole/Console").standardizedFileURL
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(ConsoleAssets.names == names)
        for name in names {
            let file = try #require(ConsoleAssets.file(named: name))
            #expect(file.bytes == [UInt8](try Data(contentsOf: directory.appending(path: name))), "\(name)")
        }
    }

    @Test func configurationNamesTheRegion() throws {
        let answer = site.answer(path: "/console/config.json", ifNoneMatch: nil, transport: loopback)
        #expect(answer.status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        #expect(object["region"] as? String == "eu-west-3")
    }

    @Test(arguments: ["/console/missing.js", "/console/../index.html", "/console/refused.html"])
    func unknownPathsAreNotFound(path: String) {
        #expect(site.answer(path: path, ifNoneMatch: nil, transport: loopback).status == 404)
    }

    @Test func onlyTheConsolesPathsAreTheConsoles() {
        #expect(ConsoleSite.isConsolePath("/console"))
        #expect(ConsoleSite.isConsolePath("/console/app.js"))
        #expect(!ConsoleSite.isConsolePath("/consoles"))
        #expect(!ConsoleSite.isConsolePath("/console-bucket/key"))
        #expect(!ConsoleSite.isConsolePath("/"))
    }

    @Test func anOpenIDConnectIssuerIsNamedInTheConfigurationAndMayBeReached() throws {
        let oidc = ConsoleOIDC(
            issuer: "https://sso.example.org:8443/realms/staff", clientID: "console", roleARN: "arn:aws:iam::souverain:role/staff")
        #expect(oidc.origin == "https://sso.example.org:8443")
        let site = ConsoleSite(region: "eu-west-3", oidc: oidc)
        let answer = site.answer(path: "/console/config.json", ifNoneMatch: nil, transport: loopback)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        let named = try #require(object["oidc"] as? [String: String])
        #expect(named == ["issuer": oidc.issuer, "clientId": "console", "roleArn": oidc.roleARN])
        let policy = try #require(site.answer(path: "/console", ifNoneMatch: nil, transport: loopback).header("Content-Security-Policy"))
        #expect(policy.contains("connect-src 'self' https://sso.example.org:8443;"))
        // Without an issuer, the page reaches its own origin only.
        let plain = try #require(self.site.answer(path: "/console", ifNoneMatch: nil, transport: loopback).header("Content-Security-Policy"))
        #expect(plain.contains("connect-src 'self';"))
        #expect(ConsoleOIDC(issuer: "not a url", clientID: "c", roleARN: "r").origin == nil)
        #expect(ConsoleOIDC(issuer: "ftp://sso.example.org", clientID: "c", roleARN: "r").origin == nil)
    }
}
