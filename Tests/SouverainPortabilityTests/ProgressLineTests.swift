import Synchronization
import Testing
@testable import SouverainPortability

@Suite struct ProgressLineTests {
    @Test func aLineSaysDoneTotalBytesRateAndETA() {
        let line = ProgressLine(
            label: "export b", objectsDone: 1204, objectsTotal: 2500, bytesDone: 100 << 20, bytesTotal: 400 << 20)
        #expect(line.render(elapsed: .seconds(10)) == "export b: 1,204/2,500 objects · 100.0 MiB/400.0 MiB · 10.0 MiB/s · ETA 0:30")
    }

    @Test func skippedObjectsAreCountedButNotInTheRate() {
        let line = ProgressLine(
            label: "import", objectsDone: 10, objectsTotal: 20, bytesDone: 3000, bytesTotal: 4000, objectsSkipped: 5, failures: 1)
        #expect(line.render(elapsed: .seconds(1), skippedBytes: 2000)
            == "import: 10/20 objects · 2.9 KiB/3.9 KiB · 1000 B/s · ETA 0:01 · 5 unchanged · 1 failure")
    }

    @Test func withoutBytesTheETAComesFromObjects() {
        let line = ProgressLine(label: "x", objectsDone: 10, objectsTotal: 70, bytesDone: 0, bytesTotal: 0)
        #expect(line.render(elapsed: .seconds(5)) == "x: 10/70 objects · 0 B/0 B · 0 B/s · ETA 0:30")
    }

    @Test func noETABeforeTheFirstSecond() {
        let line = ProgressLine(label: "x", objectsDone: 1, objectsTotal: 2, bytesDone: 10, bytesTotal: 20)
        #expect(!line.render(elapsed: .milliseconds(500)).contains("ETA"))
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1000, "1,000"), (1_234_567, "1,234,567")])
    func counts(value: Int, text: String) { #expect(ProgressLine.count(value) == text) }

    @Test(arguments: [(Int64(512), "512 B"), (1536, "1.5 KiB"), (5 << 30, "5.0 GiB"), (3 << 40, "3.0 TiB")])
    func sizes(value: Int64, text: String) { #expect(ProgressLine.bytes(value) == text) }

    @Test(arguments: [(42, "0:42"), (725, "12:05"), (11045, "3:04:05")])
    func clocks(seconds: Int, text: String) { #expect(ProgressLine.clock(seconds) == text) }

    /// Lines come on a timer, never per event: a million updates write a handful of lines.
    @Test func outputIsBoundedByTimeNotByEvents() async throws {
        let written = Written()
        let reporter = ProgressReporter(label: "t", style: .lines, interval: .milliseconds(50), output: written.append)
        reporter.expect(objects: 1_000_000, bytes: 1_000_000)
        let value = try await reporter.run {
            for _ in 0..<1_000_000 {
                reporter.add(bytes: 1)
                reporter.objectDone()
            }
            try await Task.sleep(for: .milliseconds(220))
            return 7
        }
        #expect(value == 7)
        let lines = written.lines
        // Under load the timer may fire late or seldom; never more than elapsed time allows.
        #expect(lines.count >= 1 && lines.count <= 40)
        #expect(lines.allSatisfy { $0.hasSuffix("\n") })
        #expect(lines.last?.hasPrefix("t: 1,000,000/1,000,000 objects") == true)
    }

    @Test func onATerminalTheLineIsRewrittenInPlace() async throws {
        let written = Written()
        let reporter = ProgressReporter(label: "t", style: .terminal, interval: .milliseconds(20), output: written.append)
        _ = try await reporter.run { try await Task.sleep(for: .milliseconds(100)) }
        let lines = written.lines
        #expect(lines.allSatisfy { $0.hasPrefix("\r") && $0.contains("\u{1B}[K") })
        #expect(lines.dropLast().allSatisfy { !$0.hasSuffix("\n") })
        #expect(lines.last?.hasSuffix("\n") == true)
    }

    @Test func silentWritesNothing() async throws {
        let written = Written()
        let reporter = ProgressReporter(label: "t", style: .silent, interval: .milliseconds(1), output: written.append)
        _ = try await reporter.run { try await Task.sleep(for: .milliseconds(20)) }
        #expect(written.lines.isEmpty)
    }
}

/// What a reporter wrote.
final class Written: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    @Sendable func append(_ text: String) { storage.withLock { $0.append(text) } }
}
