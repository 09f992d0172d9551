import Crypto
public import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Constants of the encrypted blob format, version 1.
///
/// A blob is a 28-byte plaintext header followed by chunks, each the AES-256-GCM ciphertext of
/// `chunkSize` plaintext bytes (the last one may be shorter) and its 16-byte tag. Every chunk is
/// sealed under a key derived for this blob alone and authenticates the header, its own index and
/// whether it is the final chunk. The full description, precise enough to write a reader from, is
/// `docs/encryption-format.md`.
public enum BlobFormat {
    /// The first four bytes of every blob: `SVBL`.
    public static let magic: [UInt8] = Array("SVBL".utf8)
    /// The format version this build writes and the only one it reads.
    public static let version: UInt8 = 1
    /// The size of the header in bytes.
    public static let headerByteCount = 28
    /// The size of the AES-GCM tag that follows each chunk's ciphertext.
    public static let tagByteCount = 16
    /// The size of the AES-GCM nonce: four zero bytes and the chunk index, big-endian. Not stored.
    public static let nonceByteCount = 12
    /// The size of a data key, the input of the per-blob key derivation.
    public static let dataKeyByteCount = 32
    /// The plaintext chunk size used unless the caller asks otherwise. glibc's malloc makes
    /// AES-GCM on chunks of 128 KiB or more much slower, so keep it at 64 KiB or less.
    public static let defaultChunkSize = 65_536
    /// The plaintext chunk sizes a blob may declare: 4 KiB to 1 MiB, not necessarily a power of two.
    public static let chunkSizeRange: ClosedRange<Int> = 4_096...1_048_576
    /// The HKDF `info` of the per-blob key derivation.
    public static let keyDerivationInfo = "souverain blob v1"
}

/// The authenticated cipher a blob's chunks are sealed with, as stored in the header.
public enum BlobAlgorithm: UInt8, Sendable, Hashable {
    /// AES-256-GCM with a 12-byte nonce and a 16-byte tag.
    case aes256GCM = 1
}

/// The 16 random bytes that name one blob: the salt of its key derivation and part of its header.
///
/// The catalogue records each blob's identity; a reader passes it as the identity it expects, so a
/// blob cannot be swapped for another sealed under the same data key. Never seal two blobs with
/// the same identity and the same data key: they would share a key and reuse its nonces. Draw a
/// new identity for every blob, including a retried upload.
public struct BlobIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The size of an identity in bytes.
    public static let byteCount = 16

    private let high: UInt64
    private let low: UInt64

    /// Creates an identity from exactly 16 bytes, as recorded in the catalogue.
    /// - Throws: `KeysError` with code `.invalidArgument` if there are not exactly 16 bytes.
    public init(bytes: some Collection<UInt8>) throws {
        guard bytes.count == Self.byteCount else {
            throw KeysError(
                .invalidArgument,
                "a blob identity is \(Self.byteCount) bytes, got \(bytes.count); pass the identity recorded for the blob"
            )
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (offset, byte) in bytes.enumerated() {
            if offset < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        self.high = high
        self.low = low
    }

    /// The identity written as `description` gives it: 32 hexadecimal digits.
    public init(hex: String) throws {
        let digits = Array(hex.utf8)
        guard digits.count == 2 * Self.byteCount else {
            throw KeysError(.invalidArgument, "a blob identity is \(2 * Self.byteCount) hexadecimal digits, got \(digits.count)")
        }
        func value(_ digit: UInt8) throws -> UInt8 {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: throw KeysError(.invalidArgument, "a blob identity is hexadecimal")
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for index in stride(from: 0, to: digits.count, by: 2) {
            bytes.append(try value(digits[index]) << 4 | value(digits[index + 1]))
        }
        try self.init(bytes: bytes)
    }

    private init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new identity drawn from `generator`, for tests that need reproducible blobs.
    public static func random(using generator: inout some RandomNumberGenerator) -> BlobIdentity {
        BlobIdentity(high: generator.next(), low: generator.next())
    }

    /// A new identity drawn from the system's cryptographically secure generator.
    public static func random() -> BlobIdentity {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The 16 bytes, in the order they appear in the header.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        withUnsafeBytes(of: high.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// The 16 bytes in lowercase hexadecimal (32 characters).
    public var description: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * Self.byteCount)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(high, endianness: .big)
        buffer.writeInteger(low, endianness: .big)
    }

    static func read(from buffer: inout ByteBuffer) -> BlobIdentity? {
        guard let high = buffer.readInteger(endianness: .big, as: UInt64.self),
            let low = buffer.readInteger(endianness: .big, as: UInt64.self)
        else { return nil }
        return BlobIdentity(high: high, low: low)
    }
}

/// The 28-byte plaintext header at the start of every blob.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `SVBL` |
/// | 4 | 1 | format version, 1 |
/// | 5 | 1 | algorithm, 1 = AES-256-GCM |
/// | 6 | 2 | reserved, 0 |
/// | 8 | 4 | plaintext chunk size, big-endian |
/// | 12 | 16 | blob identity |
///
/// The header is not authenticated on its own: every chunk authenticates it, so a modified header
/// fails when the first chunk is opened.
public struct BlobHeader: Hashable, Sendable {
    /// The cipher of the chunks.
    public let algorithm: BlobAlgorithm
    /// The number of plaintext bytes in every chunk but the last.
    public let chunkSize: Int
    /// The identity of the blob, the salt of its key derivation.
    public let identity: BlobIdentity

    /// Creates the header of a new blob.
    /// - Throws: `KeysError` with code `.invalidArgument` if `chunkSize` is outside
    ///   ``BlobFormat/chunkSizeRange``.
    public init(chunkSize: Int = BlobFormat.defaultChunkSize, identity: BlobIdentity) throws {
        guard BlobFormat.chunkSizeRange.contains(chunkSize) else {
            throw KeysError(
                .invalidArgument,
                "chunk size \(chunkSize) is outside \(BlobFormat.chunkSizeRange.lowerBound)...\(BlobFormat.chunkSizeRange.upperBound) bytes; use the default of \(BlobFormat.defaultChunkSize)"
            )
        }
        self.algorithm = .aes256GCM
        self.chunkSize = chunkSize
        self.identity = identity
    }

    /// Decodes a header from exactly 28 bytes, the first bytes of a blob.
    ///
    /// The header is checked for shape only: whether it belongs to the blob the caller expects is
    /// known once a chunk authenticates it.
    /// - Throws: `KeysError` with code `.unsupportedFormat` for a version or an algorithm this
    ///   build does not know; `.integrity` for fewer than 28 bytes, a wrong magic, a non-zero
    ///   reserved field or a chunk size no writer produces (the blob is damaged or not a blob);
    ///   `.invalidArgument` for more than 28 bytes.
    public init(decoding bytes: ByteBuffer) throws {
        guard bytes.readableBytes <= BlobFormat.headerByteCount else {
            throw KeysError(
                .invalidArgument,
                "a blob header is \(BlobFormat.headerByteCount) bytes, got \(bytes.readableBytes); pass only the header"
            )
        }
        guard bytes.readableBytes == BlobFormat.headerByteCount else {
            throw KeysError(
                .integrity,
                "the blob is shorter than its \(BlobFormat.headerByteCount)-byte header (\(bytes.readableBytes) bytes): it was truncated"
            )
        }
        var reader = bytes
        guard reader.readBytes(length: 4) == BlobFormat.magic else {
            throw KeysError(.integrity, "the blob does not start with the magic SVBL: it is damaged or not a blob")
        }
        let version = reader.readInteger(as: UInt8.self)!
        guard version == BlobFormat.version else {
            throw KeysError(
                .unsupportedFormat,
                "blob format version \(version) is unknown to this build, which reads version \(BlobFormat.version); upgrade to read it"
            )
        }
        let algorithmByte = reader.readInteger(as: UInt8.self)!
        guard let algorithm = BlobAlgorithm(rawValue: algorithmByte) else {
            throw KeysError(
                .unsupportedFormat,
                "blob algorithm \(algorithmByte) is unknown to this build, which reads 1 (AES-256-GCM); upgrade to read it"
            )
        }
        guard reader.readInteger(endianness: .big, as: UInt16.self)! == 0 else {
            throw KeysError(.integrity, "the reserved field of the blob header is not zero: the header is damaged")
        }
        let chunkSize = Int(reader.readInteger(endianness: .big, as: UInt32.self)!)
        guard BlobFormat.chunkSizeRange.contains(chunkSize) else {
            throw KeysError(
                .integrity,
                "the blob header declares a chunk size of \(chunkSize) bytes, which no writer produces: the header is damaged"
            )
        }
        self.algorithm = algorithm
        self.chunkSize = chunkSize
        self.identity = BlobIdentity.read(from: &reader)!
    }

    /// The 28 bytes of the header, as written at the start of the blob.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(BlobFormat.headerByteCount)
        write(to: &buffer)
        return buffer
    }

    /// Appends the 28 bytes of the header to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeBytes(BlobFormat.magic)
        buffer.writeInteger(BlobFormat.version)
        buffer.writeInteger(algorithm.rawValue)
        buffer.writeInteger(UInt16(0), endianness: .big)
        buffer.writeInteger(UInt32(chunkSize), endianness: .big)
        identity.write(to: &buffer)
    }

    /// The size and range arithmetic of blobs with this header's chunk size.
    public var layout: BlobLayout {
        // The chunk size was checked when the header was made or decoded.
        try! BlobLayout(chunkSize: chunkSize)
    }
}
