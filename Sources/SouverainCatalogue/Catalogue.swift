public import Foundation
public import SouverainModel

/// Where Souverain keeps what it knows: buckets, objects and where their bytes are, multipart
/// uploads, users and grants. Every mutating call is one durable transaction: when it returns,
/// the change survives a crash.
///
/// Blobs leave the catalogue through the garbage list: a call that drops a reference to a blob
/// (overwrite, delete, abort, completion without a part) records it as garbage in the same
/// transaction, and the caller deletes the file then calls `forgetGarbage`. A crash in between
/// leaves the garbage listed, and start-up finishes the job.
public protocol Catalogue: NamedKeyCatalogue, BucketAccessCatalogue, CatalogueChangeFeed, LeaseCatalogue, RoleCatalogue {
    // MARK: Users and grants
    /// Throws `.userExists` when the name, access key or id is taken.
    func addUser(_ user: User) async throws
    func user(accessKeyID: String) async throws -> User?
    func user(named name: String) async throws -> User?
    func user(id: String) async throws -> User?
    func users() async throws -> [User]
    /// Removes the user and its grants. Returns false when there was none. Throws
    /// `.userOwnsBuckets` (naming them) while the user owns a bucket: an admin reassigns them first,
    /// so that no bucket is left to an identity that no longer exists.
    func removeUser(named name: String) async throws -> Bool
    /// Gives every bucket owned by user id `from` to user id `to` (dropping `to`'s grants on them,
    /// an owner needs none). Returns the names of the buckets reassigned.
    func reassignBuckets(from: String, to: String) async throws -> [String]
    /// Gives one bucket to user id `to` (an orphaned one, for instance). False when there is no
    /// such bucket.
    func reassignBucket(named name: String, to: String) async throws -> Bool
    /// Replaces a user's stored secret (sealing a clear one, or re-sealing under a new master key).
    func setStoredSecret(userID: String, _ storedSecret: String) async throws
    func setGrant(_ grant: Grant) async throws
    func removeGrant(bucket: String, userID: String) async throws -> Bool
    func grant(bucket: String, userID: String) async throws -> BucketPermission?
    func grants(userID: String) async throws -> [Grant]
    func grants(bucket: String) async throws -> [Grant]

    // MARK: Buckets
    /// Throws `.bucketExists` when the name is taken.
    func createBucket(_ bucket: BucketRecord) async throws
    func bucket(named name: String) async throws -> BucketRecord?
    func buckets() async throws -> [BucketRecord]
    /// Throws `.bucketNotEmpty` while it holds objects or uploads, `.noSuchBucket` when absent.
    func deleteBucket(named name: String) async throws
    /// Sets (nil: clears) a bucket's classification.
    func setClassification(bucket: String, classification: String?) async throws

    // MARK: Objects
    func object(bucket: String, key: String) async throws -> ObjectRecord?
    /// Inserts or replaces the object; the replaced object's segments become garbage.
    /// Throws `.noSuchBucket` if the bucket was deleted meanwhile.
    func putObject(_ object: ObjectRecord) async throws -> [GarbageBlob]
    /// Removes the object; its segments become garbage. Returns the removed record.
    func deleteObject(bucket: String, key: String) async throws -> (ObjectRecord, [GarbageBlob])?
    /// Objects whose key starts with `prefix` and sorts after `position` (byte order of UTF-8),
    /// in byte order, at most `limit`.
    /// As `listObjects`, with only what a listing shows: what ListObjects pages use.
    func listSummaries(bucket: String, prefix: String, after position: ListPosition?, limit: Int)
        async throws -> [ObjectSummary]
    func listObjects(bucket: String, prefix: String, after position: ListPosition?, limit: Int)
        async throws -> [ObjectRecord]

    // MARK: Multipart uploads
    func createUpload(_ upload: UploadRecord) async throws
    func upload(id: String) async throws -> UploadRecord?
    /// Records a part, replacing one with the same number (whose segment becomes garbage).
    /// Throws `.noSuchUpload` if the upload was completed or aborted meanwhile.
    func putPart(_ part: PartRecord) async throws -> [GarbageBlob]
    /// Parts with a number greater than `after`, in order, at most `limit`.
    func parts(uploadID: String, after: Int, limit: Int) async throws -> [PartRecord]
    /// Atomically replaces the upload and its parts by the object. Parts not referenced by the
    /// object, and any object it replaces, become garbage. Throws `.noSuchUpload` if gone.
    func completeUpload(id: String, object: ObjectRecord) async throws -> [GarbageBlob]
    /// Removes the upload; its parts become garbage. Throws `.noSuchUpload` if gone.
    func abortUpload(id: String) async throws -> [GarbageBlob]
    /// Uploads of a bucket ordered by (key, upload id), after the markers.
    func uploads(bucket: String, prefix: String, keyMarker: String?, uploadIDMarker: String?, limit: Int)
        async throws -> [UploadRecord]

    // MARK: Garbage and recovery
    /// Garbage dropped at least `age` ago by the catalogue's clock (SQLite: this process's wall
    /// clock; PostgreSQL: the database's), at most `limit` of it. Garbage recorded before drop
    /// times were kept counts as old.
    func garbage(olderThan age: Duration, limit: Int) async throws -> [GarbageBlob]
    func forgetGarbage(_ blobs: [GarbageBlob]) async throws
    /// True when some object, part or garbage entry references the blob.
    func isReferenced(location: String, locator: String) async throws -> Bool
    /// How many live blobs (of objects and parts) a location holds.
    func blobCount(location: String) async throws -> Int

    // MARK: Relocation

    /// Registers a blob about to be written for a relocation, so that no sweep takes it for a
    /// stray and an interrupted relocation can hand it to garbage collection.
    func addPendingBlob(_ blob: GarbageBlob) async throws
    /// Pending blobs left by an interrupted relocation move to the garbage list; returns them.
    func abandonPendingBlobs() async throws -> [GarbageBlob]
    /// Replaces an object's blobs by copies at another location, if the object is still the one
    /// that was copied (same etag, modification time, location and segments). Returns the old
    /// blobs, now garbage, or nil when the object changed or went away (the copies become garbage).
    func relocateObject(_ object: ObjectRecord, to location: String, segments: [BlobSegment]) async throws -> [GarbageBlob]?

    // MARK: Bucket keys

    /// Every key version of a bucket, oldest first.
    func bucketKeys(bucket: String) async throws -> [BucketKeyRecord]
    /// Adds a key version; false (and nothing written) if that version exists already, so that two
    /// gateways creating a bucket's first key at once end up using the same one.
    func addBucketKey(_ key: BucketKeyRecord) async throws -> Bool
    /// The key versions of every bucket.
    func allBucketKeys() async throws -> [BucketKeyRecord]
    /// Replaces a key version's wrapped form (after the master key was rotated).
    func rewrapBucketKey(bucket: String, version: Int, wrappedKey: String) async throws
    /// Deletes a key version, refused (false) while a blob of the bucket, object or uploaded part,
    /// still has its data key wrapped by it.
    func retireBucketKey(bucket: String, version: Int) async throws -> Bool
    /// Swaps an object's segments for the same blobs with re-wrapped data keys, only if the
    /// object is unchanged since it was read (false otherwise: it was overwritten meanwhile).
    func rewrapObject(_ object: ObjectRecord, segments: [BlobSegment]) async throws -> Bool
    /// Objects with a copy missing or damaged, oldest first in key order after `after`.
    func objectsNeedingRepair(after: (bucket: String, key: String)?, limit: Int) async throws -> [ObjectRecord]
    /// How many objects have a copy missing or damaged (current and noncurrent versions).
    func repairBacklog() async throws -> Int
    /// Noncurrent versions with a copy missing or damaged, in (bucket, key, version) order after
    /// `after` (delete markers have no copies).
    func noncurrentVersionsNeedingRepair(after: NoncurrentPosition?, limit: Int) async throws
        -> [(record: ObjectRecord, position: NoncurrentPosition)]
    /// Swaps an object's copies (first copy, segments' locators and replicas) for those of
    /// `updated`, only if the object is unchanged since `object` was read; returns the blobs no
    /// longer referenced (now garbage), or nil when the object changed meanwhile. New blobs
    /// registered as pending become referenced.
    func updateCopies(of object: ObjectRecord, to updated: ObjectRecord) async throws -> [GarbageBlob]?
    /// Crypto-shredding: destroys every key version of the bucket (overwritten, not merely
    /// unlinked) and records when. Returns how many versions were destroyed.
    func shredBucket(_ name: String, at date: Date) async throws -> Int

    // MARK: Lifecycle

    /// The bucket's lifecycle configuration; nil when it has none.
    func lifecycleConfiguration(bucket: String) async throws -> LifecycleConfiguration?
    /// Replaces the bucket's lifecycle configuration; nil removes it. Throws `.noSuchBucket`.
    /// Deleting a bucket removes its configuration.
    func setLifecycleConfiguration(bucket: String, _ configuration: LifecycleConfiguration?) async throws
    /// The names of the buckets that have a lifecycle configuration, in byte order.
    func bucketsWithLifecycleConfiguration() async throws -> [String]
    /// Removes the object only if it is still the one read (same ETag and modification time), so
    /// that lifecycle never deletes an object written after it judged the old one; its segments
    /// become garbage. Nil when the object changed or went away (nothing removed).
    func deleteObject(ifUnchanged object: ObjectRecord) async throws -> [GarbageBlob]?
    // MARK: Versions and Object Lock (Records+Versions.swift, docs/versioning.md, docs/object-lock.md)
    //
    // The object calls above see the current version of each key, the only one an unversioned bucket
    // has. `putObject` and `completeUpload` replace the `null` version when the record's `versionID`
    // is nil and add a version otherwise; either way the current version, if kept, becomes noncurrent.

    /// Sets a bucket's versioning state. Throws `.noSuchBucket`.
    func setVersioning(bucket: String, _ state: VersioningState) async throws
    /// Sets a bucket's Object Lock configuration (and turns versioning on). Throws `.noSuchBucket`.
    func setObjectLock(bucket: String, _ configuration: ObjectLockConfiguration) async throws
    /// One version of a key (`versionID` nil: the null version), a delete marker included; nil when absent.
    func version(bucket: String, key: String, versionID: String?) async throws -> ObjectVersionEntry?
    /// The latest version of a key, which is a delete marker when the key is deleted; nil when it has none.
    func latestVersion(bucket: String, key: String) async throws -> ObjectVersionEntry?
    /// Makes a delete marker the current version of `key` (`versionID` nil: the null marker, which
    /// replaces the null version). Returns the blobs of a replaced null version, now garbage.
    /// `check` sees a null version about to be replaced and may refuse by throwing a CatalogueError.
    func addDeleteMarker(bucket: String, key: String, versionID: String?, at date: Date,
                         check: @escaping @Sendable (ObjectVersionEntry) throws -> Void) async throws -> [GarbageBlob]
    /// Removes one version for good; the next newest becomes current. `check` sees the version
    /// first, in the same transaction, and refuses by throwing a CatalogueError. Nil when absent.
    func deleteVersion(bucket: String, key: String, versionID: String?,
                       check: @escaping @Sendable (ObjectVersionEntry) throws -> Void) async throws -> RemovedVersion?
    /// Versions of keys starting with `prefix` after `position`: keys in byte order, each key's
    /// versions newest first, at most `limit`.
    func listVersions(bucket: String, prefix: String, after position: VersionListPosition?, limit: Int)
        async throws -> [ObjectVersionEntry]
    /// Changes the retention and legal hold of one object version in one transaction: `change`
    /// sees the version and returns its new state or throws a CatalogueError to refuse. Nil when
    /// absent; throws `.isDeleteMarker` for a marker.
    func updateLock(bucket: String, key: String, versionID: String?,
                    change: @escaping @Sendable (ObjectRecord) throws -> (ObjectRetention?, Bool)) async throws -> ObjectRecord?
    /// Versions of the bucket under a retention that ends after `now` or a legal hold, at most `limit`.
    func lockedVersions(bucket: String, at now: Date, limit: Int) async throws -> [ObjectVersionEntry]
    /// Every noncurrent object version (not delete markers) of every bucket, after `after` in
    /// (bucket, key, version) order: what repair, relocation and export walk besides current objects.
    func noncurrentVersions(after: NoncurrentPosition?, limit: Int) async throws -> [(record: ObjectRecord, position: NoncurrentPosition)]
    /// The retention clock: records `now` if it is later than every time seen before and returns
    /// the latest time ever seen (so a clock set back never shortens a retention).
    func retentionClock(now: Date) async throws -> Date

    // MARK: Tags and conditional writes (docs/tagging.md, docs/s3-compatibility.md)

    /// Replaces the tags of one object version (`versionID` nil: the null version). Nil when
    /// absent; throws `.isDeleteMarker` for a marker.
    func updateTags(bucket: String, key: String, versionID: String?, tags: [String: String]) async throws -> ObjectRecord?
    /// `putObject`, only if the key's current object meets `condition` (nil: always), checked in
    /// the transaction that makes the new object current: throws `.preconditionFailed` or
    /// `.noCurrentObject`, and nothing is written.
    func putObject(_ object: ObjectRecord, condition: WriteCondition?) async throws -> [GarbageBlob]
    /// `completeUpload`, only if the key's current object meets `condition`, checked in the
    /// same transaction; a refusal leaves the upload and its parts as they were.
    func completeUpload(id: String, object: ObjectRecord, condition: WriteCondition?) async throws -> [GarbageBlob]
}

/// Where a walk over noncurrent versions resumes.
public struct NoncurrentPosition: Sendable, Equatable {
    public var bucket: String
    public var key: String
    public var sequence: Int64

    public init(bucket: String, key: String, sequence: Int64) {
        self.bucket = bucket
        self.key = key
        self.sequence = sequence
    }
}

/// The one error type of the catalogue layer.
public struct CatalogueError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case bucketExists, bucketNotEmpty, noSuchBucket, noSuchUpload, userExists, userOwnsBuckets, keyRetired, unavailable, versionLocked, isDeleteMarker
            case preconditionFailed, noCurrentObject, roleExists }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        public static let bucketExists = Code(.bucketExists)
        public static let bucketNotEmpty = Code(.bucketNotEmpty)
        public static let noSuchBucket = Code(.noSuchBucket)
        public static let noSuchUpload = Code(.noSuchUpload)
        public static let userExists = Code(.userExists)
        /// A user to remove still owns buckets.
        public static let userOwnsBuckets = Code(.userOwnsBuckets)
        /// A blob to record is wrapped by a bucket key version retired while it was written.
        public static let keyRetired = Code(.keyRetired)
        /// The database failed: I/O, corruption, a full disk. The cause says more.
        public static let unavailable = Code(.unavailable)
        /// A version under retention or legal hold cannot be deleted or replaced.
        public static let versionLocked = Code(.versionLocked)
        /// The version named is a delete marker, which has no data or lock.
        public static let isDeleteMarker = Code(.isDeleteMarker)
        /// A conditional write found the key's current object not as its condition asked (WriteCondition.swift).
        public static let preconditionFailed = Code(.preconditionFailed)
        /// A write conditional on the key's current object (If-Match) found none.
        public static let noCurrentObject = Code(.noCurrentObject)
        /// A role of that name exists (docs/sts.md).
        public static let roleExists = Code(.roleExists)
        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        cause.map { "\(code): \(message) (\($0))" } ?? "\(code): \(message)"
    }
}

/// Where a listing resumes.
public enum ListPosition: Sendable, Equatable {
    /// Strictly after this key.
    case key(String)
    /// After every key that starts with this string (used to skip past a common prefix).
    case pastPrefix(String)
}

extension Catalogue {
    /// Garbage however recent, at most `limit`: what start-up collects, when nothing can still be
    /// reading it.
    public func garbage(limit: Int) async throws -> [GarbageBlob] {
        try await garbage(olderThan: .zero, limit: limit)
    }
}

extension ListPosition {
    /// The smallest byte string greater than every string that starts with `prefix`, or nil
    /// when none exists (a prefix of only 0xFF bytes, impossible in UTF-8).
    public static func successor(ofPrefix prefix: [UInt8]) -> [UInt8]? {
        var bytes = prefix
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return nil
    }
}
