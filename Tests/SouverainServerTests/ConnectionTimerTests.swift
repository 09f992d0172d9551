import Testing
@testable import SouverainServer

struct ConnectionTimerTests {
    let start = ContinuousClock.now
    let limits = ConnectionLimits(
        headerTimeout: .seconds(10), bodyTimeout: .seconds(4), minimumBodyRate: 100, idleTimeout: .seconds(20))

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    @Test func aHeaderSectionThatNeverEndsExpiresAfterTheHeaderTimeout() {
        var timer = ConnectionTimer(limits: limits, now: start)
        timer.readRequested(now: at(0))
        timer.bytesReceived(10, now: at(1))
        #expect(timer.check(now: at(9.9)) == nil)
        #expect(timer.check(now: at(10)) == .header)
    }

    @Test func aBodyThatPausesExpiresAfterTheBodyTimeout() {
        var timer = ConnectionTimer(limits: limits, now: start)
        timer.headReceived()
        timer.readRequested(now: at(1))
        #expect(timer.check(now: at(4.9)) == nil)
        guard case .body(let reason)? = timer.check(now: at(5)) else { Issue.record("no body expiry"); return }
        #expect(reason.contains("no body bytes"))
    }

    @Test func aTrickleBelowTheMinimumRateExpiresAtTheEndOfItsWindow() {
        var timer = ConnectionTimer(limits: limits, now: start)
        timer.headReceived()
        // One byte a second: never a 4 s pause, but 1 byte/s against a minimum of 100.
        for second in 0..<4 {
            timer.readRequested(now: at(Double(second)))
            timer.bytesReceived(1, now: at(Double(second) + 1))
            if second < 3 { #expect(timer.check(now: at(Double(second) + 1)) == nil) }
        }
        guard case .body(let reason)? = timer.check(now: at(4)) else { Issue.record("no rate expiry"); return }
        #expect(reason.contains("below the minimum"))
    }

    @Test func timeTheServerSpendsNotReadingNeverCountsAgainstTheClient() {
        var timer = ConnectionTimer(limits: limits, now: start)
        timer.headReceived()
        timer.readRequested(now: at(0))
        timer.bytesReceived(1000, now: at(0.5))
        // Backpressure: no read asked for 60 s.
        #expect(timer.check(now: at(60)) == nil)
        timer.readRequested(now: at(60))
        timer.bytesReceived(1000, now: at(60.5))
        #expect(timer.check(now: at(61)) == nil)
    }

    @Test func aFastBodyStartsANewWindowAndKeepsGoing() {
        var timer = ConnectionTimer(limits: limits, now: start)
        timer.headReceived()
        for step in 0..<40 {
            timer.readRequested(now: at(Double(step) * 0.5))
            timer.bytesReceived(1000, now: at(Double(step) * 0.5 + 0.25))
            #expect(timer.check(now: at(Double(step) * 0.5 + 0.25)) == nil)
        }
    }

    @Test func anIdleConnectionExpiresAfterTheIdleTimeoutAndANewRequestRestartsTheHeaderClock() {
        var timer = ConnectionTimer(limits: limits, now: start)
        timer.headReceived()
        timer.requestEnded(now: at(1))
        #expect(timer.phase == .answering)
        #expect(timer.check(now: at(100)) == nil)  // the server answers at its own pace
        timer.answerEnded(now: at(100))
        #expect(timer.check(now: at(119)) == nil)
        #expect(timer.check(now: at(120)) == .idle)
        timer.bytesReceived(5, now: at(119))
        #expect(timer.phase == .head(since: at(119)))
        #expect(timer.check(now: at(128)) == nil)
        #expect(timer.check(now: at(129)) == .header)
    }

    @Test func anEarlyAnswerLeavesTheBodyUnderTheBodyLimitsUntilItEnds() {
        var timer = ConnectionTimer(limits: limits, now: start)
        timer.headReceived()
        timer.answerEnded(now: at(1))
        #expect(timer.phase == .body)
        timer.requestEnded(now: at(2))
        #expect(timer.phase == .idle(since: at(2)))
    }

    @Test func zeroTurnsEveryTimeoutOff() {
        let off = ConnectionLimits(headerTimeout: .zero, bodyTimeout: .zero, minimumBodyRate: 0, idleTimeout: .zero)
        var timer = ConnectionTimer(limits: off, now: start)
        #expect(timer.check(now: at(1e6)) == nil)
        timer.headReceived()
        timer.readRequested(now: at(0))
        #expect(timer.check(now: at(1e6)) == nil)
    }
}
