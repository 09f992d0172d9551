public import Foundation
public import SouverainModel

/// A bucket as the catalogue keeps it.
public struct BucketRecord: Sendable, Equatable {
    public var name: String
    /// The id (`User.id`) of the user who owns it, or `User.orphanedOwner` for a bucket whose owner
    /// was gone when ids were introduced.
    public var owner: String
    public var createdAt: Date
    public var region: String
    /// The classification whose placement rules apply to the bucket's objects; nil takes the
    /// configured default.
    public var classification: String?
    /// When the bucket's keys were destroyed (crypto-shredding): none of its objects can be read
    /// again, anywhere. Nil for a live bucket.
    public var shreddedAt: Date?
    /// Whether the bucket keeps versions: nil for a bucket never versioned (Records+Versions.swift).
    public var versioning: VersioningState?
    /// The bucket's Object Lock configuration; nil for a bucket created without Object Lock.
    public var objectLock: ObjectLockConfiguration?

    public init(name: String, owner: String, createdAt: Date, region: String, classification: String? = nil, shreddedAt: Date? = nil,
                versioning: VersioningState? = nil, objectLock: ObjectLockConfiguration? = nil) {
        self.versioning = versioning
        self.objectLock = objectLock
        self.shreddedAt = shreddedAt
        self.name = name
        self.owner = owner
        self.createdAt = createdAt
        self.region = region
        self.classification = classification
    }
}

/// One stored blob: a file in a location, identified by a locator that never derives from the
/// object key (so no key can reach outside the location).
public struct BlobSegment: Sendable, Equatable, Codable {
    public var locator: String
    /// The plaintext bytes the blob holds.
    public var size: Int64
    /// How the blob is encrypted; nil for a blob stored in clear (written with encryption off).
    public var encryption: BlobEncryption?
    /// SHA-256 (hex) of the bytes as stored, the same at every copy: recorded for objects with
    /// several copies, so that a scrub checks any copy without a key (SSE-C, clear blobs too).
    public var storedSHA256: String?
    /// For a segment of a multipart object (each segment is one part): the part's checksum
    /// (base64) in the object's checksum algorithm, for GetObjectAttributes; nil otherwise.
    public var partChecksum: String?

    public init(locator: String, size: Int64, encryption: BlobEncryption? = nil, storedSHA256: String? = nil) {
        self.locator = locator
        self.size = size
        self.encryption = encryption
        self.storedSHA256 = storedSHA256
    }

    /// The bytes the blob occupies in its location.
    public var storedSize: Int64 { encryption?.storedSize ?? size }
}

/// What it takes to decrypt one blob (docs/encryption-format.md): its own data key, wrapped by a
/// version of its bucket's key, and the identity its header must carry. Nothing here is secret.
public struct BlobEncryption: Sendable, Equatable, Codable {
    /// The version of the bucket key that wraps the data key.
    public var bucketKeyVersion: Int
    /// The data key wrapped by that bucket key (RFC 3394), base64.
    public var wrappedDataKey: String
    /// The blob's identity (16 bytes, hex), bound into every chunk.
    public var identity: String
    /// Plaintext bytes per chunk.
    public var chunkSize: Int
    /// The bytes the encrypted blob occupies: header and tags included.
    public var storedSize: Int64
    /// For SSE-C: the data key is wrapped by the key the client sends with each request (never
    /// stored), not by a bucket key (`bucketKeyVersion` is then 0); this is that key's MD5, base64,
    /// to tell a wrong key from a damaged blob.
    public var customerKeyMD5: String?
    /// The named key (its id) whose version `bucketKeyVersion` wraps the data key; nil for the
    /// bucket's key (every blob written before named keys existed).
    public var keyID: String?

    public init(
        bucketKeyVersion: Int, wrappedDataKey: String, identity: String, chunkSize: Int, storedSize: Int64,
        customerKeyMD5: String? = nil, keyID: String? = nil
    ) {
        self.keyID = keyID
        self.customerKeyMD5 = customerKeyMD5
        self.bucketKeyVersion = bucketKeyVersion
        self.wrappedDataKey = wrappedDataKey
        self.identity = identity
        self.chunkSize = chunkSize
        self.storedSize = storedSize
    }
}

/// One version of a bucket's key, as the catalogue keeps it: wrapped by a master key of the key
/// store, never in clear.
public struct BucketKeyRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Usable: the highest version wraps new data keys, every version unwraps those it
        /// wrapped. A version is retired by deleting it, once no blob's data key depends on it.
        case active
    }

    public var bucket: String
    public var version: Int
    /// The bucket key wrapped by the key store's master key (`WrappedKey.encodedString()`).
    public var wrappedKey: String
    public var state: State
    public var created: Date

    public init(bucket: String, version: Int, wrappedKey: String, state: State, created: Date) {
        self.bucket = bucket
        self.version = version
        self.wrappedKey = wrappedKey
        self.state = state
        self.created = created
    }
}

/// The HTTP headers S3 stores with an object and returns on GET and HEAD.
public struct ObjectMetadata: Sendable, Hashable, Codable {
    public var contentType: String?
    public var contentEncoding: String?
    public var contentDisposition: String?
    public var contentLanguage: String?
    public var cacheControl: String?
    public var expires: String?
    /// `x-amz-meta-*` headers, by lowercased name without the prefix.
    public var user: [String: String]
    /// The server-side encryption the client asked for and is answered with: `aws:kms` (under its
    /// bucket's key, `alias/BUCKET`), or nil for the default, `AES256`. Every object is encrypted
    /// the same way whichever it is; this is what S3 clients are told.
    public var serverSideEncryption: String?
    /// SSE-C: the MD5 (base64) of the key the client encrypted the object with, and must send again
    /// to read it. Nil for objects under the organisation's keys.
    public var customerKeyMD5: String?
    /// SSE-KMS under a named key: the key's ARN, as answered in
    /// `x-amz-server-side-encryption-aws-kms-key-id`; nil for the bucket's key.
    public var kmsKeyARN: String?

    /// The named key whose versions wrap the object's (or upload's parts') data keys.
    public var namedKeyID: String? { kmsKeyARN.flatMap(NamedKeyReference.keyID(inARN:)) }
    /// A multipart upload's checksum type (`x-amz-checksum-type` at CreateMultipartUpload), kept
    /// with the upload until completion; nil on objects, whose checksum value says its type.
    public var checksumType: ChecksumType?
    /// For a multipart upload: the Object Lock its CreateMultipartUpload asked for, applied at
    /// completion. Nil on objects.
    public var requestedLock: RequestedLock?
    /// For a multipart upload: the tags its CreateMultipartUpload asked for (`x-amz-tagging`),
    /// given to the object at completion. Nil on objects, whose tags are `ObjectRecord.tags`.
    public var requestedTags: [String: String]?
    /// The object ACL's group grants (docs/access.md), from `x-amz-acl` at PutObject, CopyObject
    /// or CreateMultipartUpload: the granted words, comma-separated (`all-read`, `auth-read`); nil
    /// for a private object. Kept with the version, so it never outlives the write that set it.
    public var acl: String?

    public init(
        contentType: String? = nil, contentEncoding: String? = nil, contentDisposition: String? = nil,
        contentLanguage: String? = nil, cacheControl: String? = nil, expires: String? = nil,
        user: [String: String] = [:], serverSideEncryption: String? = nil
    ) {
        self.serverSideEncryption = serverSideEncryption
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.contentDisposition = contentDisposition
        self.contentLanguage = contentLanguage
        self.cacheControl = cacheControl
        self.expires = expires
        self.user = user
    }

    /// Size as S3 counts it for the 2 KiB user-metadata limit.
    public var userMetadataSize: Int { user.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count } }
}

/// An object as the catalogue keeps it: what it is and where its bytes are.
public struct ObjectRecord: Sendable, Equatable {
    public var bucket: String
    public var key: String
    public var size: Int64
    /// The ETag without quotes: MD5 hex, or `hex-N` for a multipart object.
    public var etag: String
    public var lastModified: Date
    public var metadata: ObjectMetadata
    /// Base64 checksums by algorithm (a multipart composite carries its `-N` suffix).
    public var checksums: [ChecksumAlgorithm: String]
    /// The location that holds the segments.
    public var location: String
    /// The blobs whose concatenation is the object's bytes, in order.
    public var segments: [BlobSegment]
    /// The number of parts of a multipart object, nil for a single-part one.
    public var partCount: Int?
    /// Further copies of the same stored bytes at other locations, for buckets whose rules ask for
    /// several replicas. `location` and `segments` are the first copy, always one known good.
    public var replicas: [Replica]
    /// The version's id; nil for the `null` version (written while the bucket was unversioned or
    /// versioning was suspended).
    public var versionID: String?
    /// The Object Lock retention of this version, nil for none.
    public var retention: ObjectRetention?
    /// Whether a legal hold is on this version.
    public var legalHold: Bool = false
    /// The version's tags (docs/tagging.md), at most 10; they belong to this version alone.
    public var tags: [String: String] = [:]

    /// Every location that holds or should hold a copy, the first copy's first.
    public var replicaLocations: [String] { [location] + replicas.map(\.location) }
    /// Whether a copy is missing or damaged and the repair should re-create it.
    public var needsRepair: Bool { replicas.contains { $0.state != .ok } }
    /// The copies believed good, each with one locator per segment: the first copy (`replica`
    /// nil), then the further ones in state `ok` (`replica`: their index in `replicas`).
    public var goodCopies: [(location: String, locators: [String], replica: Int?)] {
        [(location, segments.map(\.locator), nil)] + replicas.indices.compactMap { index in
            let replica = replicas[index]
            guard replica.state == .ok, replica.locators.count == segments.count else { return nil }
            return (replica.location, replica.locators, index)
        }
    }

    public init(
        bucket: String, key: String, size: Int64, etag: String, lastModified: Date, metadata: ObjectMetadata,
        checksums: [ChecksumAlgorithm: String], location: String, segments: [BlobSegment], partCount: Int?,
        replicas: [Replica] = []
    ) {
        self.replicas = replicas
        self.bucket = bucket
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.metadata = metadata
        self.checksums = checksums
        self.location = location
        self.segments = segments
        self.partCount = partCount
    }
}

/// One further copy of an object's stored bytes: the same blobs, byte for byte (sealed once,
/// written to every location), each under its own locator at `location`.
public struct Replica: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// Written and durable (and, once scrubbed, verified).
        case ok
        /// Not written (the location was down when the object was stored) or lost since.
        case missing
        /// Found damaged by a scrub or a read.
        case corrupt
    }

    public var location: String
    /// One locator per segment of the object, in order; empty while the copy is missing.
    public var locators: [String]
    public var state: State

    public init(location: String, locators: [String], state: State) {
        self.location = location
        self.locators = locators
        self.state = state
    }

    /// The copy's blobs, to reference or to collect as garbage.
    public var blobs: [GarbageBlob] { locators.map { GarbageBlob(location: location, locator: $0) } }
}

/// What a listing shows of an object: no metadata, checksums or blobs to decode.
public struct ObjectSummary: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String
    public var lastModified: Date

    public init(key: String, size: Int64, etag: String, lastModified: Date) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// A multipart upload in progress.
public struct UploadRecord: Sendable, Equatable {
    public var uploadID: String
    public var bucket: String
    public var key: String
    public var initiated: Date
    /// The id (`User.id`) of the user who started it.
    public var owner: String
    public var metadata: ObjectMetadata
    public var checksumAlgorithm: ChecksumAlgorithm?
    /// Where the parts are written, chosen by placement when the upload starts.
    public var location: String

    public init(
        uploadID: String, bucket: String, key: String, initiated: Date, owner: String, metadata: ObjectMetadata,
        checksumAlgorithm: ChecksumAlgorithm?, location: String
    ) {
        self.location = location
        self.uploadID = uploadID
        self.bucket = bucket
        self.key = key
        self.initiated = initiated
        self.owner = owner
        self.metadata = metadata
        self.checksumAlgorithm = checksumAlgorithm
    }
}

/// One uploaded part of a multipart upload.
public struct PartRecord: Sendable, Equatable {
    public var uploadID: String
    public var partNumber: Int
    public var size: Int64
    public var etag: String
    public var lastModified: Date
    public var location: String
    public var segment: BlobSegment
    public var checksums: [ChecksumAlgorithm: String]

    public init(
        uploadID: String, partNumber: Int, size: Int64, etag: String, lastModified: Date, location: String,
        segment: BlobSegment, checksums: [ChecksumAlgorithm: String]
    ) {
        self.uploadID = uploadID
        self.partNumber = partNumber
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.location = location
        self.segment = segment
        self.checksums = checksums
    }
}

/// A blob that no object references any more and that its location should delete. Identified by
/// its location and locator; the object it held (when known) is for the audit trail's record of
/// its deletion.
public struct GarbageBlob: Sendable, Hashable {
    public var location: String
    public var locator: String
    /// The bucket and key of the object whose bytes the blob held; nil when unknown (a pending
    /// copy abandoned, a garbage row written before this was recorded).
    public var bucket: String?
    public var key: String?

    public init(location: String, locator: String, bucket: String? = nil, key: String? = nil) {
        self.location = location
        self.locator = locator
        self.bucket = bucket
        self.key = key
    }

    /// The same blob, naming the object it held.
    public func of(bucket: String, key: String?) -> GarbageBlob {
        GarbageBlob(location: location, locator: locator, bucket: bucket, key: key)
    }

    public static func == (lhs: GarbageBlob, rhs: GarbageBlob) -> Bool {
        lhs.location == rhs.location && lhs.locator == rhs.locator
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(location)
        hasher.combine(locator)
    }
}
