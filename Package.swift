// swift-tools-version:6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "souverain",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "souverain", targets: ["souverain"]),
        // The hot-path modules, for the micro-benchmarks package in Benchmarks/ (not a public API).
        .library(name: "SouverainSigV4", targets: ["SouverainSigV4"]),
        .library(name: "SouverainS3", targets: ["SouverainS3"]),
        .library(name: "SouverainModel", targets: ["SouverainModel"]),
        .library(name: "SouverainKeys", targets: ["SouverainKeys"]),
        .library(name: "SouverainCatalogue", targets: ["SouverainCatalogue"]),
        .library(name: "SouverainCatalogueSQLite", targets: ["SouverainCatalogueSQLite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // The compliance report's HTML from a Mustache template; the DORA register's CSV through a CSV writer.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // HTTPS for the endpoint and CA bundles for S3 locations; already in the graph through async-http-client.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // OpenID Connect ID tokens for AssumeRoleWithWebIdentity: JWS signatures, JWKS and claims (docs/sts.md).
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    ],
    targets: [
        // The PKCS#11 header (p11-kit's) and a shim that loads a module with dlopen.
        .target(name: "CPKCS11", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // AES-256-GCM on caller-owned buffers through the BoringSSL that swift-crypto links in, so
        // blob chunks are sealed and opened without copies (see its header).
        .target(name: "CChunkAEAD"),
        // O_DIRECT for large blob writes, which Swift's Glibc module does not export.
        .target(name: "CDirectIO"),
        // Keys stay home: the encrypted blob format (chunked AES-256-GCM) and the master-key stores
        // (keyring file, PKCS#11 HSM).
        .target(
            name: "SouverainKeys",
            dependencies: [
                "CPKCS11",
                "CChunkAEAD",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        // Seals and opens 1 GiB in 64 KiB pieces and prints GB/s: `swift run -c release blob-throughput`.
        .executableTarget(
            name: "blob-throughput",
            dependencies: [
                "SouverainKeys", .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),

        // The ETag's MD5 for several uploads at once, in the lanes of a vector, on the BoringSSL
        // that swift-crypto links in (see its header).
        .target(name: "CMD5Lanes"),
        // The CRCs of S3's checksums in C: CRC32 through the system's zlib (zlib1g-dev), CRC32C with
        // SSE4.2's instruction, CRC64NVME sliced by eight.
        .target(name: "CCRC", linkerSettings: [.linkedLibrary("z")]),
        .target(
            name: "SouverainModel",
            dependencies: ["CMD5Lanes", "CCRC", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: upcoming
        ),
        // AWS Signature V4: canonical requests, signing keys, header and presigned verification, aws-chunked decoding.
        .target(
            name: "SouverainSigV4",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        // Bucket policies: the AWS policy language parsed, validated and evaluated; pure, Foundation only.
        .target(name: "SouverainPolicy", swiftSettings: upcoming),
        // Temporary credentials (docs/sts.md): roles' trust and permission policies applied, session
        // tokens sealed under the key store, STS's wire format, OpenID Connect issuers and their JWKS.
        .target(
            name: "SouverainSTS",
            dependencies: [
                "SouverainPolicy", "SouverainKeys", "SouverainModel", "SouverainCatalogue", "SouverainS3",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        // The S3 wire protocol: operations parsed from requests, XML codecs, error codes.
        .target(
            name: "SouverainS3",
            dependencies: ["SouverainModel", "SouverainPolicy"],
            swiftSettings: upcoming
        ),
        // Provider registry, placement rules and the placement engine: pure, Foundation only.
        .target(
            name: "SouverainPlacement",
            exclude: ["Resources/build-registry.py"],
            resources: [.copy("Resources/registry.json")],
            swiftSettings: upcoming
        ),
        // The tamper-evident audit trail: records, hash chain, segments, Ed25519 checkpoints, offline verifier.
        .target(
            name: "SouverainAudit",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: upcoming
        ),
        // The catalogue protocol and its records.
        .target(
            name: "SouverainCatalogue",
            dependencies: ["SouverainModel"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SouverainCatalogueSQLite",
            dependencies: [
                "SouverainCatalogue", "SouverainModel", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: upcoming
        ),
        // The shared catalogue of several gateways (docs/scale-out.md): the same protocol on PostgreSQL.
        .target(
            name: "SouverainCataloguePostgres",
            dependencies: [
                "SouverainCatalogue", "SouverainModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        // The Location protocol and the local-disk implementation.
        .target(
            name: "SouverainStorage",
            dependencies: [
                "SouverainModel", "CDirectIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        // Our signing S3 client over AsyncHTTPClient: what S3 locations and the benchmark speak.
        .target(
            name: "SouverainS3Client",
            dependencies: [
                "SouverainSigV4", "SouverainS3",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: upcoming
        ),
        // A location on a remote S3-compatible endpoint: blobs are objects under a bucket and prefix.
        .target(
            name: "SouverainStorageS3",
            dependencies: [
                "SouverainStorage", "SouverainS3Client", "SouverainModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        // The load generator behind `souverain bench`.
        .target(
            name: "SouverainBench",
            dependencies: [
                "SouverainS3Client", "SouverainS3",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: upcoming
        ),
        // Reversibility: a bucket exported to plain files with a verifiable manifest, and imported
        // from an export or from any S3 endpoint (docs/export-format.md).
        .target(
            name: "SouverainPortability",
            dependencies: [
                "SouverainS3Client", "SouverainS3",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        // The signed compliance report: facts gathered by the caller, rendered to JSON, HTML and SVG,
        // signed with the audit key (docs/report-format.md). No I/O beyond writing and reading the bundle.
        .target(
            name: "SouverainReport",
            dependencies: [
                "SouverainAudit", "SouverainPlacement",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            resources: [.copy("Resources/controls.json")],
            swiftSettings: upcoming
        ),
        // The data path: authorise, place, write, commit, read.
        .target(
            name: "SouverainEngine",
            dependencies: [
                "SouverainModel", "SouverainCatalogue", "SouverainStorage", "SouverainPlacement", "SouverainKeys",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        // The web console (docs/console.md): static files in Console/ built into the binary by the
        // ConsoleEmbedPlugin (SwiftPM resources live in a separate bundle on Linux), served under /console.
        .target(
            name: "SouverainConsole",
            exclude: ["Console"],
            swiftSettings: upcoming,
            plugins: ["ConsoleEmbedPlugin"]
        ),
        .plugin(name: "ConsoleEmbedPlugin", capability: .buildTool(), dependencies: ["console-embed"]),
        // Writes the console's files as base64 string literals into a Swift source (run by the plugin).
        .executableTarget(name: "console-embed", swiftSettings: upcoming),
        // The Hummingbird application: S3 dispatcher, health, metrics, middleware.
        .target(
            name: "SouverainServer",
            dependencies: [
                "SouverainModel", "SouverainSigV4", "SouverainS3", "SouverainEngine", "SouverainCatalogue",
                "SouverainStorage", "SouverainAudit", "SouverainKeys", "SouverainPolicy", "SouverainSTS", "SouverainConsole",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // The HTTP/1.1 decoder's errors and the codec the connection guards sit around.
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                // HTTPS: the TLS handler of each connection, from a context swapped on SIGHUP.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: upcoming
        ),
        // The executable: the only place that picks concrete implementations.
        .executableTarget(
            name: "souverain",
            dependencies: [
                "SouverainModel", "SouverainServer", "SouverainEngine", "SouverainCatalogue", "SouverainKeys",
                "SouverainCatalogueSQLite", "SouverainStorage", "SouverainStorageS3", "SouverainAudit", "SouverainPlacement",
                "SouverainS3Client", "SouverainBench", "SouverainPortability", "SouverainReport", "SouverainCataloguePostgres", "SouverainPolicy",
                "SouverainSTS", "SouverainConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming
        ),
        // Starts souverain and moto as child processes on loopback for the Swift tests; FaultyLocation;
        // the contract suites every Location and Catalogue implementation runs.
        .target(
            name: "SouverainTesting",
            dependencies: [
                "SouverainStorage", "SouverainStorageS3", "SouverainS3Client", "SouverainCatalogue", "SouverainModel",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/SouverainTesting",
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SouverainS3ClientTests",
            dependencies: [
                "SouverainS3Client", "SouverainS3", "SouverainTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SouverainBenchTests",
            dependencies: ["SouverainBench", "SouverainS3Client", "SouverainTesting", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SouverainPortabilityTests",
            dependencies: [
                "SouverainPortability", "SouverainS3Client", "SouverainS3", "SouverainTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SouverainStorageS3Tests",
            dependencies: [
                "SouverainStorageS3", "SouverainStorage", "SouverainS3Client", "SouverainTesting",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SouverainEngineTests",
            dependencies: [
                "SouverainEngine", "SouverainPlacement", "SouverainCatalogue", "SouverainCatalogueSQLite", "SouverainStorage",
                "SouverainStorageS3", "SouverainS3Client", "SouverainKeys", "SouverainModel", "SouverainTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SouverainKeysTests",
            dependencies: [
                "SouverainKeys", "CPKCS11", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(name: "SouverainModelTests", dependencies: ["SouverainModel", "CMD5Lanes", "CCRC", "SouverainTesting"], swiftSettings: upcoming),
        .testTarget(
            name: "SouverainSigV4Tests",
            dependencies: ["SouverainSigV4", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: upcoming
        ),
        .testTarget(name: "SouverainPlacementTests", dependencies: ["SouverainPlacement"], swiftSettings: upcoming),
        .testTarget(name: "SouverainAuditTests", dependencies: ["SouverainAudit"], swiftSettings: upcoming),
        .testTarget(
            name: "SouverainReportTests", dependencies: ["SouverainReport", "SouverainAudit", "SouverainPlacement"],
            swiftSettings: upcoming
        ),
        .testTarget(name: "SouverainS3Tests", dependencies: ["SouverainS3", "SouverainModel", "SouverainPolicy"], swiftSettings: upcoming),
        .testTarget(name: "SouverainPolicyTests", dependencies: ["SouverainPolicy"], swiftSettings: upcoming),
        .testTarget(
            name: "SouverainSTSTests",
            dependencies: [
                "SouverainSTS", "SouverainPolicy", "SouverainKeys", "SouverainCatalogue",
                .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(name: "SouverainConsoleTests", dependencies: ["SouverainConsole"], swiftSettings: upcoming),
        .testTarget(
            name: "SouverainServerTests",
            dependencies: [
                "SouverainServer", "SouverainS3", "SouverainAudit", "SouverainPolicy", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SouverainCatalogueSQLiteTests",
            dependencies: [
                "SouverainCatalogueSQLite", "SouverainCatalogue", "SouverainModel", "SouverainTesting",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SouverainCataloguePostgresTests",
            dependencies: [
                "SouverainCataloguePostgres", "SouverainCatalogue", "SouverainModel", "SouverainTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SouverainStorageTests",
            dependencies: ["SouverainStorage", "SouverainModel", "SouverainTesting", "CDirectIO", .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: upcoming
        ),
    ]
)
