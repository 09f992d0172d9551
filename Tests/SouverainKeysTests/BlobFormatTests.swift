import Crypto
import NIOCore
import SouverainKeys
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct BlobFormatTests {
    static let identityBytes: [UInt8] = Array(0xA0...0xAF)

    @Test func headerLayout() throws {
        let identity = try BlobIdentity(bytes: Self.identityBytes)
        let header = try BlobHeader(chunkSize: 65_536, identity: identity)
        let bytes = Array(header.encoded().readableBytesView)
        #expect(bytes.count == 28)
        #expect(bytes == [0x53, 0x56, 0x42, 0x4C, 1, 1, 0, 0, 0x00, 0x01, 0x00, 0x00] + Self.identityBytes)
        #expect(try BlobHeader(decoding: header.encoded()) == header)
        #expect(identity.bytes == Self.identityBytes)
        #expect(identity.description == "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
    }

    @Test func identityReadsBackFromItsHex() throws {
        let identity = BlobIdentity.random()
        #expect(try BlobIdentity(hex: identity.description) == identity)
        #expect(try BlobIdentity(hex: "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF").bytes == Self.identityBytes)
        for bad in ["", "a0a1", String(repeating: "g", count: 32), String(repeating: "a", count: 34)] {
            #expect(throws: KeysError.self) { try BlobIdentity(hex: bad) }
        }
    }

    @Test(arguments: [15, 17, 0])
    func identityIsSixteenBytes(count: Int) {
        let error = #expect(throws: KeysError.self) { try BlobIdentity(bytes: [UInt8](repeating: 1, count: count)) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func randomIdentitiesDiffer() {
        #expect(BlobIdentity.random() != BlobIdentity.random())
    }

    @Test(arguments: [(4, UInt8(2)), (4, 0), (4, 255), (5, 2), (5, 0)])
    func unknownVersionOrAlgorithmIsUnsupported(offset: Int, value: UInt8) throws {
        let blob = try seal([1, 2, 3], identity: try BlobIdentity(bytes: Self.identityBytes))
        var bytes = blob.bytes
        bytes[offset] = value
        let decodeError = #expect(throws: KeysError.self) { try BlobHeader(decoding: byteBuffer(bytes[..<28])) }
        #expect(decodeError?.code == .unsupportedFormat)
        expectRefused(bytes, as: blob, code: .unsupportedFormat)
    }

    @Test func damagedHeaderFieldsAreIntegrityFailures() throws {
        let good = Array(try BlobHeader(identity: try BlobIdentity(bytes: Self.identityBytes)).encoded().readableBytesView)
        var badMagic = good
        badMagic[0] = 0x58
        var reserved = good
        reserved[7] = 1
        var tinyChunks = good
        tinyChunks.replaceSubrange(8..<12, with: [0, 0, 0x0F, 0xFF])
        var hugeChunks = good
        hugeChunks.replaceSubrange(8..<12, with: [0, 0x10, 0, 1])
        for bytes in [badMagic, reserved, tinyChunks, hugeChunks, Array(good[..<27])] {
            let error = #expect(throws: KeysError.self) { try BlobHeader(decoding: byteBuffer(bytes)) }
            #expect(error?.code == .integrity)
        }
        let tooLong = #expect(throws: KeysError.self) { try BlobHeader(decoding: byteBuffer(good + [0])) }
        #expect(tooLong?.code == .invalidArgument)
    }

    /// Opens a blob with nothing but swift-crypto and the text of docs/encryption-format.md, so
    /// the document and the code cannot drift apart.
    @Test func aReaderWrittenFromTheSpecificationOpensEveryChunk() throws {
        let key = dataKey(1)
        var generator = SplitMix64(seed: 11)
        let plaintext = randomBytes(2 * 4_096 + 5, using: &generator)
        let blob = try seal(plaintext, key: key, chunkSize: 4_096)
        let header = Array(blob.bytes[0..<28])
        let chunkSize = Int(header[8]) << 24 | Int(header[9]) << 16 | Int(header[10]) << 8 | Int(header[11])
        #expect(chunkSize == 4_096)
        let blobKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key,
            salt: Array(header[12..<28]),
            info: Array("souverain blob v1".utf8),
            outputByteCount: 32
        )
        var recovered: [UInt8] = []
        var offset = 28
        var index: UInt64 = 0
        while offset < blob.bytes.count {
            let end = min(offset + chunkSize + 16, blob.bytes.count)
            let isFinal = end == blob.bytes.count
            var counter = index.bigEndian
            let indexBytes = withUnsafeBytes(of: &counter) { Array($0) }
            let nonce = try AES.GCM.Nonce(data: [0, 0, 0, 0] + indexBytes)
            let box = try AES.GCM.SealedBox(
                nonce: nonce,
                ciphertext: blob.bytes[offset..<(end - 16)],
                tag: blob.bytes[(end - 16)..<end]
            )
            recovered += try AES.GCM.open(box, using: blobKey, authenticating: header + indexBytes + [isFinal ? 1 : 0])
            offset = end
            index += 1
        }
        #expect(index == 3)
        #expect(recovered == plaintext)
    }

    /// The test vector printed in docs/encryption-format.md.
    @Test func knownAnswer() throws {
        let key = SymmetricKey(data: Array(0x00...0x1F) as [UInt8])
        let identity = try BlobIdentity(bytes: Self.identityBytes)
        let blob = try seal(Array("Souverain".utf8), key: key, identity: identity, chunkSize: 4_096)
        let hex = blob.bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == Self.knownAnswerHex)
        let empty = try seal([], key: key, identity: identity, chunkSize: 4_096)
        let emptyHex = empty.bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(emptyHex == Self.emptyKnownAnswerHex)
    }

    /// Also produced by an independent implementation (Python `cryptography`: HKDF and AESGCM).
    static let knownAnswerHex =
        "5356424c0101000000001000a0a1a2a3a4a5a6a7a8a9aaabacadaeaf24a0e6c3e2ebfe99cf45d3874dc73200ac54e37eb6738ce2db"
    static let emptyKnownAnswerHex =
        "5356424c0101000000001000a0a1a2a3a4a5a6a7a8a9aaabacadaeaf89e114685133dec76b46e34009c22ad3"
}
