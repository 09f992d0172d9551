internal import Crypto
import Foundation

/// Computes, in one pass over a streamed body, the MD5 behind the S3 ETag and any additional
/// checksums the client sent or asked for.
///
/// Alone (`init(checksums:)`), it hashes synchronously with `update` and `finalize`. With
/// `MD5Lanes`, a large body's MD5 is hashed together with other uploads' running at once: bytes
/// go in through `absorb`, `handOff()` runs whenever `mustHandOff` says so, and `finish()` ends.
public struct ObjectDigest: Sendable {
    /// Exactly one of the two: the MD5 hashed here, or the stream hashed with others in lanes.
    private var alone: Insecure.MD5?
    private var laned: MD5Lanes.Stream?
    private var checksummers: [Checksummer]
    public private(set) var byteCount: Int64 = 0

    public init(checksums algorithms: Set<ChecksumAlgorithm>) {
        alone = Insecure.MD5()
        checksummers = ChecksumAlgorithm.allCases.filter(algorithms.contains).map(Checksummer.init)
    }

    /// With `lanes` nil (no lanes on this platform), the same as `init(checksums:)`.
    public init(checksums algorithms: Set<ChecksumAlgorithm>, lanes: MD5Lanes?) {
        self.init(checksums: algorithms)
        if let lanes {
            alone = nil
            laned = lanes.stream()
        }
    }

    /// Hashes `bytes`; only for a digest without lanes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(alone != nil, "update(_:) on a digest with lanes: use absorb(_:)")
        alone?.update(bufferPointer: bytes)
        for index in checksummers.indices { checksummers[index].update(bytes) }
        byteCount += Int64(bytes.count)
    }

    /// Takes as many of `bytes` as it can without waiting and returns how many: all of them,
    /// except when the MD5's job fills (`mustHandOff`). With an `owner` (the storage the bytes lie
    /// in, written by nobody while held), the lanes hash them where they lie and keep `owner`
    /// until then; without, they copy what they keep.
    public mutating func absorb(_ bytes: UnsafeRawBufferPointer, owner: AnyObject? = nil) -> Int {
        guard let laned else {
            update(bytes)
            return bytes.count
        }
        let taken = laned.absorb(bytes, owner: owner)
        let part = UnsafeRawBufferPointer(rebasing: bytes[..<taken])
        for index in checksummers.indices { checksummers[index].update(part) }
        byteCount += Int64(taken)
        return taken
    }

    /// True when `handOff()` must run before `absorb` takes more.
    public var mustHandOff: Bool {
        laned?.mustHandOff ?? false
    }

    /// Hands the MD5's full job to the lanes; waits, when the stream then holds all the jobs it
    /// may, until the oldest is hashed.
    public func handOff() async {
        await laned?.handOff()
    }

    /// The digests of the bytes; only for a digest without lanes.
    public func finalize() -> Result {
        guard let alone else { preconditionFailure("finalize() on a digest with lanes: use finish()") }
        return result(md5: Array(alone.finalize()))
    }

    /// The digests of the bytes, with or without lanes.
    public func finish() async -> Result {
        guard let laned else { return finalize() }
        return result(md5: await laned.finalize())
    }

    /// Gives up: the jobs still waiting in the lanes are dropped.
    public func abandon() {
        laned?.abandon()
    }

    private func result(md5 md5Bytes: [UInt8]) -> Result {
        var checksums: [ChecksumAlgorithm: String] = [:]
        var raw: [ChecksumAlgorithm: [UInt8]] = [:]
        for checksummer in checksummers {
            let bytes = checksummer.finalize()
            raw[checksummer.algorithm] = bytes
            checksums[checksummer.algorithm] = Data(bytes).base64EncodedString()
        }
        return Result(md5: md5Bytes, checksums: checksums, rawChecksums: raw, byteCount: byteCount)
    }

    public struct Result: Sendable {
        public let md5: [UInt8]
        /// Base64 of each checksum, as S3 headers carry them.
        public let checksums: [ChecksumAlgorithm: String]
        public let rawChecksums: [ChecksumAlgorithm: [UInt8]]
        public let byteCount: Int64
        public var md5Hex: String { Hex.encode(md5) }
        public var md5Base64: String { Data(md5).base64EncodedString() }
    }
}

/// One running checksum.
struct Checksummer: Sendable {
    let algorithm: ChecksumAlgorithm
    private var state: State

    private enum State: Sendable {
        case crc32(CRC32)
        case crc32c(CRC32C)
        case crc64(CRC64NVME)
        case sha1(Insecure.SHA1)
        case sha256(SHA256)
    }

    init(_ algorithm: ChecksumAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .crc32: state = .crc32(CRC32())
        case .crc32c: state = .crc32c(CRC32C())
        case .crc64nvme: state = .crc64(CRC64NVME())
        case .sha1: state = .sha1(Insecure.SHA1())
        case .sha256: state = .sha256(SHA256())
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .crc32(var c): c.update(bytes); state = .crc32(c)
        case .crc32c(var c): c.update(bytes); state = .crc32c(c)
        case .crc64(var c): c.update(bytes); state = .crc64(c)
        case .sha1(var h): h.update(bufferPointer: bytes); state = .sha1(h)
        case .sha256(var h): h.update(bufferPointer: bytes); state = .sha256(h)
        }
    }

    func finalize() -> [UInt8] {
        switch state {
        case .crc32(let c): c.bigEndianBytes
        case .crc32c(let c): c.bigEndianBytes
        case .crc64(let c): c.bigEndianBytes
        case .sha1(let h): Array(h.finalize())
        case .sha256(let h): Array(h.finalize())
        }
    }
}

extension ChecksumAlgorithm {
    /// The checksum of a byte string, base64: used for composite multipart checksums.
    public func checksum(of bytes: [UInt8]) -> [UInt8] {
        var checksummer = Checksummer(self)
        bytes.withUnsafeBytes { checksummer.update($0) }
        return checksummer.finalize()
    }
}

/// The multipart ETag: MD5 of the concatenated binary part MD5s, then `-N`.
public enum MultipartETag {
    public static func compute(partMD5Hexes: [String]) -> String {
        var md5 = Insecure.MD5()
        for hex in partMD5Hexes {
            guard let bytes = Hex.decode(hex) else { continue }
            md5.update(data: bytes)
        }
        return Hex.encode(Array(md5.finalize())) + "-\(partMD5Hexes.count)"
    }
}

/// Lowercase hexadecimal, formatted by hand (String(format:) is far slower on hot paths).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
