/// The additional checksums S3 clients send and ask for (`x-amz-checksum-*`).
public enum ChecksumAlgorithm: String, Sendable, CaseIterable, Codable, Hashable {
    case crc32 = "CRC32"
    case crc32c = "CRC32C"
    case crc64nvme = "CRC64NVME"
    case sha1 = "SHA1"
    case sha256 = "SHA256"

    /// The header that carries it: `x-amz-checksum-crc32`, ...
    public var headerName: String { "x-amz-checksum-\(rawValue.lowercased())" }

    /// The element name in XML bodies: `ChecksumCRC32`, ...
    public var xmlElementName: String { "Checksum\(rawValue)" }

    public init?(headerName: String) {
        let lowered = headerName.lowercased()
        guard lowered.hasPrefix("x-amz-checksum-") else { return nil }
        let suffix = lowered.dropFirst("x-amz-checksum-".count)
        guard let algorithm = ChecksumAlgorithm.allCases.first(where: { $0.rawValue.lowercased() == suffix }) else {
            return nil
        }
        self = algorithm
    }

    public init?(caseInsensitive name: String) {
        guard let algorithm = ChecksumAlgorithm.allCases.first(where: { $0.rawValue.caseInsensitiveEquals(name) }) else {
            return nil
        }
        self = algorithm
    }

    /// Size of the raw digest in bytes.
    public var digestSize: Int {
        switch self {
        case .crc32, .crc32c: 4
        case .crc64nvme: 8
        case .sha1: 20
        case .sha256: 32
        }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
