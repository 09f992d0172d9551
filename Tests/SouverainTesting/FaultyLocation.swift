public import NIOCore
public import SouverainStorage
import Synchronization

/// A `Location` that wraps another and, from a seed, injects faults at each step: fails, delays,
/// drops bytes, flips bytes or hangs, as its `FaultPlan` says, or exactly where a test forces it
/// ("fail the 3rd commit"). With faults off it is the wrapped location, unchanged: the contract
/// suite runs on it to prove so.
///
/// Silent damage (a short or corrupted write that the location acknowledges) is remembered by
/// locator in `damagedLocators`, so that a test knows which copies can never read back right.
public final class FaultyLocation: Location {
    public let wrapped: any Location
    public var id: String { wrapped.id }
    /// How long a `delay` fault waits.
    public let delay: Duration
    /// How long a `hang` fault sleeps at most when nothing cancels it.
    public let hangBound: Duration

    private struct State {
        var generator: SeededGenerator
        var plan: FaultPlan
        var enabled = true
        var calls: [LocationStep: Int] = [:]
        /// Faults forced at the Nth call (counted from 1 since the location was made) of a step.
        var forced: [LocationStep: [Int: Fault]] = [:]
        var injected: [InjectedFault] = []
        var damaged: Set<String> = []
        var readStrike: Int?
    }

    private let state: Mutex<State>

    public init(
        wrapping wrapped: any Location, seed: UInt64, plan: FaultPlan = .off, delay: Duration = .milliseconds(5),
        hangBound: Duration = .seconds(10)
    ) {
        self.wrapped = wrapped
        self.delay = delay
        self.hangBound = hangBound
        state = Mutex(State(generator: SeededGenerator(seed: seed), plan: plan))
    }

    // MARK: - Controls

    /// Turns every random fault on or off (forced faults still happen).
    public func setEnabled(_ enabled: Bool) { state.withLock { $0.enabled = enabled } }

    public func setPlan(_ plan: FaultPlan) { state.withLock { $0.plan = plan } }

    /// Forces `fault` at the `occurrence`-th call of `step`, counted from 1 since this location
    /// was made (`calls(of:)` tells how many there were so far).
    public func force(_ fault: Fault, at step: LocationStep, occurrence: Int) {
        precondition(fault.applies(to: step), "\(fault) does not apply to \(step)")
        state.withLock { $0.forced[step, default: [:]][occurrence] = fault }
    }

    /// Forces `fault` at the next call of `step`.
    public func forceNext(_ fault: Fault, at step: LocationStep) {
        state.withLock { state in
            precondition(fault.applies(to: step), "\(fault) does not apply to \(step)")
            state.forced[step, default: [:]][(state.calls[step] ?? 0) + 1] = fault
        }
    }

    /// The chunk at which a read fault strikes: 0 before the first byte, past the blob's last
    /// chunk after its last byte; nil (the default) draws it from the seed among 0, 1 and 2.
    public func setReadStrike(atChunk chunk: Int?) { state.withLock { $0.readStrike = chunk } }

    public func calls(of step: LocationStep) -> Int { state.withLock { $0.calls[step] ?? 0 } }

    /// Every fault injected so far, in order.
    public var injected: [InjectedFault] { state.withLock { $0.injected } }

    /// Blobs silently damaged on write (short or corrupted) that the location acknowledged.
    public var damagedLocators: Set<String> { state.withLock { $0.damaged } }

    // MARK: - Decisions

    /// The fault for this call of `step`, if any, recorded as injected.
    func decide(_ step: LocationStep, locator: String?) -> Fault? {
        state.withLock { state in
            let call = (state.calls[step] ?? 0) + 1
            state.calls[step] = call
            var fault = state.forced[step]?.removeValue(forKey: call)
            if fault == nil, state.enabled { fault = state.plan.draw(at: step, using: &state.generator) }
            if let fault { state.injected.append(InjectedFault(step: step, fault: fault, locator: locator)) }
            return fault
        }
    }

    /// A random number in `range`, from the seeded generator.
    func random(in range: ClosedRange<Int>) -> Int {
        state.withLock { Int.random(in: range, using: &$0.generator) }
    }

    func markDamaged(_ locator: String) { _ = state.withLock { $0.damaged.insert(locator) } }

    /// Applies a fault that does not change bytes: throws for `fail` and `hang`, waits for `delay`.
    func perform(_ fault: Fault?, _ step: LocationStep, locator: String?) async throws {
        switch fault {
        case .fail:
            throw StorageError(.unavailable, "injected failure at \(step) of location \(id)")
        case .delay:
            try await Task.sleep(for: delay)
        case .hang:
            try? await Task.sleep(for: hangBound)
            throw StorageError(.unavailable, "injected hang at \(step) of location \(id)")
        case .shortWrite, .corrupt, nil:
            return
        }
    }

    /// `buffer` with one byte flipped at a seeded position (unchanged when empty).
    func flippingOneByte(of buffer: ByteBuffer) -> ByteBuffer {
        guard buffer.readableBytes > 0 else { return buffer }
        var copy = ByteBufferAllocator().buffer(capacity: buffer.readableBytes)
        copy.writeImmutableBuffer(buffer)
        let index = copy.readerIndex + random(in: 0...(buffer.readableBytes - 1))
        copy.setInteger(copy.getInteger(at: index, as: UInt8.self).map { $0 ^ 0x5A } ?? 0, at: index)
        return copy
    }

    // MARK: - Location

    public func makeBlobWriter() async throws -> any BlobWriter {
        try await perform(decide(.makeBlobWriter, locator: nil), .makeBlobWriter, locator: nil)
        return FaultyBlobWriter(location: self, wrapped: try await wrapped.makeBlobWriter())
    }

    public func read(
        locator: String, range: Range<Int64>?, chunkSize: Int, into consumer: (ByteBuffer) async throws -> Void
    ) async throws {
        let fault = decide(.read, locator: locator)
        guard let fault, fault != .delay else {
            try await perform(fault, .read, locator: locator)
            return try await wrapped.read(locator: locator, range: range, chunkSize: chunkSize, into: consumer)
        }
        // A failure, a hang or a flipped byte strikes at a seeded chunk: before the first byte, or
        // in the middle of the stream (a read that resumes elsewhere must cope), or at the end.
        let strikeAt = state.withLock { $0.readStrike } ?? random(in: 0...2)
        var chunk = 0
        var struck = false
        try await wrapped.read(locator: locator, range: range, chunkSize: chunkSize) { buffer in
            defer { chunk += 1 }
            guard !struck, chunk == strikeAt else { return try await consumer(buffer) }
            struck = true
            if fault == .corrupt { return try await consumer(flippingOneByte(of: buffer)) }
            try await perform(fault, .read, locator: locator)
        }
        if !struck, fault != .corrupt { try await perform(fault, .read, locator: locator) }
    }

    public func delete(locator: String) async throws {
        try await perform(decide(.delete, locator: locator), .delete, locator: locator)
        try await wrapped.delete(locator: locator)
    }
}

/// The blob writer of a `FaultyLocation`: injects write and commit faults around the wrapped one.
final class FaultyBlobWriter: BlobWriter {
    let location: FaultyLocation
    let wrapped: any BlobWriter
    var locator: String { wrapped.locator }
    /// Bytes silently dropped so far: added back to what `commit` reports, the lie of a location
    /// that loses data without saying so.
    private let dropped = Mutex<Int64>(0)

    init(location: FaultyLocation, wrapped: any BlobWriter) {
        self.location = location
        self.wrapped = wrapped
    }

    func write(_ buffer: ByteBuffer) async throws {
        let fault = location.decide(.write, locator: locator)
        switch fault {
        case .shortWrite where buffer.readableBytes > 0:
            let kept = location.random(in: 0...(buffer.readableBytes - 1))
            dropped.withLock { $0 += Int64(buffer.readableBytes - kept) }
            location.markDamaged(locator)
            try await wrapped.write(buffer.getSlice(at: buffer.readerIndex, length: kept) ?? ByteBuffer())
        case .corrupt where buffer.readableBytes > 0:
            location.markDamaged(locator)
            try await wrapped.write(location.flippingOneByte(of: buffer))
        default:
            try await location.perform(fault, .write, locator: locator)
            try await wrapped.write(buffer)
        }
    }

    func commit() async throws -> Int64 {
        do {
            try await location.perform(location.decide(.commit, locator: locator), .commit, locator: locator)
        } catch {
            await wrapped.abort()
            throw error
        }
        let size = try await wrapped.commit()
        return size + dropped.withLock { $0 }
    }

    func abort() async {
        await wrapped.abort()
    }
}
