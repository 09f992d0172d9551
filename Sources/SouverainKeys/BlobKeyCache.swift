import CChunkAEAD
import Crypto
import Synchronization

/// One blob's key, derived from a data key and the blob's identity, with its AES-GCM context.
final class BlobKey: Sendable {
    let symmetric: SymmetricKey
    /// `nil` where chunks go through swift-crypto's `AES.GCM` (see ``ChunkCipher``).
    let aead: ChunkAEAD?

    /// HKDF-SHA256 of the data key, salted with the blob's identity (``BlobFormat``).
    init(dataKey: SymmetricKey, identity: BlobIdentity, allowInPlace: Bool = true) throws {
        guard dataKey.bitCount == BlobFormat.dataKeyByteCount * 8 else {
            throw KeysError(
                .invalidArgument,
                "a data key is \(BlobFormat.dataKeyByteCount) bytes, got \(dataKey.bitCount / 8); pass the unwrapped data key"
            )
        }
        symmetric = Self.derive(dataKey: dataKey, salt: identity.bytes) ?? HKDF<SHA256>.deriveKey(
            inputKeyMaterial: dataKey,
            salt: identity.bytes,
            info: Self.info,
            outputByteCount: 32
        )
        aead = allowInPlace ? ChunkAEAD(key: symmetric) : nil
    }

    private static let info = Array(BlobFormat.keyDerivationInfo.utf8)

    /// The same HKDF-SHA256 through BoringSSL's own (`CChunkAEAD`), where swift-crypto is built on
    /// it: a fifth of the CPU of swift-crypto's generic `HKDF` (0.27% of the server's CPU against
    /// 1.32%, small PUTs then GETs of 12,000 keys, more than the cache holds), paid by every blob
    /// written and every read of a blob whose key is not held. nil elsewhere. The derived bytes on
    /// the stack are wiped.
    private static func derive(dataKey: SymmetricKey, salt: [UInt8]) -> SymmetricKey? {
        guard souverain_aead_available() == 1 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { out -> SymmetricKey? in
            defer { out.initialize(repeating: 0) }
            let derived = dataKey.withUnsafeBytes { secret in
                souverain_hkdf_sha256(
                    out.baseAddress, 32, secret.baseAddress?.assumingMemoryBound(to: UInt8.self), secret.count,
                    salt, salt.count, info, info.count) == 1
            }
            return derived ? SymmetricKey(data: UnsafeRawBufferPointer(out)) : nil
        }
    }

    /// The key held in `cache` (derived and held there if need be), or derived when there is none.
    static func of(dataKey: SymmetricKey, identity: BlobIdentity, cache: BlobKeyCache?) throws -> BlobKey {
        try cache?.key(dataKey: dataKey, identity: identity) ?? BlobKey(dataKey: dataKey, identity: identity)
    }
}

/// The keys of the blobs sealed or opened lately, so that reading a small object again does not
/// derive its key again: on a 4 KiB GET the derivation and its AES-GCM context were 3.5% of the
/// server's CPU (docs/benchmarks.md, issue 18's ninth round).
///
/// A key is found only by the blob's identity *and* the data key it was derived from, compared
/// whole: the cache is a memo of a pure function, and whoever asks already holds the data key.
/// It never lets a read through that could not derive the key itself. Keys of objects under a
/// customer's key (SSE-C) are never put here: the server keeps no key of theirs past the request.
/// Holds at most `capacity` keys; the oldest goes first. Emptied when keys are forgotten
/// (crypto-shredding, a key store that can no longer be confirmed).
public final class BlobKeyCache: Sendable {
    /// The process's cache, used by the engine for every blob it seals or opens under its keys.
    public static let shared = BlobKeyCache(capacity: 4096)

    private struct Entry: Sendable {
        let dataKey: SymmetricKey
        let key: BlobKey
    }

    public let capacity: Int
    private let state: Mutex<BoundedMemo<BlobIdentity, Entry>>

    public init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(BoundedMemo(capacity: capacity))
    }

    /// How many keys are held.
    public var count: Int { state.withLock { $0.count } }

    /// Whether the key of blob `identity` is held (under any data key).
    public func holds(_ identity: BlobIdentity) -> Bool {
        state.withLock { $0[identity] != nil }
    }

    /// The key of blob `identity` under `dataKey`: the held one, or a new derivation, then held.
    func key(dataKey: SymmetricKey, identity: BlobIdentity) throws -> BlobKey {
        if let held = state.withLock({ $0[identity] }), held.dataKey == dataKey { return held.key }
        let key = try BlobKey(dataKey: dataKey, identity: identity)
        state.withLock { $0.set(Entry(dataKey: dataKey, key: key), for: identity) }
        return key
    }

    /// Drops every key.
    public func removeAll() {
        state.withLock { $0.removeAll() }
    }
}
