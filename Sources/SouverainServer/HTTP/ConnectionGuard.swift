import NIOCore
import SouverainS3

/// The first handler of every connection, below the HTTP decoder, where bytes are still bytes.
/// It enforces `ConnectionLimits`: the caps on open connections (answered `503 SlowDown`), the
/// header timeout (`400 RequestTimeout`), the body timeout and minimum rate (the request in
/// flight fails with `RequestTimeout`), the idle timeout. It also keeps what was read of each
/// header section, so a request the decoder refuses can still be recorded (`RequestGuard`,
/// above the decoder, reports the request's progress here and handles the refusals).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// The error a body limit fires through the pipeline; `RequestGuard` turns it into the S3
    /// error the request in flight answers.
    struct BodyTimeout: Error {
        let reason: String
    }

    let counter: ConnectionCounter
    let refusals: RefusalRecorder
    private var timer: ConnectionTimer?
    private(set) var sample = RequestHeadSample()
    private(set) var source: String?
    private var admitted = false
    private var check: Scheduled<Void>?
    /// Held while the handler is in the pipeline, to finish the connection from `RequestGuard`.
    private var context: ChannelHandlerContext?
    /// A refusal was answered: the rest of the input is read and dropped (so the client reads the
    /// answer rather than a reset), until it ends or `lingerTime` passes.
    private var lingering = false
    static let lingerTime = TimeAmount.seconds(2)

    init(counter: ConnectionCounter, refusals: RefusalRecorder) {
        self.counter = counter
        self.refusals = refusals
    }

    var limits: ConnectionLimits { counter.limits }
    var phase: ConnectionTimer.Phase? { timer?.phase }

    // MARK: what RequestGuard reports

    func headReceived() { timer?.headReceived() }
    func requestEnded() { timer?.requestEnded(now: .now) }
    func answerEnded() { timer?.answerEnded(now: .now) }
    /// A refusal is being answered: no more reading, no more timers.
    func closing() { timer?.close() }

    func report(_ refusal: HTTPRefusal) { refusals.report(refusal) }

    /// Ends the connection after a refusal's answer was written: output closed at once, input
    /// drained and dropped for at most `lingerTime`, then the connection closed.
    func finish() {
        guard let context, !lingering else { return }
        timer?.close()
        lingering = true
        context.close(mode: .output, promise: nil)
        context.read()
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerTime) { context.close(promise: nil) }
    }

    // MARK: channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { activate(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
        self.context = nil
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if lingering { return context.read() }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if lingering, let event = event as? ChannelEvent, event == .inputClosed { return context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var timer, timer.phase != .closing else { return }  // a refused connection reads nothing more
        let buffer = unwrapInboundIn(data)
        if case .idle = timer.phase { sample = RequestHeadSample() }
        timer.bytesReceived(buffer.readableBytes, now: .now)
        self.timer = timer
        if case .head = timer.phase { sample.feed(buffer) }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        timer?.readRequested(now: .now)
        context.read()
    }

    // MARK: limits

    private func activate(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        timer = ConnectionTimer(limits: limits, now: .now)
        let source = context.channel.remoteAddress?.ipAddress ?? "unknown"
        self.source = source
        switch counter.admit(source) {
        case .admitted:
            admitted = true
            scheduleCheck(context)
        case .overSourceCap:
            refuse(context, .slowDown, "over the cap of \(limits.maximumConnectionsPerSource) open connections from one source",
                   message: "Too many open connections from your address; close some and retry.")
        case .overTotalCap:
            refuse(context, .slowDown, "over the cap of \(limits.maximumConnections) open connections",
                   message: "The server has too many open connections; retry later.")
        }
    }

    private func stop() {
        check?.cancel()
        check = nil
        if admitted, let source {
            admitted = false
            counter.release(source)
        }
    }

    private func scheduleCheck(_ context: ChannelHandlerContext) {
        let interval = limits.checkInterval
        check = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(interval)) {
            self.check = nil
            self.checkLimits(context)
        }
    }

    private func checkLimits(_ context: ChannelHandlerContext) {
        guard context.channel.isActive, var timer else { return }
        let expiry = timer.check(now: .now)
        self.timer = timer
        switch expiry {
        case nil:
            scheduleCheck(context)
        case .idle:
            context.close(promise: nil)
        case .header:
            let seconds = limits.headerTimeout.components.seconds
            refuse(context, .requestTimeout, "the header section did not arrive within \(seconds) s",
                   message: "Your request's header section did not arrive within \(seconds) seconds.")
        case .body(let reason):
            // The request in flight answers RequestTimeout; the connection closes once it has
            // (RequestGuard), or after a grace period if the answer cannot be written.
            self.timer?.close()
            context.fireErrorCaught(BodyTimeout(reason: reason))
            context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(5)) { context.close(promise: nil) }
        }
    }

    /// Answers a refusal in raw bytes (no request is being answered: the connection is new, or
    /// between requests, or in a header section), closes, and reports it.
    private func refuse(_ context: ChannelHandlerContext, _ code: S3ErrorCode, _ reason: String, message: String) {
        timer?.close()
        let requestID = RequestIdentifier.make()
        let line = sample.requestLine
        refusals.report(HTTPRefusal(
            requestID: requestID, source: source, method: line.method, target: line.target, headerBytes: sample.bytes,
            headerLines: sample.lines, code: code, reason: reason))
        let body = S3Error(code, message).xmlBody(requestID: requestID)
        let head = "HTTP/1.1 \(code.status) \(code.status == 503 ? "Service Unavailable" : "Bad Request")\r\n"
            + "Content-Type: application/xml\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
            + "x-amz-request-id: \(requestID)\r\nx-amz-id-2: \(requestID)\r\nServer: Souverain\r\n\r\n"
        let bytes = context.channel.allocator.buffer(string: head + body)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(bytes))).assumeIsolated().whenComplete { _ in
            self.finish()
        }
    }
}
