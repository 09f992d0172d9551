import SouverainStorage
import SouverainTesting
import Testing

/// Every promise of the `Location` protocol, on every implementation: a local directory,
/// `FaultyLocation` with its faults off, and `S3Location` against moto and against a second
/// Souverain (one shared server of each for the suite, a fresh bucket per test).
@Suite(.sharedServers([.moto, .souverain]))
struct LocationContractTests {
    @Test(arguments: LocationSubject.available, LocationContract.allCases)
    func promise(_ subject: LocationSubject, _ promise: LocationContract) async throws {
        let made = try await subject.make()
        do {
            try await promise.check(on: made.location)
        } catch {
            await made.cleanup()
            throw error
        }
        await made.cleanup()
    }
}
