import Foundation
import Testing
import CCRC
import SouverainTesting
@testable import SouverainModel

@Suite struct BucketNameTests {
    @Test(arguments: [
        "abc", "my-bucket", "my.bucket.1", "a23", String(repeating: "a", count: 63), "a--b", "a-b.c-d", "1.2.3",
        "1.2.3.4.5", "256.1.1.1x", "xn-abc", "sthree", "abc-s3aliasx", "mrap", "amzn-s3-demo",
    ])
    func acceptsValidNames(_ name: String) {
        #expect(BucketName(name) != nil)
    }

    @Test(arguments: [
        "ab", String(repeating: "a", count: 64), "ABC", "-abc", "abc-", "a..b", "192.168.5.4", "xn--abc",
        "abc-s3alias", "abc--ol-s3", "a_b", "a b", "ab/", "été", "",
        // Issue 14: a dot next to a hyphen, and the rest of the reserved prefixes and suffixes.
        "a.-b", "foo-.bar", "a-.-b", "sthree-abc", "sthree-configurator-x", "amzn-s3-demo-bucket", "abc.mrap",
        "abc--x-s3", "abc--table-s3", "1.1.1.1",
    ])
    func rejectsInvalidNames(_ name: String) {
        #expect(BucketName(name) == nil)
    }
}

@Suite struct ChecksumTests {
    private func checksum(_ algorithm: ChecksumAlgorithm, _ text: String) -> String {
        var digest = ObjectDigest(checksums: [algorithm])
        Array(text.utf8).withUnsafeBytes { digest.update($0) }
        return digest.finalize().checksums[algorithm]!
    }

    // Check values of "123456789" for each CRC, and the SHA digests of "abc", base64 as S3 sends them.
    @Test func knownVectors() {
        #expect(Hex.encode(Data(base64Encoded: checksum(.crc32, "123456789"))!) == "cbf43926")
        #expect(Hex.encode(Data(base64Encoded: checksum(.crc32c, "123456789"))!) == "e3069283")
        #expect(Hex.encode(Data(base64Encoded: checksum(.crc64nvme, "123456789"))!) == "ae8b14860a799888")
        #expect(checksum(.sha1, "abc") == "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=")
        #expect(checksum(.sha256, "abc") == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for algorithm in ChecksumAlgorithm.allCases {
            var whole = ObjectDigest(checksums: [algorithm])
            bytes.withUnsafeBytes { whole.update($0) }
            var pieces = ObjectDigest(checksums: [algorithm])
            var index = 0
            while index < bytes.count {
                let end = min(bytes.count, index + Int.random(in: 1...777))
                bytes[index..<end].withUnsafeBytes { pieces.update($0) }
                index = end
            }
            #expect(whole.finalize().checksums == pieces.finalize().checksums)
            #expect(whole.finalize().md5Hex == pieces.finalize().md5Hex)
        }
    }

    /// Each CRC against its polynomial worked bit by bit, on lengths around the word, slice and
    /// braid sizes and pieces cut anywhere: zlib's CRC32, CRC32C as this CPU computes it (SSE4.2's
    /// instruction on x86-64) and by the tables other CPUs use, CRC64NVME by its tables. `nil`
    /// stands for CRC32C by the tables.
    @Test(arguments: [ChecksumAlgorithm.crc32, .crc32c, nil, .crc64nvme])
    func crcIsItsPolynomialBitByBit(_ algorithm: ChecksumAlgorithm?) {
        let polynomial: UInt64 = switch algorithm {
        case .crc32: 0xEDB8_8320
        case .crc32c, nil: 0x82F6_3B78
        default: 0x9A6C_9329_AC4B_C9B5
        }
        let mask: UInt64 = algorithm == .crc64nvme ? .max : 0xFFFF_FFFF
        func bitwise(_ bytes: [UInt8]) -> UInt64 {
            var crc = mask
            for byte in bytes {
                crc ^= UInt64(byte)
                for _ in 0..<8 { crc = (crc & 1) == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            }
            return ~crc & mask
        }
        func crc(_ pieces: [ArraySlice<UInt8>]) -> UInt64 {
            switch algorithm {
            case .crc32:
                var crc = CRC32()
                for piece in pieces { piece.withUnsafeBytes { crc.update($0) } }
                return UInt64(crc.value)
            case .crc32c:
                var crc = CRC32C()
                for piece in pieces { piece.withUnsafeBytes { crc.update($0) } }
                return UInt64(crc.value)
            case nil:
                var crc: UInt32 = 0
                for piece in pieces {
                    crc = piece.withUnsafeBufferPointer { souverain_crc32c_sliced(crc, $0.baseAddress, $0.count) }
                }
                return UInt64(crc)
            default:
                var crc = CRC64NVME()
                for piece in pieces { piece.withUnsafeBytes { crc.update($0) } }
                return crc.value
            }
        }
        var generator = SeededGenerator(seed: 32)
        for length in [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 1_000, 4_096, 65_537, 300_001] {
            let bytes = generator.bytes(count: length)
            var pieces: [ArraySlice<UInt8>] = []
            var index = 0
            while index < bytes.count {
                let end = min(bytes.count, index + Int.random(in: 1...9_000, using: &generator))
                pieces.append(bytes[index..<end])
                index = end
            }
            #expect(crc([bytes[...]]) == bitwise(bytes), "\(algorithm.map(\.rawValue) ?? "CRC32C by the tables") of \(length) bytes")
            #expect(crc(pieces) == bitwise(bytes), "\(algorithm.map(\.rawValue) ?? "CRC32C by the tables") of \(length) bytes in \(pieces.count) pieces")
        }
    }

    @Test func md5OfEmptyBodyIsTheWellKnownETag() {
        #expect(ObjectDigest(checksums: []).finalize().md5Hex == "d41d8cd98f00b204e9800998ecf8427e")
    }

    @Test func multipartETagIsMD5OfPartMD5s() {
        // Two parts whose MD5s are those of "a" and "b".
        let etag = MultipartETag.compute(partMD5Hexes: ["0cc175b9c0f1b6a831c399e269772661", "92eb5ffee6ae2fec3ad71c777531578f"])
        #expect(etag.hasSuffix("-2"))
        #expect(etag.count == 34)
    }
}
