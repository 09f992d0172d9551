import ArgumentParser
import SouverainServer

/// HTTPS for the endpoint (docs/tls.md): the PEM certificate chain and key, and the CA of
/// client certificates when they are required. Empty: plain HTTP.
struct TLSSettings {
    var certificate = ""
    var key = ""
    var clientCA = ""
    /// The CAs (PEM) the CLI trusts when it calls a server's admin API over HTTPS; empty: the
    /// certificate the data directory's server serves (`tls-cert`), then the system's store.
    var serverCABundle = ""

    static let keys = ["tls-cert", "tls-key", "tls-client-ca", "server-ca-bundle"]

    mutating func set(_ key: String, _ value: String) throws {
        switch key {
        case "tls-cert": certificate = value
        case "tls-key": self.key = value
        case "tls-client-ca": clientCA = value
        case "server-ca-bundle": serverCABundle = value
        default: throw ValidationError("unknown setting \(key)")
        }
    }

    /// The files to serve HTTPS with, nil for plain HTTP; refuses half a configuration.
    func files() throws -> ServerTLSFiles? {
        do {
            return try ServerTLSFiles(certificate: certificate, key: key, clientCA: clientCA)
        } catch let error as ServerTLSError {
            throw ValidationError(error.message)
        }
    }
}
