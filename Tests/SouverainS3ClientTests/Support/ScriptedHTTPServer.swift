import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP server on loopback that answers each request as a script says: a status and body,
/// a dropped connection, or silence. It counts the requests it received.
final class ScriptedHTTPServer: Sendable {
    enum Reply: Sendable {
        /// Answer with `status`, headers and body, after reading the whole request.
        case respond(Int, body: String = "", headers: [(String, String)] = [])
        /// Answer with `status` as soon as the head arrives, without reading the body.
        case respondEarly(Int, body: String = "")
        /// Close the connection without answering.
        case drop
        /// Never answer.
        case hang
    }

    private let channel: any Channel
    private let counter: Counter
    let port: Int

    var endpoint: String { "http://127.0.0.1:\(port)" }
    /// How many request heads arrived.
    var requestCount: Int { counter.value.withLock { $0 } }

    /// Starts a server whose `script` decides the reply to request number n (1-based).
    static func start(script: @escaping @Sendable (Int, HTTPRequestHead) -> Reply) async throws -> ScriptedHTTPServer {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(ScriptHandler(counter: counter, script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedHTTPServer(channel: channel, counter: counter, port: channel.localAddress?.port ?? 0)
    }

    private init(channel: any Channel, counter: Counter, port: Int) {
        self.channel = channel
        self.counter = counter
        self.port = port
    }

    func stop() async {
        try? await channel.close()
    }

    final class Counter: Sendable {
        let value = Mutex(0)
        func next() -> Int { value.withLock { $0 += 1; return $0 } }
    }
}

private final class ScriptHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: used only on its channel's event loop.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let counter: ScriptedHTTPServer.Counter
    let script: @Sendable (Int, HTTPRequestHead) -> ScriptedHTTPServer.Reply
    var pending: ScriptedHTTPServer.Reply?
    var answered = false

    init(counter: ScriptedHTTPServer.Counter, script: @escaping @Sendable (Int, HTTPRequestHead) -> ScriptedHTTPServer.Reply) {
        self.counter = counter
        self.script = script
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let reply = script(counter.next(), head)
            answered = false
            switch reply {
            case .drop:
                context.close(promise: nil)
            case .respondEarly(let status, let body):
                answered = true
                respond(context: context, status: status, body: body, headers: [("connection", "close")], close: true)
            default:
                pending = reply
            }
        case .body:
            break
        case .end:
            guard !answered, let reply = pending else { return }
            pending = nil
            if case .respond(let status, let body, let headers) = reply {
                respond(context: context, status: status, body: body, headers: headers, close: false)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, status: Int, body: String, headers: [(String, String)], close: Bool) {
        var fields = HTTPHeaders(headers)
        fields.add(name: "content-length", value: String(body.utf8.count))
        fields.add(name: "x-amz-request-id", value: "scripted-\(status)")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
