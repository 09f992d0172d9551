import Foundation
import NIOCore
public import NIOSSL

/// Where the endpoint's HTTPS material is (the `tls-cert`, `tls-key` and `tls-client-ca`
/// settings, docs/tls.md), and the TLS configuration made from it.
///
/// The files are read whole at each load, at start and on every SIGHUP, so a renewed certificate
/// is picked up without a restart. Nothing read from the key file ever reaches an error message
/// or a log: errors name the file and what is wrong with it, never its content.
public struct ServerTLSFiles: Sendable, Equatable {
    /// A PEM file holding the server certificate, then any intermediate certificates (the chain,
    /// leaf first, as a web server takes it).
    public var certificateChain: String
    /// A PEM file holding the certificate's private key (PKCS#8, RSA or EC; not encrypted).
    public var privateKey: String
    /// When set, a PEM file of the certificate authorities whose client certificates are
    /// accepted: every client must then present one (mutual TLS).
    public var clientCA: String?

    public init(certificateChain: String, privateKey: String, clientCA: String? = nil) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCA = clientCA
    }

    /// TLS 1.2 and 1.3, nothing older: TLS 1.0 and 1.1 are deprecated (RFC 8996).
    public static let minimumVersion = TLSVersion.tlsv12
    public static let maximumVersion = TLSVersion.tlsv13

    /// The TLS 1.2 cipher suites offered: forward-secret key exchange (ECDHE) with an AEAD cipher
    /// (AES-GCM or ChaCha20-Poly1305), nothing with CBC, RSA key exchange or SHA-1 MACs. TLS 1.3's
    /// suites are all of that kind and are not configurable in BoringSSL.
    public static let cipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// Reads the files and builds the server configuration. Throws `ServerTLSError` naming the
    /// file at fault when one is unreadable, holds no PEM certificate or key, or when the key does
    /// not belong to the certificate.
    public func configuration() throws -> TLSConfiguration {
        let chain = try Self.certificates(in: certificateChain, setting: "tls-cert")
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Self.read(privateKey, setting: "tls-key"), format: .pem)
        } catch let error as ServerTLSError {
            throw error
        } catch {
            throw ServerTLSError(
                "\(privateKey) (tls-key) holds no usable PEM private key (an unencrypted PKCS#8, RSA or EC key is expected)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = Self.minimumVersion
        configuration.maximumTLSVersion = Self.maximumVersion
        configuration.cipherSuiteValues = Self.cipherSuites
        // Closing a connection (an idle one at shutdown) waits this long for the client's
        // close_notify; clients that keep an idle connection open rarely answer it.
        configuration.shutdownTimeout = .seconds(1)
        if let clientCA {
            configuration.trustRoots = .certificates(try Self.certificates(in: clientCA, setting: "tls-client-ca"))
            // Clients have no host name to check: the chain to the configured CA is what counts.
            configuration.certificateVerification = .noHostnameVerification
            configuration.sendCANameList = true
        }
        return configuration
    }

    /// A server context for the configuration; this is also where BoringSSL checks that the key
    /// matches the certificate.
    public func context() throws -> NIOSSLContext {
        let configuration = try configuration()
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerTLSError(
                "cannot serve with the certificate in \(certificateChain) (tls-cert) and the key in \(privateKey) (tls-key): "
                    + "the key does not match the certificate, or one of them is of an unsupported kind")
        }
    }

    static func read(_ path: String, setting: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerTLSError("cannot read \(path) (\(setting)): no such file, or not readable by this process")
        }
        return [UInt8](data)
    }

    static func certificates(in path: String, setting: String) throws -> [NIOSSLCertificate] {
        let bytes = try read(path, setting: setting)
        let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes)
        guard let certificates, !certificates.isEmpty else {
            throw ServerTLSError("\(path) (\(setting)) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        return certificates
    }
}

/// Why the endpoint's TLS material cannot be used: the file and the fault, never its content.
public struct ServerTLSError: Error, CustomStringConvertible {
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension ServerTLSFiles {
    /// The files of the `tls-cert`, `tls-key` and `tls-client-ca` settings (empty: not set): nil
    /// when none is set (plain HTTP). Throws `ServerTLSError` when a certificate comes without its
    /// key or the other way round, or a client CA without a certificate to serve.
    public init?(certificate: String, key: String, clientCA: String) throws {
        switch (certificate.isEmpty, key.isEmpty) {
        case (true, true):
            guard clientCA.isEmpty else {
                throw ServerTLSError("tls-client-ca requires HTTPS: give tls-cert and tls-key too")
            }
            return nil
        case (false, true): throw ServerTLSError("tls-cert is set but tls-key is not: HTTPS needs both")
        case (true, false): throw ServerTLSError("tls-key is set but tls-cert is not: HTTPS needs both")
        case (false, false):
            self.init(certificateChain: certificate, privateKey: key, clientCA: clientCA.isEmpty ? nil : clientCA)
        }
    }
}
