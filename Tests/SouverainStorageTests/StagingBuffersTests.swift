import Testing
@testable import SouverainStorage

/// A location reuses its write batches: with as many PUTs in flight as it keeps idle, none
/// allocates a batch of its own once the first ones have been given back.
struct StagingBuffersTests {
    @Test func thirtyTwoBatchesInFlightAreReused() {
        let batches = StagingBuffers(capacity: 2 * StagingBuffers.alignment)
        #expect(batches.kept == 32)
        let first = (0..<33).map { _ in batches.take() }
        for batch in first { batches.give(batch) }
        let second = (0..<33).map { _ in batches.take() }
        let reused = second.filter { batch in first.contains { $0 === batch } }
        // Thirty-two waited idle; the thirty-third given back was let go, so one is new.
        #expect(reused.count == 32)
        #expect(Set(second.map(ObjectIdentifier.init)).count == 33)
    }
}
