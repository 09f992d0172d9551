import Foundation
import NIOCore
import SouverainCatalogue
import SouverainCatalogueSQLite
@testable import SouverainEngine
import SouverainModel
import SouverainTesting
import Testing

/// Named keys in the engine (docs/keys.md, "Named keys"): data keys wrapped by a named key's
/// version and recorded as such, grants, rotation, retirement and shredding.
struct NamedKeysTests {
    static let bob = User(id: "id-bob", name: "bob", accessKeyID: "AKBOB", storedSecret: "not-a-secret", role: .user)
    static let admin = User(id: "id-root", name: "root", accessKeyID: "AKROOT", storedSecret: "not-a-secret", role: .admin)

    static func withEngine(_ body: (EngineUnderTest) async throws -> Void) async throws {
        let engine = try await EngineUnderTest.onOneDisk()
        do {
            try await body(engine)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
    }

    static func put(_ engine: EngineUnderTest, _ text: String, bucket: BucketRecord, key: String, under namedKey: NamedKeyRecord?) async throws -> ObjectRecord {
        var metadata = ObjectMetadata()
        if let namedKey {
            metadata.serverSideEncryption = "aws:kms"
            metadata.kmsKeyARN = NamedKeyReference.arn(keyID: namedKey.id, region: "us-east-1")
        }
        let body = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            continuation.yield(ByteBuffer(string: text))
            continuation.finish()
        }
        return try await engine.store.putObject(
            bucket: bucket, key: key, metadata: metadata, body: body, checks: ObjectStore.WriteChecks(checksums: [], verify: { _ in }))
    }

    static func text(_ engine: EngineUnderTest, bucket: String, key: String) async throws -> String {
        String(decoding: try await engine.get(bucket: bucket, key: key), as: UTF8.self)
    }

    @Test func anObjectUnderANamedKeyHasItsDataKeyWrappedByTheKeyAndReadsBack() async throws {
        try await Self.withEngine { engine in
            let bucket = try await engine.createBucket("b", classification: EngineUnderTest.single)
            let key = try await engine.store.createNamedKey(alias: "app-key", description: "tests", creator: "id-root")
            #expect(UUID(uuidString: key.id) != nil)
            let record = try await Self.put(engine, "under the named key", bucket: bucket, key: "k", under: key)
            let encryption = try #require(record.segments.first?.encryption)
            #expect(encryption.keyID == key.id)
            #expect(encryption.bucketKeyVersion == 1)
            // The bucket's own key is not involved: it was never even made.
            #expect(try await engine.catalogue.bucketKeys(bucket: "b").isEmpty)
            #expect(try await Self.text(engine, bucket: "b", key: "k") == "under the named key")
            let plain = try await Self.put(engine, "under the bucket key", bucket: bucket, key: "p", under: nil)
            #expect(plain.segments.first?.encryption?.keyID == nil)
            #expect(try await Self.text(engine, bucket: "b", key: "p") == "under the bucket key")
            // A second alias of the same name is refused, and an alias must be well formed.
            await #expect { _ = try await engine.store.createNamedKey(alias: "app-key", description: "", creator: "x") } throws: {
                ($0 as? EngineError)?.code == .invalidArgument
            }
            await #expect { _ = try await engine.store.createNamedKey(alias: "aws/s3", description: "", creator: "x") } throws: {
                ($0 as? EngineError)?.code == .invalidArgument
            }
        }
    }

    @Test func keysResolveByIdAliasAndARNAndUnknownOnesAreNotFound() async throws {
        try await Self.withEngine { engine in
            let key = try await engine.store.createNamedKey(alias: "app-key", description: "", creator: "id-root")
            for text in [key.id, key.id.uppercased(), "alias/app-key", "arn:aws:kms:eu-west-3:111122223333:key/\(key.id)",
                         "arn:aws:kms:us-east-1:000000000000:alias/app-key"] {
                #expect(try await engine.store.resolveNamedKey(text).id == key.id, "\(text)")
            }
            for text in ["app-key", "alias/other", "arn:aws:s3:::bucket", "1234abcd-12ab-34cd-56ef-1234567890ab"] {
                await #expect { _ = try await engine.store.resolveNamedKey(text) } throws: {
                    ($0 as? EngineError)?.code == .namedKeyNotFound
                }
            }
            #expect(try await engine.store.namedKeyForAdministration("app-key").id == key.id)
        }
    }

    @Test func onlyAdminsAndGrantedUsersUseAKey() async throws {
        try await Self.withEngine { engine in
            let key = try await engine.store.createNamedKey(alias: "app-key", description: "", creator: "id-root")
            try await engine.store.authorizeNamedKey(key, user: Self.admin, use: .encrypt)
            try await engine.store.authorizeNamedKey(key, user: Self.admin, use: .decrypt)
            for use in [ObjectStore.NamedKeyUse.encrypt, .decrypt] {
                await #expect { try await engine.store.authorizeNamedKey(key, user: Self.bob, use: use) } throws: { error in
                    let error = error as? EngineError
                    return error?.code == .accessDenied && error?.message.contains("alias/app-key") == true
                }
            }
            try await engine.store.setNamedKeyGrant(key, user: Self.bob, encrypt: true, decrypt: false)
            try await engine.store.authorizeNamedKey(key, user: Self.bob, use: .encrypt)
            await #expect { try await engine.store.authorizeNamedKey(key, user: Self.bob, use: .decrypt) } throws: {
                ($0 as? EngineError)?.code == .accessDenied
            }
            let bucket = try await engine.createBucket("b", classification: EngineUnderTest.single)
            let record = try await Self.put(engine, "x", bucket: bucket, key: "k", under: key)
            await #expect { try await engine.store.authorizeRead(record, user: Self.bob) } throws: {
                ($0 as? EngineError)?.code == .accessDenied
            }
            try await engine.store.setNamedKeyGrant(key, user: Self.bob, encrypt: true, decrypt: true)
            try await engine.store.authorizeRead(record, user: Self.bob)
        }
    }

    @Test func rotationRewrapsObjectsAndRetirementWaitsForEveryBlob() async throws {
        try await Self.withEngine { engine in
            let key = try await engine.store.createNamedKey(alias: "app-key", description: "", creator: "id-root")
            let first = try await engine.createBucket("first", classification: EngineUnderTest.single)
            let second = try await engine.createBucket("second", classification: EngineUnderTest.single)
            _ = try await Self.put(engine, "old", bucket: first, key: "old", under: key)
            // An uploaded part under version 1 that no rotation re-wraps.
            var metadata = ObjectMetadata()
            metadata.kmsKeyARN = NamedKeyReference.arn(keyID: key.id, region: "us-east-1")
            let upload = try await engine.store.createMultipartUpload(
                bucket: second, key: "big", metadata: metadata, checksumAlgorithm: nil, owner: EngineUnderTest.owner)
            let partBody = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(ByteBuffer(string: "part"))
                continuation.finish()
            }
            let part = try await engine.store.uploadPart(
                upload: upload, partNumber: 1, body: partBody, checks: ObjectStore.WriteChecks(checksums: [], verify: { _ in }))
            #expect(part.segment.encryption?.keyID == key.id)

            let rotation = try await engine.store.rotateNamedKey(key)
            #expect(rotation.version == 2)
            #expect(rotation.rewrapped == 1)
            let new = try await Self.put(engine, "new", bucket: second, key: "new", under: key)
            #expect(new.segments.first?.encryption?.bucketKeyVersion == 2)
            #expect(try await engine.store.object(bucket: "first", key: "old").segments.first?.encryption?.bucketKeyVersion == 2)
            #expect(try await Self.text(engine, bucket: "first", key: "old") == "old")
            #expect(try await Self.text(engine, bucket: "second", key: "new") == "new")

            // The current version never retires; version 1 not while the part depends on it.
            await #expect { try await engine.store.retireNamedKeyVersion(key, version: 2) } throws: {
                ($0 as? EngineError)?.code == .invalidArgument
            }
            await #expect { try await engine.store.retireNamedKeyVersion(key, version: 1) } throws: { error in
                (error as? EngineError)?.message.contains("still have data keys") == true
            }
            try await engine.store.abortMultipartUpload(upload: upload)
            try await engine.store.retireNamedKeyVersion(key, version: 1)
            #expect(try await engine.catalogue.namedKeyVersions(keyID: key.id).map(\.version) == [2])
            #expect(try await Self.text(engine, bucket: "first", key: "old") == "old")
        }
    }

    @Test func shreddingAKeyMakesEveryObjectUnderItUnreadableAndLeavesTheOthers() async throws {
        try await Self.withEngine { engine in
            let doomed = try await engine.store.createNamedKey(alias: "doomed", description: "", creator: "id-root")
            let kept = try await engine.store.createNamedKey(alias: "kept", description: "", creator: "id-root")
            let first = try await engine.createBucket("first", classification: EngineUnderTest.single)
            let second = try await engine.createBucket("second", classification: EngineUnderTest.single)
            _ = try await Self.put(engine, "a", bucket: first, key: "a", under: doomed)
            _ = try await Self.put(engine, "b", bucket: second, key: "b", under: doomed)
            _ = try await Self.put(engine, "c", bucket: second, key: "c", under: kept)
            _ = try await Self.put(engine, "d", bucket: second, key: "d", under: nil)
            // Cached unwrapped: the shred must drop it from memory too.
            #expect(try await Self.text(engine, bucket: "first", key: "a") == "a")

            #expect(try await engine.store.shredNamedKey(doomed) == 1)
            for (bucket, key) in [("first", "a"), ("second", "b")] {
                await #expect { _ = try await engine.get(bucket: bucket, key: key) } throws: {
                    ($0 as? EngineError)?.code == .objectShredded
                }
            }
            // Even a store that never saw the key (another gateway, a restart) cannot read them.
            let restarted = engine.restarted()
            await #expect { _ = try await engine.get(bucket: "first", key: "a", store: restarted) } throws: {
                ($0 as? EngineError)?.code == .objectShredded
            }
            #expect(try await Self.text(engine, bucket: "second", key: "c") == "c")
            #expect(try await Self.text(engine, bucket: "second", key: "d") == "d")
            await #expect { _ = try await Self.put(engine, "e", bucket: first, key: "e", under: doomed) } throws: {
                ($0 as? EngineError)?.code == .namedKeyShredded
            }
            await #expect { _ = try await engine.store.rotateNamedKey(try await engine.store.resolveNamedKey(doomed.id)) } throws: {
                ($0 as? EngineError)?.code == .namedKeyShredded
            }
        }
    }

    @Test func aMasterRotationRewrapsNamedKeysAndTheOldMasterRetires() async throws {
        try await Self.withEngine { engine in
            let key = try await engine.store.createNamedKey(alias: "app-key", description: "", creator: "id-root")
            let bucket = try await engine.createBucket("b", classification: EngineUnderTest.single)
            _ = try await Self.put(engine, "kept", bucket: bucket, key: "k", under: key)
            await #expect { try await engine.store.retireMasterKey(version: 1) } throws: { _ in true }
            _ = try await engine.store.rotateMasterKey()
            try await engine.store.retireMasterKey(version: 1)
            #expect(try await Self.text(engine, bucket: "b", key: "k", store: engine.restarted()) == "kept")
        }
    }

    static func text(_ engine: EngineUnderTest, bucket: String, key: String, store: ObjectStore) async throws -> String {
        String(decoding: try await engine.get(bucket: bucket, key: key, store: store), as: UTF8.self)
    }
}
