/// A reproducible random number generator (SplitMix64): the same seed gives the same sequence on
/// every machine, so a failing fault run is replayed from the seed it prints.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next `count` bytes of the sequence, eight per word. Fast in a debug build too: a
    /// `map` over each index took seconds for the tens of MiB some tests write, on one of the few
    /// threads that every test's tasks share.
    public mutating func bytes(count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var offset = 0
            while offset < count {
                let word = next().littleEndian
                let take = min(8, count - offset)
                withUnsafeBytes(of: word) { buffer.baseAddress!.advanced(by: offset).initialize(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: take) }
                offset += take
            }
            initialized = count
        }
    }

    /// True with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        probability > 0 && Double.random(in: 0..<1, using: &self) < probability
    }
}
