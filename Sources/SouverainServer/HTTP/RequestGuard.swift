import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import SouverainS3

/// The handler just above the HTTP decoder. It turns what the decoder and the connection's
/// limits refuse into S3 answers, and tells `ConnectionGuard` where each request stands:
/// - a header section the decoder refuses (too large, too many fields, a malformed request line
///   or `Content-Length`, `Content-Length` with `Transfer-Encoding`) is answered with an S3 XML
///   error and a request id, recorded, and the connection closed;
/// - a `Content-Length` above 5 TiB is refused with `EntityTooLarge` before the body is read;
/// - a body that ends early (the client hung up) fails the request in flight with
///   `IncompleteBody`, and a body the limits cut fails it with `RequestTimeout`: the S3 handler
///   answers and records those like any other S3 error, never as an internal error.
final class RequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let connection: ConnectionGuard
    /// A refusal was answered (or is due): nothing more goes up to the S3 server.
    private var refused = false
    /// A refusal that arrived while an earlier request of the connection was being answered:
    /// it is answered right after that answer ends.
    private var pendingRefusal: (any Error)?

    init(connection: ConnectionGuard) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if case let (code, reason, message)? = Self.contentLengthRefusal(head.headerFields) {
                refuse(context, code, reason, message: message, method: head.method.rawValue, target: head.path)
                return
            }
            connection.headReceived()
        case .body:
            break
        case .end:
            connection.requestEnded()
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !refused else { return }
        if let timeout = error as? ConnectionGuard.BodyTimeout {
            context.fireErrorCaught(S3Error(.requestTimeout, "Your request body did not arrive in time: \(timeout.reason)."))
            return
        }
        switch connection.phase {
        case .body?:
            // The request fails; its answer is the connection's last (a broken body leaves no
            // way to find where the next request starts).
            connection.closing()
            context.fireErrorCaught(Self.bodyError(error))
        case .head?, .idle?:
            guard Self.isRefusal(error) else { return context.fireErrorCaught(error) }
            let (code, message) = Self.answer(to: error)
            refuse(context, code, Self.describe(error), message: message, method: nil, target: nil)
        case .answering?:
            // An earlier request is being answered: the refusal follows its answer.
            guard Self.isRefusal(error) else { return context.fireErrorCaught(error) }
            refused = true
            pendingRefusal = error
        case .closing?, nil:
            context.fireErrorCaught(error)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
        connection.answerEnded()
        if let error = pendingRefusal {
            pendingRefusal = nil
            context.write(data, promise: promise)
            // What the connection read belonged to the earlier request: the record names none.
            let (code, message) = Self.answer(to: error)
            refuse(context, code, Self.describe(error), message: message, method: nil, target: nil, sampled: false)
            return
        }
        guard connection.phase == .closing else { return context.write(data, promise: promise) }
        // A limit ran out during this request: the answer is its last.
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(data, promise: written)
        written.futureResult.assumeIsolated().whenComplete { result in
            promise?.completeWith(result)
            self.connection.finish()
        }
    }

    // MARK: refusals

    private func refuse(
        _ context: ChannelHandlerContext, _ code: S3ErrorCode, _ reason: String, message: String, method: String?,
        target: String?, sampled: Bool = true
    ) {
        refused = true
        connection.closing()
        let requestID = RequestIdentifier.make()
        report(code, reason, requestID: requestID, method: method, target: target, sample: sampled ? connection.sample : nil)
        let body = context.channel.allocator.buffer(string: S3Error(code, message).xmlBody(requestID: requestID))
        let head = HTTPResponse(status: .init(code: code.status), headerFields: [
            .contentType: "application/xml", .contentLength: String(body.readableBytes), .connection: "close",
            .amzRequestID: requestID, .amzID2: requestID, .server: "Souverain",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            self.connection.finish()
        }
    }

    private func report(
        _ code: S3ErrorCode, _ reason: String, requestID: String, method: String?, target: String?, sample: RequestHeadSample?
    ) {
        let sample = sample ?? RequestHeadSample()
        let line = sample.requestLine
        connection.report(HTTPRefusal(
            requestID: requestID, source: connection.source, method: method ?? line.method, target: target ?? line.target,
            headerBytes: sample.bytes, headerLines: sample.lines, code: code, reason: reason))
    }

    /// A `Content-Length` the server refuses before reading the body: several values, not a
    /// number, or larger than the largest object. (The decoder already refuses most of these;
    /// this is the rule, stated once, for what reaches past it.)
    static func contentLengthRefusal(_ fields: HTTPFields) -> (S3ErrorCode, String, String)? {
        let values = fields[values: .contentLength]
        guard !values.isEmpty else { return nil }
        // Checked byte by byte: Foundation's `contains(_:)` and `trimmingCharacters(in:)` went
        // through NSString on every request with a body, 1% of a small PUT's CPU.
        let value = values[0].utf8
        guard values.count == 1, !value.contains(UInt8(ascii: ",")) else {
            return (.invalidRequest, "several Content-Length values", "Your request has several Content-Length values.")
        }
        guard fields[.transferEncoding] == nil else {
            return (.invalidRequest, "Content-Length with Transfer-Encoding",
                    "Your request has both Content-Length and Transfer-Encoding.")
        }
        // A field value's optional whitespace is spaces and tabs (RFC 9110, section 5.6.3).
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = value.firstIndex(where: { !isSpace($0) }), let last = value.lastIndex(where: { !isSpace($0) }),
            value[first...last].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            return (.invalidRequest, "Content-Length is not a non-negative integer", "Your Content-Length is not a non-negative integer.")
        }
        let text = Substring(value[first...last])
        guard let length = UInt64(text), length <= ConnectionLimits.maximumContentLength else {
            return (.entityTooLarge, "Content-Length \(text.prefix(24)) exceeds 5 TiB",
                    "Your proposed upload exceeds the maximum allowed object size of 5 TiB.")
        }
        return nil
    }

    /// The decoder's and the HTTP type conversion's errors are refusals; I/O errors (a reset
    /// connection) are not requests at all.
    static func isRefusal(_ error: any Error) -> Bool {
        !(error is IOError || error is ChannelError)
    }

    static func answer(to error: any Error) -> (S3ErrorCode, String) {
        switch error as? HTTPParserError {
        case .headerOverflow?:
            return (.requestHeaderSectionTooLarge, "Your request header section exceeds the maximum allowed size.")
        case .invalidContentLength?, .unexpectedContentLength?:
            return (.invalidRequest, "Your Content-Length is invalid, repeated, or sent with Transfer-Encoding.")
        case .invalidEOFState?:
            return (.invalidRequest, "The connection closed before the request's header section ended.")
        default:
            return (.invalidRequest, "Your request is not valid HTTP/1.1.")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPParserError { return "HTTP parser: \(error.debugDescription)" }
        return "HTTP: \(String(describing: error).prefix(120))"
    }

    /// What the request in flight fails with when its body cannot be read to the end.
    static func bodyError(_ error: any Error) -> any Error {
        switch error {
        case let error as S3Error:
            return error
        case let error as HTTPParserError where error == .invalidEOFState:
            return S3Error(.incompleteBody, "The connection closed before the whole request body arrived.")
        case is IOError, is ChannelError:
            return S3Error(.incompleteBody, "The connection closed before the whole request body arrived.")
        case let error as HTTPParserError:
            return S3Error(.invalidRequest, "The request body's framing is invalid: \(error.debugDescription).")
        default:
            return error
        }
    }
}
