import CChunkAEAD
import Crypto
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Seals and opens the chunks of one blob: the blob key, the nonce and the associated data.
///
/// Shared by ``BlobSealer`` and ``BlobOpener``. The blob key is derived once; the nonce and the
/// associated data live in two small arrays that are rewritten in place for every chunk.
///
/// Where swift-crypto runs on BoringSSL (Linux), chunks go through ``ChunkAEAD``, straight from
/// the caller's buffer into the output buffer. Elsewhere they go through swift-crypto's
/// `AES.GCM`, which copies each chunk into a `SealedBox` and its result out of a `Data`. Both are
/// the same AES-256-GCM and produce the same bytes (a test checks one against the other).
struct ChunkCipher: Sendable {
    private let blobKey: SymmetricKey
    private let aead: ChunkAEAD?
    /// The 28 header bytes, then the chunk index (8 bytes, big-endian), then the final flag.
    private var associatedData: [UInt8]
    /// Four zero bytes, then the chunk index (8 bytes, big-endian).
    private var nonce: [UInt8]

    private static let indexOffset = BlobFormat.headerByteCount
    private static let finalFlagOffset = BlobFormat.headerByteCount + 8

    init(header: BlobHeader, dataKey: SymmetricKey, allowInPlace: Bool = true) throws {
        self.init(header: header, key: try BlobKey(dataKey: dataKey, identity: header.identity, allowInPlace: allowInPlace))
    }

    init(header: BlobHeader, key: BlobKey) {
        self.blobKey = key.symmetric
        self.aead = key.aead
        var associatedData: [UInt8] = []
        associatedData.reserveCapacity(BlobFormat.headerByteCount + 9)
        associatedData.append(contentsOf: header.encoded().readableBytesView)
        associatedData.append(contentsOf: repeatElement(0, count: 9))
        self.associatedData = associatedData
        self.nonce = [UInt8](repeating: 0, count: BlobFormat.nonceByteCount)
    }

    private mutating func prepare(index: UInt64, isFinal: Bool) {
        for byte in 0..<8 {
            let value = UInt8(truncatingIfNeeded: index >> (56 - 8 * byte))
            nonce[4 + byte] = value
            associatedData[Self.indexOffset + byte] = value
        }
        associatedData[Self.finalFlagOffset] = isFinal ? 1 : 0
    }

    /// Seals one chunk into `destination`, which is exactly its ciphertext and tag
    /// (`plaintext.count` + 16 bytes).
    mutating func seal(
        _ plaintext: UnsafeRawBufferPointer,
        index: UInt64,
        isFinal: Bool,
        into destination: UnsafeMutableRawBufferPointer
    ) throws {
        precondition(destination.count == plaintext.count + BlobFormat.tagByteCount, "a sealed chunk is its plaintext and a tag")
        prepare(index: index, isFinal: isFinal)
        if let aead {
            guard aead.seal(plaintext, nonce: nonce, associatedData: associatedData, into: destination) else {
                throw KeysError(.invalidArgument, "sealing chunk \(index) failed")
            }
            return
        }
        do {
            let box = try AES.GCM.seal(plaintext, using: blobKey, nonce: AES.GCM.Nonce(data: nonce), authenticating: associatedData)
            // With a 12-byte nonce the combined form exists: nonce, ciphertext, tag, contiguous.
            guard let combined = box.combined else {
                throw KeysError(.invalidArgument, "AES-GCM gave no combined form for a 12-byte nonce")
            }
            combined.withUnsafeBytes { bytes in
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[BlobFormat.nonceByteCount...]))
            }
        } catch let error as KeysError {
            throw error
        } catch {
            throw KeysError(.invalidArgument, "sealing chunk \(index) failed", cause: error)
        }
    }

    /// Seals one chunk whose plaintext lies in two parts, `first` then `second`, into
    /// `destination` (both parts' size + 16 bytes): the same bytes as sealing them joined,
    /// without joining them where ``ChunkAEAD`` runs.
    mutating func seal(
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        index: UInt64,
        isFinal: Bool,
        into destination: UnsafeMutableRawBufferPointer
    ) throws {
        precondition(destination.count == first.count + second.count + BlobFormat.tagByteCount, "a sealed chunk is its plaintext and a tag")
        if let aead {
            prepare(index: index, isFinal: isFinal)
            guard aead.seal(first, second, nonce: nonce, associatedData: associatedData, into: destination) else {
                throw KeysError(.invalidArgument, "sealing chunk \(index) failed")
            }
            return
        }
        let joined = Array(first) + Array(second)
        try joined.withUnsafeBytes { try seal($0, index: index, isFinal: isFinal, into: destination) }
    }

    /// Seals one chunk held as `BlobSealer` holds it, in one buffer or, when it straddled two
    /// pieces, in `first` then `second`, into `destination` (its ciphertext and tag).
    mutating func seal(
        _ first: ByteBuffer, _ second: ByteBuffer?, index: UInt64, isFinal: Bool, into destination: UnsafeMutableRawBufferPointer
    ) throws {
        try first.withUnsafeReadableBytes { first in
            guard let second else { return try seal(first, index: index, isFinal: isFinal, into: destination) }
            try second.withUnsafeReadableBytes { try seal(first, $0, index: index, isFinal: isFinal, into: destination) }
        }
    }

    /// Opens one chunk (its ciphertext followed by its tag) and appends the plaintext bytes in
    /// `keep` (offsets within the chunk's plaintext) to `output`. Appends nothing if it fails.
    mutating func open(
        _ sealedChunk: UnsafeRawBufferPointer,
        index: UInt64,
        isFinal: Bool,
        keep: Range<Int>,
        into output: inout ByteBuffer
    ) throws {
        prepare(index: index, isFinal: isFinal)
        let ciphertextCount = sealedChunk.count - BlobFormat.tagByteCount
        if let aead {
            // Decrypted where it will be sent from; the bytes before `keep` are then slid over.
            var opened = true
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: max(ciphertextCount, 0)) { out in
                guard aead.open(sealedChunk, nonce: nonce, associatedData: associatedData, into: out) else {
                    opened = false
                    return 0
                }
                if keep.lowerBound > 0, !keep.isEmpty {
                    out.baseAddress!.copyMemory(from: out.baseAddress! + keep.lowerBound, byteCount: keep.count)
                }
                return keep.count
            }
            guard opened else { throw Self.authenticationFailure(index: index, cause: nil) }
            return
        }
        let plaintext: Data
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonce),
                ciphertext: UnsafeRawBufferPointer(rebasing: sealedChunk[..<ciphertextCount]),
                tag: UnsafeRawBufferPointer(rebasing: sealedChunk[ciphertextCount...])
            )
            plaintext = try AES.GCM.open(box, using: blobKey, authenticating: associatedData)
        } catch {
            throw Self.authenticationFailure(index: index, cause: error)
        }
        plaintext.withUnsafeBytes { bytes in
            _ = output.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[keep]))
        }
    }

    private static func authenticationFailure(index: UInt64, cause: (any Error)?) -> KeysError {
        KeysError(
            .integrity,
            "chunk \(index) of the blob failed authentication: the blob was modified, truncated, reordered or mixed with another, or the key is wrong",
            cause: cause
        )
    }
}

/// AES-256-GCM on caller-owned memory (the `CChunkAEAD` C target): one context per blob key,
/// freed with it. `nil` where the platform's swift-crypto is not built on BoringSSL.
///
/// A context is only read after it is made, which BoringSSL allows from several threads at once.
final class ChunkAEAD: @unchecked Sendable {
    private let context: OpaquePointer

    init?(key: SymmetricKey) {
        guard souverain_aead_available() == 1 else { return nil }
        let context = key.withUnsafeBytes { bytes in
            souverain_aead_new(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        guard let context else { return nil }
        self.context = context
    }

    deinit { souverain_aead_free(context) }

    /// Writes ciphertext then tag (`plaintext.count + 16` bytes) to the start of `out`.
    func seal(_ plaintext: UnsafeRawBufferPointer, nonce: [UInt8], associatedData: [UInt8], into out: UnsafeMutableRawBufferPointer) -> Bool {
        seal(plaintext, UnsafeRawBufferPointer(start: nil, count: 0), nonce: nonce, associatedData: associatedData, into: out)
    }

    /// As `seal`, for a plaintext in two parts: the ciphertext of `first` then `second`, then the tag.
    func seal(
        _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, nonce: [UInt8], associatedData: [UInt8],
        into out: UnsafeMutableRawBufferPointer
    ) -> Bool {
        nonce.withUnsafeBufferPointer { nonce in
            associatedData.withUnsafeBufferPointer { ad in
                souverain_aead_seal_two(
                    context, out.baseAddress?.assumingMemoryBound(to: UInt8.self), out.count,
                    nonce.baseAddress, nonce.count,
                    first.baseAddress?.assumingMemoryBound(to: UInt8.self), first.count,
                    second.baseAddress?.assumingMemoryBound(to: UInt8.self), second.count,
                    ad.baseAddress, ad.count
                ) == 1
            }
        }
    }

    /// Writes the plaintext (`sealed.count - 16` bytes) to the start of `out` if the tag verifies.
    func open(_ sealed: UnsafeRawBufferPointer, nonce: [UInt8], associatedData: [UInt8], into out: UnsafeMutableRawBufferPointer) -> Bool {
        nonce.withUnsafeBufferPointer { nonce in
            associatedData.withUnsafeBufferPointer { ad in
                souverain_aead_open(
                    context, out.baseAddress?.assumingMemoryBound(to: UInt8.self), out.count,
                    nonce.baseAddress, nonce.count,
                    sealed.baseAddress?.assumingMemoryBound(to: UInt8.self), sealed.count,
                    ad.baseAddress, ad.count
                ) == 1
            }
        }
    }
}
