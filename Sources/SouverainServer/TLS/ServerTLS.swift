import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The endpoint's TLS context, which a reload replaces without touching open connections.
///
/// Each new connection gets its own `NIOSSLServerHandler` made from the context current when
/// it was accepted; a connection keeps its handler, and so the certificate it was shown, until it
/// closes. `reload()` reads the files again and swaps the context under a lock: handshakes that
/// start afterwards present the new certificate, nothing in flight is dropped. A reload that
/// fails (a half-written file, a key that does not match) leaves the current context serving.
public final class ServerTLS: Sendable {
    public let files: ServerTLSFiles
    private let current: NIOLockedValueBox<NIOSSLContext>

    /// Loads the files once; throws `ServerTLSError` when they cannot be served.
    public init(files: ServerTLSFiles) throws {
        self.files = files
        self.current = NIOLockedValueBox(try files.context())
    }

    /// Loads the files again and, when they can be served, makes them the context of every
    /// connection accepted from now on. Throws `ServerTLSError` (and keeps the old context)
    /// otherwise.
    public func reload() throws {
        let context = try files.context()
        current.withLockedValue { $0 = context }
    }

    /// Whether client certificates are required.
    public var requiresClientCertificates: Bool { files.clientCA != nil }

    /// The context new connections get.
    var currentContext: NIOSSLContext { current.withLockedValue { $0 } }

    /// The TLS handler of one new connection, to go first in its pipeline.
    func makeHandler() -> any ChannelHandler {
        NIOSSLServerHandler(context: currentContext)
    }
}
