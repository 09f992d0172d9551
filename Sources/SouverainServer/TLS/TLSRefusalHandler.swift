import Foundation
import NIOCore
import NIOSSL
import SouverainS3

/// Sits just above the TLS handler and takes its errors, which are the connection's, not an
/// HTTP request's: no HTTP answer can be written into a failed handshake.
///
/// - A client that closes its socket without TLS's close_notify (`uncleanShutdown`) is a normal
///   end of a connection for HTTP/1.1, whose framing says where each message ends: dropped.
/// - A refused handshake (an old protocol version, no shared cipher suite, a missing or untrusted
///   client certificate, plain HTTP on the HTTPS port) is a refusal: recorded in the log and
///   the audit trail like the HTTP layer's own refusals (under the same rate limit), and the
///   connection closed.
final class TLSRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let refusals: RefusalRecorder
    private var reported = false

    init(refusals: RefusalRecorder) {
        self.refusals = refusals
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .uncleanShutdown? = error as? NIOSSLError {
            context.close(promise: nil)
            return
        }
        guard error is NIOSSLError || error is BoringSSLError else { return context.fireErrorCaught(error) }
        if !reported {
            reported = true
            let (code, reason) = Self.refusal(error)
            refusals.report(HTTPRefusal(
                requestID: RequestIdentifier.make(), source: context.channel.remoteAddress?.ipAddress, method: nil, target: nil,
                headerBytes: 0, headerLines: 0, code: code, reason: reason))
        }
        context.close(promise: nil)
    }

    /// The code and reason a refused handshake is recorded with: AccessDenied when the client's
    /// certificate was missing or not trusted, InvalidRequest otherwise.
    static func refusal(_ error: any Error) -> (S3ErrorCode, String) {
        let text = String(describing: error)
        // BoringSSL's reason (`...:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /path...`), else the error.
        var cause = String(text.prefix(160))
        if let marker = text.range(of: "OPENSSL_internal:") {
            cause = String(text[marker.upperBound...].prefix { $0 != " " && $0 != "]" && $0 != ")" })
        }
        let certificate = cause.uppercased().contains("CERTIFICATE")
        return (certificate ? .accessDenied : .invalidRequest, "TLS handshake refused: " + cause)
    }
}
