import Foundation
import NIOSSL
import SouverainPolicy
import Testing
@testable import SouverainServer

/// The endpoint's TLS settings and configuration: which files, which protocol versions and cipher
/// suites, client certificates, and refusals that name the file but never quote the key.
@Suite struct ServerTLSTests {
    /// A self-signed P-256 certificate for localhost and 127.0.0.1 (valid until 2126), its key,
    /// and a second key that does not belong to it: unit-test fixtures that protect nothing.
    static let certificate = """
-----BEGIN CERTIFICATE-----
MIIBrjCCAVWgAwIBAgIUFD7eKh6LCOx3Ewr+sUBN1rVTfgswCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTc291dmVyYWluLXVuaXQtdGVzdDAgFw0yNjEyMDQwMTM5MDZa
GA8yMTI2MTExMDAxMzkwNlowHjEcMBoGA1UEAwwTc291dmVyYWluLXVuaXQtdGVz
dDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBHVh/wt/SrH4WHlxiktSSvm7RIU
UgBlzv0Ws1032SLL8ywcEv5UTxKTxDWUJnP8LNJEQjtdyRvkeQAlLKllD22jbzBt
MB0GA1UdDgQWBBRhSvcBj73LC/l2S3wnF/GkhrB3OTAfBgNVHSMEGDAWgBRhSvcB
j73LC/l2S3wnF/GkhrB3OTAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGCCWxv
Y2FsaG9zdIcEfwAAATAKBggqhkjOPQQDAgNHADBEAiByowVQdamUmqSsm6q3N0dx
mXqYegzUs0cZ1pHaNJWEbQIgPNcn+yDrGa4o5s7eTcwJgFEupVxoHJ3xDpoSyI3a
/iY=
-----END CERTIFICATE-----
"""
    static let key = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwJ3knwb0ahLfTxUT
srKLN2BYwq+0uInLxcvnfGVLDnChRANCAAQR1Yf8Lf0qx+Fh5cYpLUkr5u0SFFIA
Zc79FrNdN9kiy/MsHBL+VE8Sk8Q1lCZz/CzSREI7Xckb5HkAJSypZQ9t
-----END PRIVATE KEY-----
"""
    static let otherKey = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOgO7qfm3VGpp2YrO
Q1LwV1yRBKPcAqJE8qtINJ3XbtOhRANCAAQ29LxsGaakun5b8x4H9QudE0XeFwhw
1YXv0WHcn+cN+iOyMF2ofbPGfrV2Xp3dWv/+Auy9EHEUYdqD0yLF5PN/
-----END PRIVATE KEY-----
"""

    /// A temporary directory holding `files` (name: content), removed when `body` returns.
    func withFiles(_ files: [String: String], _ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, content) in files { try content.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        try body(directory)
    }

    @Test func settingsNeedBothCertificateAndKeyOrNeither() throws {
        #expect(try ServerTLSFiles(certificate: "", key: "", clientCA: "") == nil)
        #expect(try ServerTLSFiles(certificate: "c.pem", key: "k.pem", clientCA: "")
            == ServerTLSFiles(certificateChain: "c.pem", privateKey: "k.pem"))
        #expect(try ServerTLSFiles(certificate: "c.pem", key: "k.pem", clientCA: "ca.pem")?.clientCA == "ca.pem")
        for (certificate, key, clientCA, message) in [
            ("c.pem", "", "", "tls-cert is set but tls-key is not: HTTPS needs both"),
            ("", "k.pem", "", "tls-key is set but tls-cert is not: HTTPS needs both"),
            ("", "", "ca.pem", "tls-client-ca requires HTTPS: give tls-cert and tls-key too"),
        ] {
            #expect(throws: ServerTLSError.self) { try ServerTLSFiles(certificate: certificate, key: key, clientCA: clientCA) }
            do {
                _ = try ServerTLSFiles(certificate: certificate, key: key, clientCA: clientCA)
            } catch let error as ServerTLSError {
                #expect(error.message == message)
            }
        }
    }

    @Test func onlyTLS12And13WithForwardSecretAEADSuites() throws {
        try withFiles(["cert.pem": Self.certificate, "key.pem": Self.key]) { directory in
            let files = ServerTLSFiles(certificateChain: directory + "/cert.pem", privateKey: directory + "/key.pem")
            let configuration = try files.configuration()
            #expect(configuration.minimumTLSVersion == .tlsv12)
            #expect(configuration.maximumTLSVersion == .tlsv13)
            #expect(configuration.cipherSuites == [
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            ].joined(separator: ":"))
            // What BoringSSL made of the list: nothing but ECDHE with AES-GCM or ChaCha20-Poly1305
            // (the TLS 1.3 suites may be listed too; they are all AEAD).
            let tls12 = configuration.cipherSuiteValues.filter { ![0x1301, 0x1302, 0x1303].contains($0.rawValue) }
            #expect(Set(tls12) == Set(ServerTLSFiles.cipherSuites))
            #expect(configuration.certificateVerification == .none)
            #expect(!(try ServerTLS(files: files).requiresClientCertificates))
        }
    }

    @Test func aClientCARequiresClientCertificatesWithoutHostnames() throws {
        try withFiles(["cert.pem": Self.certificate, "key.pem": Self.key, "ca.pem": Self.certificate]) { directory in
            let files = ServerTLSFiles(
                certificateChain: directory + "/cert.pem", privateKey: directory + "/key.pem", clientCA: directory + "/ca.pem")
            let configuration = try files.configuration()
            #expect(configuration.certificateVerification == .noHostnameVerification)
            #expect(configuration.sendCANameList)
            #expect(try ServerTLS(files: files).requiresClientCertificates)
        }
    }

    @Test func aChainOfCertificatesIsAccepted() throws {
        try withFiles(["chain.pem": Self.certificate + "\n" + Self.certificate, "key.pem": Self.key]) { directory in
            _ = try ServerTLS(files: ServerTLSFiles(certificateChain: directory + "/chain.pem", privateKey: directory + "/key.pem"))
        }
    }

    /// Each refusal names the file and the setting, and never quotes the key file's content.
    @Test func unusableFilesAreRefusedByNameWithoutTheirContent() throws {
        let secretLine = Self.key.split(separator: "\n")[1]
        try withFiles([
            "cert.pem": Self.certificate, "key.pem": Self.key, "other.pem": Self.otherKey,
            "garbage.pem": "not a pem " + secretLine, "empty.pem": "",
        ]) { directory in
            let cases: [(String, String, String?, String)] = [
                ("missing.pem", "key.pem", nil, "cannot read \(directory)/missing.pem (tls-cert)"),
                ("garbage.pem", "key.pem", nil, "\(directory)/garbage.pem (tls-cert) holds no PEM certificate"),
                ("key.pem", "key.pem", nil, "\(directory)/key.pem (tls-cert) holds no PEM certificate"),
                ("cert.pem", "missing.pem", nil, "cannot read \(directory)/missing.pem (tls-key)"),
                ("cert.pem", "garbage.pem", nil, "\(directory)/garbage.pem (tls-key) holds no usable PEM private key"),
                ("cert.pem", "empty.pem", nil, "\(directory)/empty.pem (tls-key) holds no usable PEM private key"),
                ("cert.pem", "cert.pem", nil, "\(directory)/cert.pem (tls-key) holds no usable PEM private key"),
                ("cert.pem", "other.pem", nil, "the key does not match the certificate"),
                ("cert.pem", "key.pem", "garbage.pem", "\(directory)/garbage.pem (tls-client-ca) holds no PEM certificate"),
            ]
            for (certificate, key, clientCA, expected) in cases {
                let files = ServerTLSFiles(
                    certificateChain: directory + "/" + certificate, privateKey: directory + "/" + key,
                    clientCA: clientCA.map { directory + "/" + $0 })
                do {
                    _ = try ServerTLS(files: files)
                    Issue.record("\(certificate) and \(key) were accepted")
                } catch let error as ServerTLSError {
                    #expect(error.message.contains(expected), "\(error.message)")
                    #expect(!error.message.contains(secretLine))
                    #expect(!error.message.contains("BEGIN PRIVATE KEY"))
                }
            }
        }
    }

    /// A failed reload keeps the current context; a good one replaces it.
    @Test func aFailedReloadKeepsServing() throws {
        try withFiles(["cert.pem": Self.certificate, "key.pem": Self.key]) { directory in
            let tls = try ServerTLS(files: ServerTLSFiles(certificateChain: directory + "/cert.pem", privateKey: directory + "/key.pem"))
            let before = tls.currentContext
            try Self.otherKey.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
            #expect(throws: ServerTLSError.self) { try tls.reload() }
            #expect(tls.currentContext === before)
            try Self.key.write(toFile: directory + "/key.pem", atomically: true, encoding: .utf8)
            try tls.reload()
            #expect(tls.currentContext !== before)
        }
    }

    @Test func secureTransportIsTheEndpointsOrATrustedProxysWord() throws {
        #expect(AccessSettings(servesTLS: true).secureTransport(peer: "192.0.2.1", forwardedProto: nil))
        #expect(!AccessSettings().secureTransport(peer: "192.0.2.1", forwardedProto: "https"))
        let proxied = AccessSettings(trustedProxies: [try #require(IPAddressBlock("10.0.0.0/8"))])
        #expect(proxied.secureTransport(peer: "10.0.0.5", forwardedProto: "https"))
        #expect(proxied.secureTransport(peer: "10.0.0.5", forwardedProto: "HTTPS"))
        #expect(!proxied.secureTransport(peer: "10.0.0.5", forwardedProto: "http"))
        #expect(!proxied.secureTransport(peer: "10.0.0.5", forwardedProto: "https, http"))
        #expect(!proxied.secureTransport(peer: "10.0.0.5", forwardedProto: nil))
        #expect(!proxied.secureTransport(peer: "192.0.2.1", forwardedProto: "https"))
    }
}
