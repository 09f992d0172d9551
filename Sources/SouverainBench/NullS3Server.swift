import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An S3 endpoint on loopback that stores nothing: it answers PUT with an ETag, GET with as many
/// zero bytes as the key was PUT with, HEAD with that length, LIST with a fixed page of keys,
/// DELETE with 204, and multipart calls with plausible documents. No authentication. Measuring
/// against it gives the load generator's own ceiling on this machine.
public final class NullS3Server: Sendable {
    private let channel: any Channel
    /// The endpoint URL, `http://127.0.0.1:PORT`.
    public let endpoint: String

    /// Starts the server on 127.0.0.1 and a free port.
    public static func start() async throws -> NullS3Server {
        let store = NullStore()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(NullS3Handler(store: store))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return NullS3Server(channel: channel, endpoint: "http://127.0.0.1:\(channel.localAddress?.port ?? 0)")
    }

    private init(channel: any Channel, endpoint: String) {
        self.channel = channel
        self.endpoint = endpoint
    }

    /// Stops listening; connections still open are closed by their clients.
    public func stop() async {
        try? await channel.close()
    }
}

/// The sizes of the objects "stored", and the rendered listing pages.
final class NullStore: Sendable {
    let sizes = Mutex<[String: Int64]>([:])
    let pages = Mutex<[Int: ByteBuffer]>([:])
    /// 1 MiB of zeros, sliced for every GET.
    let zeros: ByteBuffer = ByteBuffer(repeating: 0, count: 1 << 20)

    /// A ListBucketResult of `count` keys (`k/0000000`...), rendered once per count.
    func page(count: Int) -> ByteBuffer {
        pages.withLock { pages in
            if let page = pages[count] { return page }
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            xml += "<Name>null</Name><Prefix></Prefix><KeyCount>\(count)</KeyCount><MaxKeys>\(count)</MaxKeys><IsTruncated>false</IsTruncated>"
            for index in 0..<count {
                let key = "k/" + String(repeating: "0", count: max(0, 7 - String(index).count)) + String(index)
                xml += "<Contents><Key>\(key)</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>"
                xml += "<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>"
            }
            xml += "</ListBucketResult>"
            let page = ByteBuffer(string: xml)
            pages[count] = page
            return page
        }
    }
}

private final class NullS3Handler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: used only on its channel's event loop.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let store: NullStore
    var head: HTTPRequestHead?
    var received: Int64 = 0

    init(store: NullStore) { self.store = store }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            received = 0
        case .body(let buffer):
            received += Int64(buffer.readableBytes)
        case .end:
            guard let head else { return }
            self.head = nil
            answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let (path, query) = Self.split(head.uri)
        let isObject = path.dropFirst().contains("/")
        // An aws-chunked body's object is the decoded length.
        let length = head.headers.first(name: "x-amz-decoded-content-length").flatMap { Int64($0) } ?? received
        switch (head.method, isObject) {
        case (.PUT, true):
            if !query.contains("partNumber=") { store.sizes.withLock { $0[path] = length } }
            respond(context, head, status: .ok, headers: [("ETag", "\"d41d8cd98f00b204e9800998ecf8427e\"")])
        case (.GET, true):
            guard let size = store.sizes.withLock({ $0[path] }) else { return notFound(context, head) }
            var headers = HTTPHeaders([("Content-Length", String(size)), ("ETag", "\"d41d8cd98f00b204e9800998ecf8427e\""),
                                       ("Content-Type", "binary/octet-stream")])
            Self.keepAlive(head, &headers)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            var remaining = size
            while remaining > 0 {
                let count = Int(min(remaining, Int64(store.zeros.readableBytes)))
                context.write(wrapOutboundOut(.body(.byteBuffer(store.zeros.getSlice(at: 0, length: count)!))), promise: nil)
                remaining -= Int64(count)
            }
            finish(context, head)
        case (.HEAD, true):
            guard let size = store.sizes.withLock({ $0[path] }) else { return notFound(context, head) }
            respond(context, head, status: .ok, headers: [("Content-Length", String(size)), ("ETag", "\"d41d8cd98f00b204e9800998ecf8427e\"")],
                    bodyLength: false)
        case (.GET, false):
            let maxKeys = Self.parameter("max-keys", in: query).flatMap { Int($0) } ?? 1000
            respond(context, head, status: .ok, body: store.page(count: max(0, min(1000, maxKeys))))
        case (.DELETE, true):
            if !query.contains("uploadId=") { _ = store.sizes.withLock { $0.removeValue(forKey: path) } }
            respond(context, head, status: .noContent)
        case (.POST, true) where query.contains("uploads"):
            respond(context, head, status: .ok, body: ByteBuffer(string:
                "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>null-upload</UploadId></InitiateMultipartUploadResult>"))
        case (.POST, true):
            store.sizes.withLock { $0[path] = 0 }
            respond(context, head, status: .ok, body: ByteBuffer(string:
                "<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>\"d41d8cd98f00b204e9800998ecf8427e-1\"</ETag></CompleteMultipartUploadResult>"))
        case (.POST, false):
            respond(context, head, status: .ok, body: ByteBuffer(string: "<DeleteResult></DeleteResult>"))
        default:
            respond(context, head, status: .ok)
        }
    }

    private func notFound(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        let body = head.method == .HEAD ? ByteBuffer()
            : ByteBuffer(string: "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")
        respond(context, head, status: .notFound, body: body)
    }

    private func respond(
        _ context: ChannelHandlerContext, _ head: HTTPRequestHead, status: HTTPResponseStatus,
        headers extra: [(String, String)] = [], body: ByteBuffer = ByteBuffer(), bodyLength: Bool = true
    ) {
        var headers = HTTPHeaders(extra)
        if bodyLength { headers.add(name: "Content-Length", value: String(body.readableBytes)) }
        if body.readableBytes > 0 { headers.add(name: "Content-Type", value: "application/xml") }
        Self.keepAlive(head, &headers)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        finish(context, head)
    }

    private func finish(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !head.isKeepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private static func keepAlive(_ head: HTTPRequestHead, _ headers: inout HTTPHeaders) {
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
    }

    private static func split(_ uri: String) -> (path: String, query: String) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }

    private static func parameter(_ name: String, in query: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first == Substring(name) { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }
}
