import NIOConcurrencyHelpers

/// The open connections of the server, by source address and in all, against the caps of
/// `ConnectionLimits`. Shared by every connection's `ConnectionGuard`, on any event loop.
public final class ConnectionCounter: Sendable {
    enum Admission: Equatable {
        case admitted
        case overSourceCap
        case overTotalCap
    }

    let limits: ConnectionLimits
    private let state = NIOLockedValueBox((bySource: [String: Int](), total: 0))

    public init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// Counts a new connection from `source` if the caps allow it.
    func admit(_ source: String) -> Admission {
        state.withLockedValue { state in
            if limits.maximumConnections > 0, state.total >= limits.maximumConnections { return .overTotalCap }
            let open = state.bySource[source, default: 0]
            if limits.maximumConnectionsPerSource > 0, open >= limits.maximumConnectionsPerSource { return .overSourceCap }
            state.bySource[source] = open + 1
            state.total += 1
            return .admitted
        }
    }

    /// Forgets a connection `admit` counted.
    func release(_ source: String) {
        state.withLockedValue { state in
            let open = state.bySource[source, default: 0]
            state.bySource[source] = open > 1 ? open - 1 : nil
            state.total = max(0, state.total - 1)
        }
    }

    /// Open connections from `source`, and in all.
    func open(from source: String) -> (source: Int, total: Int) {
        state.withLockedValue { ($0.bySource[source, default: 0], $0.total) }
    }
}
