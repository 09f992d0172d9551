import Foundation
public import SouverainEngine
import SouverainKeys
import SouverainS3

/// The key administration's actions and their JSON answers (docs/keys.md), shared by the admin
/// API (`/_souverain/keys`, run by the server, whose cached keys then follow) and `souverain keys`
/// when no server runs (on a store the command opens itself).
public enum KeyAdministration {
    /// The master key versions, their state, and how many bucket keys each wraps.
    public static func list(_ store: ObjectStore) async throws -> [String: Any] {
        let report = try await store.masterKeyReport().map { info, bucketKeys in
            ["version": Int(info.reference.version), "keyID": info.reference.keyID, "store": info.reference.storeKind,
             "state": info.state.rawValue, "current": info.isCurrent, "bucketKeys": bucketKeys,
             "created": S3Date.iso8601(info.created)] as [String: Any]
        }
        return ["masterKeys": report, "namedKeys": try await namedKeys(store)]
    }

    /// A new version of `bucket`'s key (every object's data keys re-wrapped under it), or of the
    /// master key when `bucket` is nil (every bucket key re-wrapped under it).
    public static func rotate(_ store: ObjectStore, bucket: String?) async throws -> [String: Any] {
        if let bucket {
            let rotation = try await store.rotateBucketKey(bucket)
            return ["bucket": bucket, "version": rotation.version, "objectsRewrapped": rotation.rewrapped]
        }
        let (reference, rewrapped) = try await store.rotateMasterKey()
        return ["masterVersion": Int(reference.version), "bucketKeysRewrapped": rewrapped]
    }

    /// Retires a version of `bucket`'s key, or of the master key when `bucket` is nil; refused
    /// while anything depends on it.
    public static func retire(_ store: ObjectStore, bucket: String?, version: UInt32) async throws -> [String: Any] {
        if let bucket {
            try await store.retireBucketKey(bucket, version: Int(version))
            return ["bucket": bucket, "retiredVersion": Int(version)]
        }
        try await store.retireMasterKey(version: version)
        return ["retiredMasterVersion": Int(version)]
    }
}
