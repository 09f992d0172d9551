import Crypto
import Foundation
import NIOCore
import SouverainCatalogue
@testable import SouverainEngine
import SouverainKeys
import SouverainModel
import SouverainTesting
import Testing

/// What the engine puts in the cache of derived blob keys (`BlobKeyCache.shared`): never the key
/// of an SSE-C blob, whose customer's key the server keeps no longer than the request; and
/// nothing after crypto-shredding, when no held key (blob or data key) lets a read through. (Other suites share the cache and may empty it at any time,
/// so these only check what must *not* be held.)
struct BlobKeyCacheEngineTests {
    @Test func anSSECBlobsKeyIsNeverHeldAndShreddingDropsTheRest() async throws {
        let engine = try await EngineUnderTest.onOneDisk()
        do {
            let bucket = try await engine.createBucket("b", classification: EngineUnderTest.single)
            let raw = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            let customerKey = try #require(CustomerKey(
                base64Key: raw.base64EncodedString(), base64MD5: Data(Insecure.MD5.hash(data: raw)).base64EncodedString()))
            let body = AsyncThrowingStream<ByteBuffer, any Error> { $0.yield(ByteBuffer(string: "the customer's")); $0.finish() }
            let record = try await engine.store.putObject(
                bucket: bucket, key: "ssec", metadata: ObjectMetadata(), body: body,
                checks: ObjectStore.WriteChecks(checksums: [], verify: { _ in }), customerKey: customerKey)
            let identity = try BlobIdentity(hex: try #require(record.segments.first?.encryption?.identity))
            #expect(!BlobKeyCache.shared.holds(identity))
            var read: [UInt8] = []
            try await engine.store.read(record, range: nil, customerKey: customerKey) { read += $0.readableBytesView }
            #expect(String(decoding: read, as: UTF8.self) == "the customer's")
            #expect(!BlobKeyCache.shared.holds(identity))

            // Under the bucket's key: read twice, then the bucket is shredded and its keys go.
            let plain = try await engine.put(Array("the organisation's".utf8), bucket: bucket, key: "plain")
            let plainIdentity = try BlobIdentity(hex: try #require(plain.segments.first?.encryption?.identity))
            for _ in 0..<2 { #expect(try await engine.get(bucket: "b", key: "plain") == Array("the organisation's".utf8)) }
            #expect(try await engine.store.shredBucket("b") == 1)
            #expect(!BlobKeyCache.shared.holds(plainIdentity))
            // Its data key was unwrapped and held (read twice): the read is refused all the same,
            // even one that skips the check a GET makes before its response.
            await #expect(throws: (any Error).self) { _ = try await engine.get(bucket: "b", key: "plain") }
            await #expect(throws: (any Error).self) {
                try await engine.store.read(plain, range: nil) { _ in Issue.record("a byte of a shredded object was read") }
            }
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }
}
