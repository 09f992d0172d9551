import Crypto
import NIOCore
import Testing

@testable import SouverainKeys

/// The cache of derived blob keys is a memo: what it gives is exactly what deriving gives, for
/// that identity *and* that data key; a blob sealed or opened through it reads as without it.
@Suite struct BlobKeyCacheTests {
    @Test func aHeldKeyIsTheOneDerivation() throws {
        let cache = BlobKeyCache(capacity: 8)
        let identity = BlobIdentity.random()
        let first = try cache.key(dataKey: dataKey(1), identity: identity)
        #expect(try cache.key(dataKey: dataKey(1), identity: identity) === first)
        #expect(first.symmetric == (try BlobKey(dataKey: dataKey(1), identity: identity)).symmetric)
        #expect(cache.count == 1)
        #expect(cache.holds(identity))
    }

    /// The derivation through BoringSSL's HKDF gives swift-crypto's bytes (and so the blob format's).
    @Test func theDerivedKeyIsSwiftCryptosHKDF() throws {
        for seed in 0..<32 {
            let key = SymmetricKey(size: .bits256), identity = BlobIdentity.random()
            let expected = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: key, salt: identity.bytes, info: Array(BlobFormat.keyDerivationInfo.utf8), outputByteCount: 32)
            #expect(try BlobKey(dataKey: key, identity: identity).symmetric == expected, "case \(seed)")
        }
    }

    @Test func theSameIdentityUnderAnotherDataKeyIsDerivedAgain() throws {
        let cache = BlobKeyCache(capacity: 8)
        let identity = BlobIdentity.random()
        let first = try cache.key(dataKey: dataKey(1), identity: identity)
        let other = try cache.key(dataKey: dataKey(2), identity: identity)
        #expect(other !== first)
        #expect(other.symmetric != first.symmetric)
        #expect(other.symmetric == (try BlobKey(dataKey: dataKey(2), identity: identity)).symmetric)
        // The later one replaced the earlier: one identity, one entry.
        #expect(cache.count == 1)
        #expect(try cache.key(dataKey: dataKey(2), identity: identity) === other)
    }

    @Test func aDataKeyOfTheWrongSizeIsRefusedAndNotHeld() throws {
        let cache = BlobKeyCache(capacity: 8)
        let identity = BlobIdentity.random()
        let error = #expect(throws: KeysError.self) {
            try cache.key(dataKey: SymmetricKey(size: .bits128), identity: identity)
        }
        #expect(error?.code == .invalidArgument)
        #expect(!cache.holds(identity))
    }

    @Test func theOldestKeyGoesFirstOnceFull() throws {
        let cache = BlobKeyCache(capacity: 3)
        let identities = (0..<5).map { _ in BlobIdentity.random() }
        var keys: [BlobKey] = []
        for identity in identities { keys.append(try cache.key(dataKey: dataKey(1), identity: identity)) }
        #expect(cache.count == 3)
        #expect(identities.map(cache.holds) == [false, false, true, true, true])
        // The held ones are given back; an evicted one is derived anew, the same key, and held.
        #expect(try cache.key(dataKey: dataKey(1), identity: identities[4]) === keys[4])
        let again = try cache.key(dataKey: dataKey(1), identity: identities[0])
        #expect(again !== keys[0] && again.symmetric == keys[0].symmetric)
        #expect(identities.map(cache.holds) == [true, false, false, true, true])
        cache.removeAll()
        #expect(cache.count == 0 && !identities.contains(where: cache.holds))
    }

    @Test func aBlobSealedThroughTheCacheOpensThroughItAndNotUnderAnotherKey() throws {
        let cache = BlobKeyCache(capacity: 8)
        let identity = BlobIdentity.random()
        var generator = SplitMix64(seed: 9)
        let plaintext = randomBytes(2 * 4_096 + 300, using: &generator)
        var sealer = try BlobSealer(dataKey: dataKey(1), identity: identity, chunkSize: 4_096, keys: cache)
        var bytes = Array((try sealer.seal(byteBuffer(plaintext)) ?? ByteBuffer()).readableBytesView)
        bytes += try sealer.finish().readableBytesView
        #expect(cache.holds(identity))
        // The same bytes as a blob sealed without the cache.
        var plain = try BlobSealer(dataKey: dataKey(1), identity: identity, chunkSize: 4_096)
        var expected = Array((try plain.seal(byteBuffer(plaintext)) ?? ByteBuffer()).readableBytesView)
        expected += try plain.finish().readableBytesView
        #expect(bytes == expected)

        func open(_ key: SymmetricKey) throws -> [UInt8] {
            var opener = try BlobOpener.wholeBlob(
                dataKey: key, expectedIdentity: identity, plaintextSize: Int64(plaintext.count), keys: cache)
            let out = Array(try opener.open(byteBuffer(bytes)).readableBytesView)
            try opener.finish()
            return out
        }
        #expect(try open(dataKey(1)) == plaintext)
        // Holding the blob's key does not open it for whoever names its identity with another data key.
        let error = #expect(throws: KeysError.self) { try open(dataKey(2)) }
        #expect(error?.code == .integrity)
        #expect(try open(dataKey(1)) == plaintext)
        // A range read through the cache.
        var ranged = try BlobOpener(
            header: byteBuffer(bytes[..<BlobFormat.headerByteCount]), dataKey: dataKey(1), expectedIdentity: identity,
            plaintextSize: Int64(plaintext.count), plaintextRange: 4_000..<4_200, keys: cache)
        let span = try #require(ranged.span)
        let slice = bytes[Int(span.encryptedRange.lowerBound)..<Int(span.encryptedRange.upperBound)]
        #expect(Array(try ranged.open(byteBuffer(slice)).readableBytesView) == Array(plaintext[4_000..<4_200]))
        try ranged.finish()
    }

    @Test func manyTasksAtOnceGetTheDerivedKeys() async throws {
        let cache = BlobKeyCache(capacity: 16)
        let identities = (0..<40).map { _ in BlobIdentity.random() }
        let expected = try identities.map { try BlobKey(dataKey: dataKey(3), identity: $0).symmetric }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var allRight = true
                    for round in 0..<200 {
                        let index = (round * 7 + task * 13) % identities.count
                        let key = try cache.key(dataKey: dataKey(3), identity: identities[index])
                        allRight = allRight && key.symmetric == expected[index]
                    }
                    return allRight
                }
            }
            for try await allRight in group { #expect(allRight) }
        }
        #expect(cache.count == 16)
    }
}
