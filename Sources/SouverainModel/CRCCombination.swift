/// The CRC of a concatenation from the CRCs of its pieces, without their bytes: how a multipart
/// upload's full-object CRC (`x-amz-checksum-type: FULL_OBJECT`) is had from its parts' CRCs.
///
/// For a reflected CRC with all-ones initial value and final XOR (CRC32, CRC32C, CRC64NVME),
/// crc(A‖B) = crc(A)·x^(8·|B|) mod P ⊕ crc(B): the first CRC is carried past |B| zero bytes by
/// multiplication in GF(2)[x] modulo the polynomial, with x^(2^k) precomputed by squaring, so a
/// combination costs O(log |B|) multiplications, not a pass over |B| bytes (zlib's
/// `crc32_combine`, generalised to 64 bits).
public struct CRCCombination: Sendable {
    /// The reflected polynomial, its bits in the low `width` bits.
    public let polynomial: UInt64
    public let width: Int
    /// x^(2^k) mod P for k = 0..<64.
    private let powers: [UInt64]

    public static let crc32 = CRCCombination(polynomial: 0xEDB8_8320, width: 32)
    public static let crc32c = CRCCombination(polynomial: 0x82F6_3B78, width: 32)
    public static let crc64nvme = CRCCombination(polynomial: 0x9A6C_9329_AC4B_C9B5, width: 64)

    public init(polynomial: UInt64, width: Int) {
        precondition(width >= 8 && width <= 64)
        self.polynomial = polynomial
        self.width = width
        var powers: [UInt64] = []
        var power = (1 as UInt64) << (width - 2)  // x^1
        powers.append(power)
        for _ in 1..<64 {
            power = Self.multiply(power, power, polynomial: polynomial, width: width)
            powers.append(power)
        }
        self.powers = powers
    }

    /// The CRC of A‖B, given crc(A), crc(B) and the length of B in bytes.
    public func combine(_ first: UInt64, _ second: UInt64, secondLength: Int64) -> UInt64 {
        precondition(secondLength >= 0)
        return Self.multiply(shift(bytes: UInt64(secondLength)), first, polynomial: polynomial, width: width) ^ second
    }

    /// x^(8·bytes) mod P.
    private func shift(bytes: UInt64) -> UInt64 {
        var result = (1 as UInt64) << (width - 1)  // x^0
        var remaining = bytes
        var k = 3  // 2^3 bits per byte
        while remaining != 0 {
            if remaining & 1 == 1 { result = Self.multiply(powers[k & 63], result, polynomial: polynomial, width: width) }
            remaining >>= 1
            k += 1
        }
        return result
    }

    /// a·b mod P in the reflected representation (the highest bit is x^0); `a` must not be zero.
    private static func multiply(_ a: UInt64, _ b: UInt64, polynomial: UInt64, width: Int) -> UInt64 {
        var mask = (1 as UInt64) << (width - 1)
        var product: UInt64 = 0
        var b = b
        while true {
            if a & mask != 0 {
                product ^= b
                if a & (mask - 1) == 0 { break }
            }
            mask >>= 1
            b = b & 1 == 1 ? (b >> 1) ^ polynomial : b >> 1
        }
        return product
    }
}

extension ChecksumAlgorithm {
    /// How this algorithm's checksums combine into a full-object one; nil for SHA-1 and SHA-256,
    /// which do not combine.
    public var combination: CRCCombination? {
        switch self {
        case .crc32: .crc32
        case .crc32c: .crc32c
        case .crc64nvme: .crc64nvme
        case .sha1, .sha256: nil
        }
    }

    /// The full-object checksum (big-endian bytes, as S3 encodes it) of consecutive pieces, from
    /// each piece's checksum bytes and length; nil for an algorithm that does not combine or a
    /// checksum of the wrong size.
    public func combined(_ pieces: [(checksum: [UInt8], length: Int64)]) -> [UInt8]? {
        guard let combination else { return nil }
        var crc: UInt64 = 0
        for piece in pieces {
            guard piece.checksum.count == digestSize else { return nil }
            let value = piece.checksum.reduce(0 as UInt64) { $0 << 8 | UInt64($1) }
            crc = combination.combine(crc, value, secondLength: piece.length)
        }
        return (0..<digestSize).reversed().map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
    }
}

/// How a multipart object's checksum is made from its parts' (`x-amz-checksum-type`).
public enum ChecksumType: String, Sendable, Codable, Hashable, CaseIterable {
    /// The checksum of the concatenated part checksums, with a `-N` suffix (any algorithm but
    /// CRC64NVME).
    case composite = "COMPOSITE"
    /// The checksum of the whole object's bytes, combined from the parts' CRCs (CRC algorithms only).
    case fullObject = "FULL_OBJECT"

    /// What S3 uses when the upload names none: FULL_OBJECT for CRC64NVME, COMPOSITE otherwise.
    public static func defaultType(for algorithm: ChecksumAlgorithm) -> ChecksumType {
        algorithm == .crc64nvme ? .fullObject : .composite
    }

    /// Whether S3 accepts this type with `algorithm`.
    public func supports(_ algorithm: ChecksumAlgorithm) -> Bool {
        switch self {
        case .composite: algorithm != .crc64nvme
        case .fullObject: algorithm.combination != nil
        }
    }
}
