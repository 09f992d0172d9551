public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 child channel with Souverain's guards around its decoder:
/// `ConnectionGuard` first in the pipeline, on the raw bytes, and `RequestGuard` just above the
/// decoder, on HTTP parts (see both); its socket reads are `SocketReads`'. With HTTPS, the TLS
/// handler goes before the guard, so the guard sees plain bytes and a handshake counts against
/// the header timeout. Everything else is Hummingbird's own.
public struct GuardedHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let counter: ConnectionCounter
    let refusals: RefusalRecorder
    let reads: SocketReads
    /// HTTPS: the context of new connections (reloaded on SIGHUP); nil serves plain HTTP.
    let tls: ServerTLS?

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let connection = ConnectionGuard(counter: counter, refusals: refusals)
        do {
            try reads.configure(channel)
            try channel.pipeline.syncOperations.addHandler(connection, position: .first)
            if let tls {
                try channel.pipeline.syncOperations.addHandler(TLSRefusalHandler(refusals: refusals), position: .first)
                try channel.pipeline.syncOperations.addHandler(tls.makeHandler(), position: .first)
            }
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger).assumeIsolated().flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let codec = try operations.handler(type: HTTP1ToHTTPServerCodec.self)
            try operations.addHandler(RequestGuard(connection: connection), position: .after(codec))
            return value
        }.nonisolated()
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1, or HTTPS when `tls` is given, with the connection limits and refusal records of
    /// `GuardedHTTP1Channel`.
    /// Hummingbird's own idle timeout is left off: `ConnectionGuard` enforces the idle, header
    /// and body timeouts itself.
    public static func guardedHTTP1(
        limits: ConnectionLimits, refusals: RefusalRecorder, tls: ServerTLS? = nil,
        additionalChannelHandlers: @autoclosure @escaping @Sendable () -> [any RemovableChannelHandler] = []
    ) -> HTTPServerBuilder {
        let counter = ConnectionCounter(limits: limits)
        let reads = SocketReads()
        return .init { responder in
            GuardedHTTP1Channel(
                base: HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: additionalChannelHandlers())),
                counter: counter, refusals: refusals, reads: reads, tls: tls)
        }
    }
}
