// Micro-benchmarks of the server's hot paths, one file per area. Run from Benchmarks/:
// `swift package --disable-sandbox benchmark` (README.md says what each one measures).
import Benchmark

let benchmarks: @Sendable () -> Void = {
    // Bounded so that the whole suite runs in a few minutes on a 2-core machine: each benchmark
    // stops after `maxDuration` or `maxIterations`, whichever comes first.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 1_000
    )
    // What the harness itself costs per iteration (time and mallocs), to read the others against.
    Benchmark("Harness floor: empty benchmark with setup state") { _, state in
        blackHole(state)
    } setup: {
        patternBytes(count: 16)
    }

    signatureBenchmarks()
    awsChunkedBenchmarks()
    checksumBenchmarks()
    blobBenchmarks()
    listingXMLBenchmarks()
    catalogueBenchmarks()
}
