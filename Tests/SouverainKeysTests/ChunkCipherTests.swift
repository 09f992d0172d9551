import Crypto
import NIOCore
import Testing

@testable import SouverainKeys

/// The in-place path (BoringSSL's EVP_AEAD on the caller's buffers) against swift-crypto's
/// `AES.GCM`: the same chunks must come out of both, each must open the other's, and a damaged
/// chunk must fail on both without writing plaintext.
@Suite struct ChunkCipherTests {
    static let header = try! BlobHeader(chunkSize: 4_096, identity: .random())

    static func ciphers() throws -> (inPlace: ChunkCipher, portable: ChunkCipher) {
        (try ChunkCipher(header: header, dataKey: dataKey(7)), try ChunkCipher(header: header, dataKey: dataKey(7), allowInPlace: false))
    }

    @Test func theInPlacePathRunsOnLinux() {
        #if os(Linux)
        #expect(ChunkAEAD(key: SymmetricKey(size: .bits256)) != nil)
        #endif
    }

    @Test(arguments: [0, 1, 15, 16, 17, 4_095, 4_096])
    func bothPathsSealTheSameBytesAndOpenEachOther(length: Int) throws {
        var (inPlace, portable) = try Self.ciphers()
        var generator = SplitMix64(seed: UInt64(length) + 1)
        let plaintext = randomBytes(length, using: &generator)
        for (index, isFinal) in [(UInt64(0), false), (UInt64(3), true)] {
            var fast = ByteBuffer(), slow = ByteBuffer()
            try plaintext.withUnsafeBytes { try inPlace.seal($0, index: index, isFinal: isFinal, into: &fast) }
            try plaintext.withUnsafeBytes { try portable.seal($0, index: index, isFinal: isFinal, into: &slow) }
            #expect(fast == slow)
            #expect(fast.readableBytes == length + BlobFormat.tagByteCount)

            for keep in [0..<length, (length / 3)..<(length - length / 4)] {
                var fromFast = ByteBuffer(string: "prefix"), fromSlow = ByteBuffer(string: "prefix")
                try fast.withUnsafeReadableBytes { try portable.open($0, index: index, isFinal: isFinal, keep: keep, into: &fromSlow) }
                try slow.withUnsafeReadableBytes { try inPlace.open($0, index: index, isFinal: isFinal, keep: keep, into: &fromFast) }
                #expect(Array(fromFast.readableBytesView) == Array("prefix".utf8) + plaintext[keep])
                #expect(fromFast == fromSlow)
            }
        }
    }

    /// A chunk sealed from two parts, on either path, is the chunk sealed whole.
    @Test(arguments: [(0, 0), (0, 100), (100, 0), (1, 4_095), (2_000, 2_096), (4_095, 1), (17, 15)])
    func aChunkInTwoPartsSealsAsTheWholeChunk(first: Int, second: Int) throws {
        var (inPlace, portable) = try Self.ciphers()
        var generator = SplitMix64(seed: UInt64(first * 10_000 + second))
        let plaintext = randomBytes(first + second, using: &generator)
        for (index, isFinal) in [(UInt64(1), false), (UInt64(4), true)] {
            var whole = ByteBuffer()
            try plaintext.withUnsafeBytes { try portable.seal($0, index: index, isFinal: isFinal, into: &whole) }
            for var cipher in [inPlace, portable] {
                var parts = [UInt8](repeating: 0, count: plaintext.count + BlobFormat.tagByteCount)
                try plaintext[..<first].withUnsafeBytes { head in
                    try plaintext[first...].withUnsafeBytes { tail in
                        try parts.withUnsafeMutableBytes { try cipher.seal(head, tail, index: index, isFinal: isFinal, into: $0) }
                    }
                }
                #expect(parts == Array(whole.readableBytesView))
            }
        }
    }

    @Test func aDamagedChunkFailsOnBothPathsAndAppendsNothing() throws {
        var (inPlace, portable) = try Self.ciphers()
        var generator = SplitMix64(seed: 9)
        let plaintext = randomBytes(1_000, using: &generator)
        var sealed = ByteBuffer()
        try plaintext.withUnsafeBytes { try inPlace.seal($0, index: 2, isFinal: false, into: &sealed) }
        for position in [0, 500, sealed.readableBytes - 1] {
            var damaged = sealed
            damaged.setInteger(damaged.getInteger(at: position, as: UInt8.self)! ^ 0x01, at: position)
            for var cipher in [inPlace, portable] {
                var output = ByteBuffer(string: "kept")
                #expect(throws: KeysError.self) {
                    try damaged.withUnsafeReadableBytes { try cipher.open($0, index: 2, isFinal: false, keep: 0..<1_000, into: &output) }
                }
                #expect(output == ByteBuffer(string: "kept"))
            }
        }
        // The right bytes under another index or final flag fail too.
        var output = ByteBuffer()
        #expect(throws: KeysError.self) {
            try sealed.withUnsafeReadableBytes { try inPlace.open($0, index: 3, isFinal: false, keep: 0..<1_000, into: &output) }
        }
        #expect(throws: KeysError.self) {
            try sealed.withUnsafeReadableBytes { try inPlace.open($0, index: 2, isFinal: true, keep: 0..<1_000, into: &output) }
        }
        #expect(output.readableBytes == 0)
    }
}

extension ChunkCipher {
    /// Seals one chunk and appends its ciphertext and tag to `output` (what the sealer does, in
    /// the form these tests compare).
    mutating func seal(_ plaintext: UnsafeRawBufferPointer, index: UInt64, isFinal: Bool, into output: inout ByteBuffer) throws {
        let sealedCount = plaintext.count + BlobFormat.tagByteCount
        try output.writeWithUnsafeMutableBytes(minimumWritableBytes: sealedCount) { out in
            try seal(plaintext, index: index, isFinal: isFinal, into: UnsafeMutableRawBufferPointer(rebasing: out[..<sealedCount]))
            return sealedCount
        }
    }
}
