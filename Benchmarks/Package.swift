// swift-tools-version:6.1
import PackageDescription

// Micro-benchmarks of the server's hot paths, in a package of their own so that the benchmark
// dependencies (ordo-one/benchmark and its malloc interposer) stay out of the main package and
// its CI. Run from this directory: `swift package --disable-sandbox benchmark` (see README.md).
let package = Package(
    name: "souverain-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "souverain", path: ".."),
        // Only the MallocInterposer trait: the default RuntimeInterposer trait (ARC statistics on
        // Linux with Swift 6.3) needs ordo-one/swift-runtime-interposer, which is not mirrored.
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        // The same versions as the root package resolves.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SouverainSigV4", package: "souverain"),
                .product(name: "SouverainS3", package: "souverain"),
                .product(name: "SouverainModel", package: "souverain"),
                .product(name: "SouverainKeys", package: "souverain"),
                .product(name: "SouverainCatalogue", package: "souverain"),
                .product(name: "SouverainCatalogueSQLite", package: "souverain"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/HotPaths",
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        )
    ]
)
