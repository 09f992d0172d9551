import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of an export, verification or import, on standard error.
///
/// On a terminal, one line rewritten in place a few times a second; otherwise (a log, a pipe) a
/// line every few seconds. Lines are written on a timer, never per object, so the output stays
/// small whatever the number of objects. Counters are updated from any task.
public final class ProgressReporter: Sendable {
    /// How lines are written.
    public enum Style: Sendable, Equatable {
        /// One line, rewritten in place (`\r`, then erase to the end of the line).
        case terminal
        /// A new line every interval.
        case lines
        /// Nothing.
        case silent
    }

    public let label: String
    public let style: Style
    /// Between two lines.
    public let interval: Duration
    private let output: @Sendable (String) -> Void
    private let state = Mutex(State())

    private struct State {
        var objectsDone = 0
        var objectsTotal: Int?
        var bytesDone: Int64 = 0
        var bytesTotal: Int64?
        var objectsSkipped = 0
        var skippedBytes: Int64 = 0
        var failures = 0
        /// Set once the final line is written: a tick that woke just before must not follow it.
        var finished = false
    }

    /// A reporter writing to `output` (standard error by default). Without a `style`: `terminal`
    /// when standard error is a terminal, `lines` otherwise. Without an `interval`: 0.25 s on a
    /// terminal, 5 s otherwise.
    public init(
        label: String, style: Style? = nil, interval: Duration? = nil,
        output: (@Sendable (String) -> Void)? = nil
    ) {
        self.label = label
        let style = style ?? (isatty(STDERR_FILENO) == 1 ? .terminal : .lines)
        self.style = style
        self.interval = interval ?? (style == .terminal ? .milliseconds(250) : .seconds(5))
        self.output = output ?? { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// A reporter that writes nothing.
    public static func silent() -> ProgressReporter { ProgressReporter(label: "", style: .silent) }

    /// Sets the totals, once they are known.
    public func expect(objects: Int, bytes: Int64) {
        state.withLock {
            $0.objectsTotal = objects
            $0.bytesTotal = bytes
        }
    }

    /// Bytes moved (as they stream).
    public func add(bytes: Int64) {
        state.withLock { $0.bytesDone += bytes }
    }

    /// An object finished.
    public func objectDone() {
        state.withLock { $0.objectsDone += 1 }
    }

    /// An object found unchanged: counted done, with its bytes, without moving them.
    public func objectSkipped(bytes: Int64) {
        state.withLock {
            $0.objectsDone += 1
            $0.objectsSkipped += 1
            $0.bytesDone += bytes
            $0.skippedBytes += bytes
        }
    }

    /// An object failed (it is counted done: nothing more will happen to it in this run).
    public func objectFailed() {
        state.withLock {
            $0.objectsDone += 1
            $0.failures += 1
        }
    }

    /// The current line.
    public func line(elapsed: Duration) -> String {
        state.withLock { render($0, elapsed: elapsed) }
    }

    private func render(_ state: State, elapsed: Duration) -> String {
        ProgressLine(
            label: label, objectsDone: state.objectsDone, objectsTotal: state.objectsTotal, bytesDone: state.bytesDone,
            bytesTotal: state.bytesTotal, objectsSkipped: state.objectsSkipped, failures: state.failures
        ).render(elapsed: elapsed, skippedBytes: state.skippedBytes)
    }

    /// Runs `body` while a child task writes a line every `interval` of `clock`; writes the final
    /// line when `body` returns or throws.
    public func run<T: Sendable>(
        clock: some Clock<Duration> = ContinuousClock(), _ body: () async throws -> T
    ) async throws -> T {
        guard style != .silent else { return try await body() }
        let start = clock.now
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await clock.sleep(for: self.interval)
                    self.emit(elapsed: start.duration(to: clock.now), final: false)
                }
            }
            defer { group.cancelAll() }
            let result: T
            do {
                result = try await body()
            } catch {
                group.cancelAll()
                self.emit(elapsed: start.duration(to: clock.now), final: true)
                throw error
            }
            group.cancelAll()
            self.emit(elapsed: start.duration(to: clock.now), final: true)
            return result
        }
    }

    /// Writes the line, under the lock so that lines never interleave and none follows the final one.
    private func emit(elapsed: Duration, final: Bool) {
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = final
            let text = render(state, elapsed: elapsed)
            switch style {
            case .silent:
                return
            case .lines:
                output(text + "\n")
            case .terminal:
                // Carriage return, the line, erase what a longer previous line left.
                output("\r" + text + "\u{1B}[K" + (final ? "\n" : ""))
            }
        }
    }
}
