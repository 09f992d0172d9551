import Logging
import ServiceLifecycle
import SouverainServer
import UnixSignals

/// Reloads the endpoint's certificate and key on SIGHUP (docs/tls.md): connections accepted
/// afterwards are served with the new files, open ones keep theirs. A reload that fails (a file
/// half-written by a renewal, a key that does not match) is logged and the current certificate
/// keeps serving; the next SIGHUP tries again.
struct CertificateReloader: Service {
    let tls: ServerTLS
    let signals: UnixSignalsSequence
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                do {
                    try tls.reload()
                    logger.notice("reloaded the TLS certificate and key on SIGHUP", metadata: [
                        "tls-cert": "\(tls.files.certificateChain)"])
                } catch {
                    // ServerTLSError names files and faults, never what the key file holds.
                    logger.error("the TLS reload failed; the current certificate keeps serving", metadata: [
                        "reason": "\(error)"])
                }
            }
        }
    }
}
