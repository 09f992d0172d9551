import Crypto
import Foundation
import NIOCore
public import SouverainCatalogue
import SouverainKeys
import SouverainStorage

/// A new blob on its way to a location: through its own data key's chunked encryption when the
/// store encrypts (docs/encryption-format.md), in clear otherwise.
struct SealedBlobWriter {
    let writer: any BlobWriter
    private var sealer: BlobSealer?
    private var encryption: BlobEncryption?

    init(
        writer: any BlobWriter, bucket: String, keys: BucketKeys?, customerKey: CustomerKey? = nil, namedKey: String? = nil
    ) async throws {
        self.writer = writer
        let blob: (dataKey: SymmetricKey, encryption: BlobEncryption)
        if let namedKey, customerKey == nil {
            guard let keys else {
                throw EngineError(.unavailable, "an object under a named key cannot be written: this server runs without a key store")
            }
            blob = try await keys.named.newBlobKey(keyID: namedKey, chunkSize: BlobFormat.defaultChunkSize)
        } else if let customerKey {
            // SSE-C: the client's key wraps the data key; no bucket key is involved.
            blob = try BlobEncryption.newBlob(
                wrappedBy: customerKey.key, bucketKeyVersion: 0, chunkSize: BlobFormat.defaultChunkSize, customerKeyMD5: customerKey.md5)
        } else if let keys {
            blob = try await keys.newBlobKey(bucket: bucket, chunkSize: BlobFormat.defaultChunkSize)
        } else {
            return
        }
        // An SSE-C blob's key is not kept past the request (BlobKeyCache).
        sealer = try BlobSealer(
            dataKey: blob.dataKey, identity: try BlobIdentity(hex: blob.encryption.identity), chunkSize: blob.encryption.chunkSize,
            keys: customerKey == nil ? .shared : nil)
        encryption = blob.encryption
    }

    mutating func write(_ plaintext: ByteBuffer) async throws {
        guard var sealer else { return try await writer.write(plaintext) }
        defer { self.sealer = sealer }
        guard let gathering = writer as? any GatheringBlobWriter, gathering.gathers else {
            let sealed = try sealer.seal(plaintext)
            if let sealed, sealed.readableBytes > 0 { try await writer.write(sealed) }
            return
        }
        // Each chunk is sealed straight into the disk batch; one that would straddle two batches
        // goes through a buffer of its own.
        var input = plaintext
        while let count = try sealer.nextPiece(from: &input) {
            if try gathering.gather(count: count, { try sealer.writePiece(into: $0) }) {
                try await gathering.writeGathered()
            } else {
                var piece = ByteBuffer()
                try piece.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { space in
                    try sealer.writePiece(into: UnsafeMutableRawBufferPointer(rebasing: space[..<count]))
                    return count
                }
                try await writer.write(piece)
            }
        }
    }

    /// Writes the last chunk, makes the blob durable and returns it as the catalogue records it.
    mutating func commit(plaintextSize: Int64) async throws -> BlobSegment {
        var expected = plaintextSize
        if let last = try sealer?.finish() {
            try await writer.write(last)
            expected = sealer?.encryptedSize ?? expected
            encryption?.storedSize = expected
        }
        let stored = try await writer.commit()
        guard stored == expected else {
            throw EngineError(.internalError, "blob \(writer.locator) holds \(stored) bytes, \(expected) were written")
        }
        return BlobSegment(locator: writer.locator, size: plaintextSize, encryption: encryption)
    }

    func abort() async {
        await writer.abort()
    }
}

extension ObjectStore {
    /// Checks, before any byte of a response is sent, that the object's keys can be had: a
    /// shredded bucket or an unreachable key store is then a proper error response rather than a
    /// body cut short.
    /// (The customer key of an SSE-C object is checked by `checkCustomerKey`, which HEAD needs too.)
    public func checkReadable(_ record: ObjectRecord) async throws {
        let encrypted = record.segments.compactMap { $0.encryption }.filter { $0.customerKeyMD5 == nil }
        guard !encrypted.isEmpty else { return }
        guard let keys else {
            throw EngineError(.unavailable, "an encrypted object cannot be read: this server runs without a key store")
        }
        let versions = Set(encrypted.filter { $0.keyID == nil }.map(\.bucketKeyVersion))
        if !versions.isEmpty { try await keys.checkReadable(bucket: record.bucket, versions: versions) }
        for (keyID, blobs) in Dictionary(grouping: encrypted.filter { $0.keyID != nil }, by: { $0.keyID! }) {
            try await keys.named.checkReadable(keyID: keyID, versions: Set(blobs.map(\.bucketKeyVersion)))
        }
    }

    /// Streams the plaintext of `range` (relative to the segment) of one blob of `bucket` to
    /// `consumer`, decrypting and authenticating chunk by chunk: a damaged, reordered, truncated
    /// or foreign chunk fails the read before any of its bytes are passed on.
    /// SSE-C: an object written with a customer key is read only with that key; a HEAD checks it too.
    public func checkCustomerKey(_ record: ObjectRecord, _ customerKey: CustomerKey?) throws {
        guard let expected = record.segments.lazy.compactMap({ $0.encryption?.customerKeyMD5 }).first else {
            if customerKey != nil {
                throw EngineError(.invalidArgument, "The object was not stored with a customer-provided key: send none to read it.")
            }
            return
        }
        guard let customerKey else {
            throw EngineError(.invalidArgument, "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
        }
        guard customerKey.md5 == expected else {
            throw EngineError(.accessDenied, "The provided customer key does not match the key the object was stored with.")
        }
    }

    func readSegment(
        _ segment: BlobSegment, bucket: String, at location: any Location, range: Range<Int64>, customerKey: CustomerKey?,
        into consumer: (ByteBuffer) async throws -> Void
    ) async throws {
        // Nothing to read (a read that failed over after its last byte): no blob to open.
        guard !range.isEmpty else { return }
        guard let encryption = segment.encryption else {
            try await location.read(locator: segment.locator, range: range, chunkSize: ObjectStore.readChunkSize, into: consumer)
            return
        }
        let dataKey: SymmetricKey
        if let md5 = encryption.customerKeyMD5 {
            guard let customerKey, customerKey.md5 == md5 else {
                throw EngineError(.accessDenied, "The provided customer key does not match the key the object was stored with.")
            }
            dataKey = try encryption.dataKey(unwrappingWith: customerKey.key)
        } else {
            guard let keys else {
                throw EngineError(.unavailable, "an encrypted object cannot be read: this server runs without a key store")
            }
            dataKey = try await keys.dataKey(bucket: bucket, encryption)
        }
        let identity = try BlobIdentity(hex: encryption.identity)
        let keyCache: BlobKeyCache? = encryption.customerKeyMD5 == nil ? .shared : nil
        let chunk = ObjectStore.readChunkSize
        if range == 0..<segment.size {
            // The whole blob in one read, header first.
            var opener = try BlobOpener.wholeBlob(
                dataKey: dataKey, expectedIdentity: identity, plaintextSize: segment.size, keys: keyCache)
            try await location.read(locator: segment.locator, range: nil, chunkSize: chunk) { piece in
                let plaintext = try opener.open(piece)
                if plaintext.readableBytes > 0 { try await consumer(plaintext) }
            }
            try opener.finish()
            return
        }
        var header = ByteBuffer()
        try await location.read(locator: segment.locator, range: ChunkSpan.headerRange, chunkSize: chunk) { header.writeImmutableBuffer($0) }
        var opener = try BlobOpener(
            header: header, dataKey: dataKey, expectedIdentity: identity, plaintextSize: segment.size, plaintextRange: range,
            keys: keyCache)
        guard let span = opener.span else { throw EngineError(.internalError, "no chunk span for a range read") }
        try await location.read(locator: segment.locator, range: span.encryptedRange, chunkSize: chunk) { piece in
            let plaintext = try opener.open(piece)
            if plaintext.readableBytes > 0 { try await consumer(plaintext) }
        }
        try opener.finish()
    }
}
