/// The timing of one HTTP/1.1 connection as a value: which phase it is in (waiting for a
/// request, reading a header section, reading a body, answering) and whether a limit of
/// `ConnectionLimits` has run out. No I/O: `ConnectionGuard` feeds it events and acts on what
/// `check` returns.
///
/// Body time is counted only while the server has asked for bytes and none came: a server slow
/// to read (backpressure) never makes a client look slow.
struct ConnectionTimer {
    typealias Instant = ContinuousClock.Instant

    enum Phase: Equatable {
        /// Between requests, since the instant the previous one was answered.
        case idle(since: Instant)
        /// A header section is arriving, since its first byte (or the connection's start).
        case head(since: Instant)
        /// The body of a request is arriving (or being drained after an early answer).
        case body
        /// The whole request was read; the server is answering, at its own pace.
        case answering
        /// A limit ran out; nothing more is read and the connection closes soon.
        case closing
    }

    /// What ran out, when `check` finds a limit exceeded.
    enum Expiry: Equatable {
        /// No request started within the idle timeout: close quietly.
        case idle
        /// The header section did not arrive in time: refuse with `RequestTimeout` and close.
        case header
        /// The body paused too long, or averaged below the minimum rate: fail the request with
        /// `RequestTimeout` and close once it is answered.
        case body(reason: String)
    }

    let limits: ConnectionLimits
    private(set) var phase: Phase
    /// Whether the answer to the current request has been written in full.
    private var answered = false
    /// Since when the server has been waiting for bytes it asked for; nil when it is not.
    private var waitingSince: Instant?
    /// The part of that wait not yet counted in the current window (it starts later than
    /// `waitingSince` when a window closed during the wait).
    private var uncountedSince: Instant?
    /// Waiting time and bytes received in the current window of the body-rate average.
    private var windowWaited: Duration = .zero
    private var windowBytes = 0

    init(limits: ConnectionLimits, now: Instant) {
        self.limits = limits
        self.phase = .head(since: now)
    }

    /// The server asked the socket for more bytes.
    mutating func readRequested(now: Instant) {
        if waitingSince == nil {
            waitingSince = now
            uncountedSince = now
        }
    }

    /// Bytes arrived from the client.
    mutating func bytesReceived(_ count: Int, now: Instant) {
        if let since = uncountedSince, phase == .body { windowWaited += now - since }
        waitingSince = nil
        uncountedSince = nil
        switch phase {
        case .idle: phase = .head(since: now)
        case .body: windowBytes += count
        case .head, .answering, .closing: break
        }
    }

    /// The decoder produced a request head: its body (if any) follows.
    mutating func headReceived() {
        guard phase != .closing else { return }
        phase = .body
        answered = false
        windowWaited = .zero
        windowBytes = 0
    }

    /// The request's last byte was read.
    mutating func requestEnded(now: Instant) {
        guard phase == .body else { return }
        phase = answered ? .idle(since: now) : .answering
    }

    /// The answer's last byte was written (possibly before the whole body was read: an early
    /// refusal, after which the body is drained under the body limits).
    mutating func answerEnded(now: Instant) {
        answered = true
        if phase == .answering { phase = .idle(since: now) }
    }

    /// A limit ran out: from now on the connection only finishes its answer and closes.
    mutating func close() {
        phase = .closing
    }

    /// Whether a limit has run out at `now`.
    mutating func check(now: Instant) -> Expiry? {
        switch phase {
        case .idle(let since):
            guard limits.idleTimeout > .zero, now - since >= limits.idleTimeout else { return nil }
            return .idle
        case .head(let since):
            guard limits.headerTimeout > .zero, now - since >= limits.headerTimeout else { return nil }
            return .header
        case .body:
            return checkBody(now: now)
        case .answering, .closing:
            return nil
        }
    }

    private mutating func checkBody(now: Instant) -> Expiry? {
        guard limits.bodyTimeout > .zero else { return nil }
        let pause = waitingSince.map { now - $0 } ?? .zero
        if pause >= limits.bodyTimeout {
            return .body(reason: "no body bytes for \(Self.seconds(pause)) s")
        }
        let waited = windowWaited + (uncountedSince.map { now - $0 } ?? .zero)
        guard waited >= limits.bodyTimeout else { return nil }
        let seconds = Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
        let rate = Double(windowBytes) / seconds
        if limits.minimumBodyRate > 0, rate < Double(limits.minimumBodyRate) {
            return .body(reason: "the body arrived at \(Int(rate)) bytes/s, below the minimum of \(limits.minimumBodyRate)")
        }
        // A new window starts; a pause in progress keeps counting towards the next one.
        windowWaited = .zero
        windowBytes = 0
        if uncountedSince != nil { uncountedSince = now }
        return nil
    }

    private static func seconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds)
    }
}
