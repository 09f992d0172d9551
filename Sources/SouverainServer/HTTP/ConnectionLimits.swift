/// What a client may take of a connection before the server cuts it: the timing limits of
/// nginx's `client_header_timeout`, `client_body_timeout` and `keepalive_timeout`, a minimum
/// upload rate, and caps on open connections. A zero turns a limit off.
public struct ConnectionLimits: Sendable, Equatable {
    /// A request's whole header section must arrive within this time of its first byte (of the
    /// connection's start, for the first request).
    public var headerTimeout: Duration
    /// While the server waits for body bytes, a pause this long ends the request with
    /// `RequestTimeout`; it is also the window over which `minimumBodyRate` is averaged.
    public var bodyTimeout: Duration
    /// Bytes per second a body must average over `bodyTimeout` of waiting for the client. Time
    /// the server itself spends not reading (backpressure from a slow location) does not count.
    public var minimumBodyRate: Int
    /// A kept-alive connection with no request for this long is closed.
    public var idleTimeout: Duration
    /// Open connections allowed from one source address, and in all.
    public var maximumConnectionsPerSource: Int
    public var maximumConnections: Int

    /// The largest `Content-Length` accepted on any request: AWS's maximum object size, 5 TiB.
    /// Larger ones are refused with `EntityTooLarge` before any byte of the body is read.
    public static let maximumContentLength: UInt64 = 5 << 40

    public init(
        headerTimeout: Duration = .seconds(60), bodyTimeout: Duration = .seconds(60), minimumBodyRate: Int = 1024,
        idleTimeout: Duration = .seconds(75), maximumConnectionsPerSource: Int = 256, maximumConnections: Int = 4096
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.minimumBodyRate = minimumBodyRate
        self.idleTimeout = idleTimeout
        self.maximumConnectionsPerSource = maximumConnectionsPerSource
        self.maximumConnections = maximumConnections
    }

    /// How often a connection checks its timers: a quarter of the shortest timeout, between
    /// 100 ms and 1 s, so a limit is enforced within a quarter of itself.
    var checkInterval: Duration {
        let timeouts = [headerTimeout, bodyTimeout, idleTimeout].filter { $0 > .zero }
        guard let shortest = timeouts.min() else { return .seconds(1) }
        return min(max(shortest / 4, .milliseconds(100)), .seconds(1))
    }
}
