import Foundation
public import SouverainCatalogue
public import SouverainModel

extension ObjectStore {
    /// The checksum type of an upload: the one it was created with, else S3's default for its
    /// algorithm; nil without an algorithm.
    public static func checksumType(of upload: UploadRecord) -> ChecksumType? {
        upload.checksumAlgorithm.map { upload.metadata.checksumType ?? ChecksumType.defaultType(for: $0) }
    }

    /// The object checksum of a completed upload, from its parts' checksums (base64):
    /// - COMPOSITE: the checksum of the concatenated binary part checksums, then `-N`;
    /// - FULL_OBJECT: the CRC of the whole object, combined from the parts' CRCs and sizes
    ///   (`CRCCombination`), without reading a byte of the object.
    /// None when the upload has no algorithm or a part lacks its checksum.
    static func multipartChecksums(_ upload: UploadRecord, _ parts: [PartRecord]) -> [ChecksumAlgorithm: String] {
        guard let algorithm = upload.checksumAlgorithm, let type = checksumType(of: upload) else { return [:] }
        var pieces: [(checksum: [UInt8], length: Int64)] = []
        for part in parts {
            guard let value = part.checksums[algorithm], let raw = Data(base64Encoded: value) else { return [:] }
            pieces.append((Array(raw), part.size))
        }
        switch type {
        case .composite:
            let concatenated = pieces.flatMap(\.checksum)
            return [algorithm: Data(algorithm.checksum(of: concatenated)).base64EncodedString() + "-\(parts.count)"]
        case .fullObject:
            guard let combined = algorithm.combined(pieces) else { return [:] }
            return [algorithm: Data(combined).base64EncodedString()]
        }
    }
}
