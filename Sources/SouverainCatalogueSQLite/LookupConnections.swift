import Foundation
internal import GRDB
import Synchronization

/// Read-only connections for `SQLiteCatalogue.lookup`: point reads (a user, a bucket, an object's
/// record) run on the calling thread, where GRDB's asynchronous `read` hops to a reader's queue and
/// back. Each hop is two thread switches, 60 to 70 µs of CPU on this project's machines, more than
/// an indexed lookup in pages SQLite already holds (docs/benchmarks.md, "Small GET and HEAD").
///
/// A connection is taken, used without suspending, and given back; when none is free the caller
/// goes the asynchronous way instead of waiting. Nothing here ever blocks on another task: GRDB's
/// own pool makes a synchronous reader wait for a reader that an asynchronous task holds, and with
/// every cooperative thread waiting, that task cannot run to give it back.
final class LookupConnections: Sendable {
    private let free: Mutex<[DatabaseQueue]>

    init(path: String, count: Int, configuration base: Configuration) throws {
        var configuration = base
        configuration.readonly = true
        var connections: [DatabaseQueue] = []
        for _ in 0..<count { connections.append(try DatabaseQueue(path: path, configuration: configuration)) }
        free = Mutex(connections)
    }

    /// Runs `body` on a free connection, in a read transaction of its own or, for a single
    /// statement, without one; nil when none is free.
    func read<T>(oneStatement: Bool = false, _ body: (Database) throws -> T) throws -> T? {
        guard let connection = free.withLock({ $0.popLast() }) else { return nil }
        defer { free.withLock { $0.append(connection) } }
        return oneStatement ? try connection.inDatabase(body) : try connection.read(body)
    }
}
