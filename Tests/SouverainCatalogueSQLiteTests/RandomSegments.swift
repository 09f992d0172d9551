import SouverainCatalogue
import SouverainTesting

/// Random segment lists for the tests of the catalogue's JSON: up to three segments, every optional
/// field sometimes there, sizes at the edges of `Int64`, strings drawn from an alphabet.
enum RandomSegments {
    static let base64: [Character] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")

    static func text(_ generator: inout SeededGenerator, length: Int, alphabet: [Character] = base64) -> String {
        String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    static func list(_ generator: inout SeededGenerator, alphabet: [Character] = base64) -> [BlobSegment] {
        func text(_ length: Int) -> String { Self.text(&generator, length: length, alphabet: alphabet) }
        return (0..<Int(generator.next() % 4)).map { _ in
            let sizes: [Int64] = [0, 1, 4096, 1 << 40, Int64.max, Int64.min, -1, Int64(generator.next() >> 20)]
            let size = sizes[Int(generator.next() % UInt64(sizes.count))]
            var encryption: BlobEncryption?
            if generator.next() % 3 != 0 {
                encryption = BlobEncryption(
                    bucketKeyVersion: Int(generator.next() % 9), wrappedDataKey: text(56), identity: text(32),
                    chunkSize: 65_536, storedSize: size / 2,
                    customerKeyMD5: generator.chance(0.3) ? text(24) : nil,
                    keyID: generator.chance(0.3) ? "key-" + text(6) : nil)
            }
            var segment = BlobSegment(
                locator: text(32), size: size, encryption: encryption, storedSHA256: generator.chance(0.5) ? text(64) : nil)
            segment.partChecksum = generator.chance(0.3) ? text(12) : nil
            return segment
        }
    }
}
