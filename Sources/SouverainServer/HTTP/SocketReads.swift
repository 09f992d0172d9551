public import HummingbirdCore
public import Logging
public import NIOCore
import Synchronization

/// How much one read from a connection's socket may take.
///
/// SwiftNIO's default lets a read grow to 64 KiB. A large PUT then arrives in about 16 buffers per
/// MiB, and each buffer pays the whole way up: the HTTP decoder, the body stream's hop to the
/// request's task, the sealer, the MD5 stream and the writer. Reads that may grow to `largest`
/// (512 KiB) cut that to two or three: measured alone, the server's CPU per MiB of large PUT fell
/// by about a fifth (docs/benchmarks.md, "Issue 18's eleventh round"). The sizes still adapt as
/// NIO's own allocator makes them: a read grows only after reads that filled their buffer, and
/// shrinks again after short ones, so small requests keep small buffers.
///
/// A connection's body stream holds up to ten reads ahead of its request (NIO's high watermark
/// for an async channel): 5 MiB per connection with 512 KiB reads, where 64 KiB ones held 640 KiB.
/// So only `largeConnections` connections at a time read beyond `defaultLargest`: a connection
/// takes one of those places when its reads outgrow 64 KiB and gives it back when they shrink to it
/// or the connection closes. The others read as NIO's default does. What large reads may add to
/// the server's memory is bounded by that: 16 places of 5 MiB, 80 MiB at worst, well inside the
/// server's 200 MiB budget; the side-by-side's large workloads hold four such connections at once,
/// boto3's multipart transfers ten.
public final class SocketReads: Sendable {
    public static let largest = 512 * 1024
    /// SwiftNIO's own ceiling for a read: every connection may grow to it.
    public static let defaultLargest = 64 * 1024

    let largeConnections: Int
    private let places = Atomic<Int>(0)

    public init(largeConnections: Int = 16) {
        self.largeConnections = largeConnections
    }

    /// Connections whose reads may be larger than `defaultLargest` now.
    public var connectionsWithLargeReads: Int { places.load(ordering: .relaxed) }

    /// Gives the connection its read buffer allocator; called while the channel is set up, on its event loop.
    public func configure(_ channel: any Channel) throws {
        try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: allocator())
    }

    /// A new connection's read buffer allocator.
    func allocator() -> Allocator {
        Allocator(reads: self)
    }

    fileprivate func takePlace() -> Place? {
        var held = places.load(ordering: .relaxed)
        while held < largeConnections {
            let (exchanged, now) = places.compareExchange(expected: held, desired: held + 1, ordering: .relaxed)
            if exchanged { return Place(reads: self) }
            held = now
        }
        return nil
    }

    fileprivate func givePlaceBack() { places.subtract(1, ordering: .relaxed) }

    /// A connection's place among those with large reads, given back when dropped: when the
    /// allocator lets go of it, or with the allocator when the channel goes.
    fileprivate final class Place: Sendable {
        let reads: SocketReads
        init(reads: SocketReads) { self.reads = reads }
        deinit { reads.givePlaceBack() }
    }

    /// NIO's adaptive allocator, up to `largest` while the connection holds a place, up to
    /// `defaultLargest` otherwise.
    struct Allocator: RecvByteBufferAllocator {
        private var adaptive = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: SocketReads.largest)
        private let reads: SocketReads
        private var place: Place?

        init(reads: SocketReads) { self.reads = reads }

        func nextBufferSize() -> Int? {
            let wanted = adaptive.nextBufferSize() ?? SocketReads.defaultLargest
            return place == nil ? min(wanted, SocketReads.defaultLargest) : wanted
        }

        func buffer(allocator: ByteBufferAllocator) -> ByteBuffer {
            allocator.buffer(capacity: nextBufferSize() ?? SocketReads.defaultLargest)
        }

        mutating func record(actualReadBytes: Int) -> Bool {
            let before = nextBufferSize() ?? 0
            let wanted = adaptive.nextBufferSize() ?? 0
            if place == nil, wanted > SocketReads.defaultLargest, actualReadBytes >= SocketReads.defaultLargest {
                // A read held to the default filled its buffer: it takes the size it wanted once
                // it has a place, and stays as it is until then.
                place = reads.takePlace()
            } else {
                _ = adaptive.record(actualReadBytes: actualReadBytes)
                if (adaptive.nextBufferSize() ?? 0) <= SocketReads.defaultLargest {
                    place = nil
                } else if place == nil {
                    place = reads.takePlace()
                }
            }
            return (nextBufferSize() ?? 0) > before
        }
    }
}

/// Hummingbird's HTTP/1.1 child channel with `SocketReads` applied and nothing else: what the raw
/// ceiling (`souverain raw-ceiling`) serves with, so that it reads the socket as the server does.
public struct LargeReadsHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let reads: SocketReads

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try reads.configure(channel)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// Hummingbird's HTTP/1.1 with the server's socket reads (`SocketReads`).
    public static func http1WithLargeReads(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        let reads = SocketReads()
        return .init { responder in
            LargeReadsHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration), reads: reads)
        }
    }
}
