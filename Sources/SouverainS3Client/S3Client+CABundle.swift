import Foundation
import NIOSSL

extension S3Client {
    /// The client TLS configuration that trusts only the CAs of `caBundle` (a PEM file), with
    /// full verification (chain and host name), TLS 1.2 at least. Throws
    /// `S3ClientError.Code.invalidRequest` when the file cannot be read or holds no certificate.
    static func tlsConfiguration(caBundle: String) throws(S3ClientError) -> TLSConfiguration {
        guard let data = FileManager.default.contents(atPath: caBundle) else {
            throw S3ClientError(
                code: .invalidRequest, message: "Cannot read the CA bundle \(caBundle): no such file, or not readable.",
                operation: "Configure")
        }
        guard let certificates = try? NIOSSLCertificate.fromPEMBytes([UInt8](data)), !certificates.isEmpty else {
            throw S3ClientError(
                code: .invalidRequest, message: "The CA bundle \(caBundle) holds no PEM certificate (-----BEGIN CERTIFICATE-----).",
                operation: "Configure")
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(certificates)
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
