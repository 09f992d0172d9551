import Foundation
import SouverainCatalogue
import SouverainModel
import Testing

/// The named-key promises of the `Catalogue` protocol (docs/keys.md, "Named keys").
extension CatalogueContract {
    func checkNamedKeys(on catalogue: any Catalogue) async throws {
        switch self {
        case .namedKeysAreCreatedOnceByAliasAndShreddedForGood:
            let key = Self.namedKey("k-1", alias: "app-key")
            #expect(try await catalogue.createNamedKey(key, firstVersion: Self.version(1, of: "k-1")))
            // The alias is unique: a second key under it is refused, and nothing of it is written.
            #expect(!(try await catalogue.createNamedKey(Self.namedKey("k-2", alias: "app-key"), firstVersion: Self.version(1, of: "k-2"))))
            #expect(try await catalogue.namedKey(id: "k-2") == nil)
            #expect(try await catalogue.namedKeyVersions(keyID: "k-2").isEmpty)
            #expect(try await catalogue.namedKey(id: "k-1") == key)
            #expect(try await catalogue.namedKey(alias: "app-key") == key)
            #expect(try await catalogue.namedKey(alias: "other") == nil)
            #expect(try await catalogue.addNamedKeyVersion(Self.version(2, of: "k-1")))
            #expect(!(try await catalogue.addNamedKeyVersion(Self.version(2, of: "k-1"))))
            #expect(try await catalogue.namedKeyVersions(keyID: "k-1").map(\.version) == [1, 2])
            try await catalogue.rewrapNamedKeyVersion(keyID: "k-1", version: 1, wrappedKey: "rewrapped")
            #expect(try await catalogue.namedKeyVersions(keyID: "k-1").first?.wrappedKey == "rewrapped")
            #expect(try await catalogue.allNamedKeyVersions().count == 2)
            #expect(try await catalogue.shredNamedKey(id: "k-1", at: Self.date) == 2)
            #expect(try await catalogue.namedKeyVersions(keyID: "k-1").isEmpty)
            #expect(try await catalogue.namedKey(id: "k-1")?.shreddedAt == Self.date)
            // A shredded key takes no new version, and no blob under one of its versions is recorded.
            await #expect { _ = try await catalogue.addNamedKeyVersion(Self.version(3, of: "k-1")) } throws: {
                ($0 as? CatalogueError)?.code == .keyRetired
            }
            try await catalogue.createBucket(Self.bucket("b1"))
            await #expect { _ = try await catalogue.putObject(Self.object("x", in: "b1", underKey: "k-1", version: 2)) } throws: {
                ($0 as? CatalogueError)?.code == .keyRetired
            }
            #expect(try await catalogue.namedKeys().map(\.alias) == ["app-key"])
        case .namedKeyVersionsRetireOnlyOnceNoBlobUsesThem:
            try await catalogue.createBucket(Self.bucket("b1"))
            try await catalogue.createBucket(Self.bucket("b2"))
            #expect(try await catalogue.createNamedKey(Self.namedKey("k-1", alias: "a"), firstVersion: Self.version(1, of: "k-1")))
            #expect(try await catalogue.addNamedKeyVersion(Self.version(2, of: "k-1")))
            let object = Self.object("x", in: "b2", underKey: "k-1", version: 1)
            _ = try await catalogue.putObject(object)
            _ = try await catalogue.putObject(Self.object("plain", in: "b1"))
            #expect(try await catalogue.objectsUnderNamedKey("k-1", after: nil, limit: 10).map(\.key) == ["x"])
            #expect(try await catalogue.objectsUnderNamedKey("k-1", after: ("b2", "x"), limit: 10).isEmpty)
            // Version 1 wraps the data key of an object in another bucket than the first: refused.
            #expect(!(try await catalogue.retireNamedKeyVersion(keyID: "k-1", version: 1)))
            // The bucket key version of the same number is not the named key's: the bucket's own key retires.
            #expect(try await catalogue.addBucketKey(BucketKeyRecord(bucket: "b2", version: 1, wrappedKey: "w", state: .active, created: Self.date)))
            #expect(try await catalogue.retireBucketKey(bucket: "b2", version: 1))
            var rewrapped = object.segments
            rewrapped[0].encryption?.bucketKeyVersion = 2
            #expect(try await catalogue.rewrapObject(object, segments: rewrapped))
            #expect(try await catalogue.retireNamedKeyVersion(keyID: "k-1", version: 1))
            #expect(try await catalogue.namedKeyVersions(keyID: "k-1").map(\.version) == [2])
        case .namedKeyGrantsAndBucketEncryptionRoundTrip:
            try await catalogue.setNamedKeyGrant(NamedKeyGrant(keyID: "k-1", userID: "id-bob", encrypt: true, decrypt: false))
            #expect(try await catalogue.namedKeyGrant(keyID: "k-1", userID: "id-bob") == NamedKeyGrant(
                keyID: "k-1", userID: "id-bob", encrypt: true, decrypt: false))
            try await catalogue.setNamedKeyGrant(NamedKeyGrant(keyID: "k-1", userID: "id-bob", encrypt: true, decrypt: true))
            #expect(try await catalogue.namedKeyGrants(keyID: "k-1").map(\.decrypt) == [true])
            // A grant of nothing is no grant.
            try await catalogue.setNamedKeyGrant(NamedKeyGrant(keyID: "k-1", userID: "id-bob", encrypt: false, decrypt: false))
            #expect(try await catalogue.namedKeyGrant(keyID: "k-1", userID: "id-bob") == nil)
            try await catalogue.setNamedKeyGrant(NamedKeyGrant(keyID: "k-1", userID: "id-carol", encrypt: false, decrypt: true))
            #expect(try await catalogue.removeNamedKeyGrant(keyID: "k-1", userID: "id-carol"))
            #expect(!(try await catalogue.removeNamedKeyGrant(keyID: "k-1", userID: "id-carol")))

            #expect(try await catalogue.bucketEncryption(bucket: "b1") == nil)
            await #expect { try await catalogue.setBucketEncryption(Self.encryption("b1")) } throws: {
                ($0 as? CatalogueError)?.code == .noSuchBucket
            }
            try await catalogue.createBucket(Self.bucket("b1"))
            try await catalogue.setBucketEncryption(Self.encryption("b1"))
            #expect(try await catalogue.bucketEncryption(bucket: "b1") == Self.encryption("b1"))
            try await catalogue.deleteBucketEncryption(bucket: "b1")
            #expect(try await catalogue.bucketEncryption(bucket: "b1") == nil)
            // A deleted bucket's default goes with it: a bucket re-created under the name starts without.
            try await catalogue.setBucketEncryption(Self.encryption("b1"))
            try await catalogue.deleteBucket(named: "b1")
            try await catalogue.createBucket(Self.bucket("b1"))
            #expect(try await catalogue.bucketEncryption(bucket: "b1") == nil)
        default:
            Issue.record("\(self) is not a named-key promise")
        }
    }

    static func namedKey(_ id: String, alias: String) -> NamedKeyRecord {
        NamedKeyRecord(id: id, alias: alias, description: "for tests", creator: "id-admin", created: date)
    }

    static func version(_ version: Int, of keyID: String) -> NamedKeyVersionRecord {
        NamedKeyVersionRecord(keyID: keyID, version: version, wrappedKey: "wrapped-\(keyID)-\(version)", created: date)
    }

    static func encryption(_ bucket: String) -> BucketEncryptionRecord {
        BucketEncryptionRecord(bucket: bucket, algorithm: .kms, keyID: "k-1", bucketKeyEnabled: true)
    }

    static func object(_ key: String, in bucket: String, underKey keyID: String, version: Int) -> ObjectRecord {
        var record = object(key, in: bucket)
        record.segments[0].encryption = BlobEncryption(
            bucketKeyVersion: version, wrappedDataKey: "AAAA", identity: "00", chunkSize: 65536, storedSize: 47, keyID: keyID)
        return record
    }
}
