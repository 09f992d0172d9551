import SouverainAudit
import Testing
@testable import SouverainServer

struct RefusalLimiterTests {
    let start = ContinuousClock.now

    @Test func oneSourceGetsItsBurstThenItsRateAndTheRestIsCounted() {
        var limiter = RefusalLimiter(perSource: .init(burst: 5, perSecond: 1), overall: .init(burst: 100, perSecond: 100), now: start)
        let admitted = (0..<50).filter { _ in limiter.admit(source: "203.0.113.7", now: start) }.count
        #expect(admitted == 5)
        let afterTwoSeconds = limiter.admit(source: "203.0.113.7", now: start + .seconds(2))
        #expect(afterTwoSeconds)
        #expect(limiter.takeSuppressed() == ["203.0.113.7": 45])
        #expect(limiter.takeSuppressed().isEmpty)
    }

    @Test func theOverallBucketBoundsManySources() {
        var limiter = RefusalLimiter(perSource: .init(burst: 5, perSecond: 1), overall: .init(burst: 10, perSecond: 1), now: start)
        let admitted = (0..<100).filter { limiter.admit(source: "198.51.100.\($0)", now: start) }.count
        #expect(admitted == 10)
        #expect(limiter.takeSuppressed().values.reduce(0, +) == 90)
    }

    @Test func aNoisySourceDoesNotDrainTheSharedBucket() {
        var limiter = RefusalLimiter(perSource: .init(burst: 2, perSecond: 0), overall: .init(burst: 5, perSecond: 0), now: start)
        for _ in 0..<100 { _ = limiter.admit(source: "noisy", now: start) }
        let other = limiter.admit(source: "other", now: start)
        #expect(other)
    }

    @Test func theSummaryNamesTheCountAndTheSources() throws {
        let event = try #require(RefusalRecorder.summary(["203.0.113.7": 40, "198.51.100.1": 2]))
        #expect(event.operation == .refusalsSuppressed)
        #expect(event.detail == "suppressed=42 sources=203.0.113.7:40,198.51.100.1:2")
        #expect(event.sourceAddress == nil)
        #expect(RefusalRecorder.summary([:]) == nil)
    }
}
