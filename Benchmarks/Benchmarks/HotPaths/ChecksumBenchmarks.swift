import Benchmark
import SouverainModel

/// The ETag (MD5) and the additional checksums over a 1 MiB buffer: one iteration is one MiB, so
/// throughput in iterations per second is MiB/s.
func checksumBenchmarks() {
    let setup: () async throws -> [UInt8] = { patternBytes(count: Size.mebibyte) }

    Benchmark("ETag: ObjectDigest MD5, 1 MiB") { _, bytes in
        var digest = ObjectDigest(checksums: [])
        bytes.withUnsafeBytes { digest.update($0) }
        blackHole(digest.finalize())
    } setup: { try await setup() }

    Benchmark("ETag + checksum: ObjectDigest MD5 + CRC32, 1 MiB") { _, bytes in
        var digest = ObjectDigest(checksums: [.crc32])
        bytes.withUnsafeBytes { digest.update($0) }
        blackHole(digest.finalize())
    } setup: { try await setup() }

    Benchmark("Checksum CRC32, 1 MiB") { _, bytes in
        var crc = CRC32()
        bytes.withUnsafeBytes { crc.update($0) }
        blackHole(crc.value)
    } setup: { try await setup() }

    Benchmark("Checksum CRC32C, 1 MiB") { _, bytes in
        var crc = CRC32C()
        bytes.withUnsafeBytes { crc.update($0) }
        blackHole(crc.value)
    } setup: { try await setup() }

    Benchmark("Checksum CRC64NVME, 1 MiB") { _, bytes in
        var crc = CRC64NVME()
        bytes.withUnsafeBytes { crc.update($0) }
        blackHole(crc.value)
    } setup: { try await setup() }

    Benchmark("Checksum SHA-1, 1 MiB") { _, bytes in
        blackHole(ChecksumAlgorithm.sha1.checksum(of: bytes))
    } setup: { try await setup() }

    Benchmark("Checksum SHA-256, 1 MiB") { _, bytes in
        blackHole(ChecksumAlgorithm.sha256.checksum(of: bytes))
    } setup: { try await setup() }
}
