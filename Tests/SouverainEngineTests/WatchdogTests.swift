import Foundation
import NIOCore
@testable import SouverainEngine
import SouverainModel
import SouverainStorage
import Testing

/// Location steps bounded in time by one shared watchdog (Watchdog.swift in SouverainModel).
@Suite struct WatchdogTests {
    /// A step that overruns its limit fails as unavailable; one that finishes keeps its value or
    /// its own error; nothing stays watched, and the watching task ends once nothing is.
    @Test(.timeLimit(.minutes(1)))
    func aStepPastItsLimitFailsAndTheOthersKeepTheirOutcome() async throws {
        // A watchdog of the test's own: other suites' steps run on the shared one meanwhile.
        let watchdog = Watchdog(tick: .milliseconds(20))
        await #expect(throws: StorageError.self) {
            try await withStepLimit(.milliseconds(200), location: "slow", step: "answer", watchdog: watchdog) {
                try await Task.sleep(for: .seconds(50))
                return 1
            }
        }
        let fast = try await withStepLimit(.seconds(30), location: "fast", step: "answer", watchdog: watchdog) { 7 }
        #expect(fast == 7)
        struct Own: Error {}
        await #expect(throws: Own.self) {
            try await withStepLimit(.seconds(30), location: "fast", step: "fail", watchdog: watchdog) { () async throws -> Int in throw Own() }
        }
        #expect(watchdog.status.watched == 0)
        // The watching task notices within a tick or two that nothing is left, and ends.
        for _ in 0..<100 where watchdog.status.running { try await Task.sleep(for: .milliseconds(50)) }
        #expect(watchdog.status.running == false)
    }

    /// Many steps at once, each with its own limit: only the overdue ones fail.
    @Test(.timeLimit(.minutes(1)))
    func concurrentStepsAreEachJudgedByTheirOwnLimit() async throws {
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for i in 0..<200 {
                group.addTask {
                    let overrun = i % 10 == 0
                    do {
                        _ = try await withStepLimit(overrun ? .milliseconds(100) : .seconds(30), location: "l", step: "s") {
                            if overrun { try await Task.sleep(for: .seconds(50)) }
                            return i
                        }
                        return (i, true)
                    } catch {
                        return (i, false)
                    }
                }
            }
            var all: [Int: Bool] = [:]
            for await (i, succeeded) in group { all[i] = succeeded }
            return all
        }
        #expect(outcomes.count == 200)
        for (i, succeeded) in outcomes { #expect(succeeded == (i % 10 != 0), "step \(i)") }
    }

    /// The caller's cancellation reaches the step, which ends with it.
    @Test(.timeLimit(.minutes(1)))
    func cancellingTheCallerCancelsTheStep() async throws {
        let caller = Task {
            try await withStepLimit(.seconds(30), location: "l", step: "s") {
                try await Task.sleep(for: .seconds(50))
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
    }
}
