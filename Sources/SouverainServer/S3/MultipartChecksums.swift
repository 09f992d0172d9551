import Foundation
import HTTPTypes
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

/// The checksum headers of a multipart upload: the type chosen at creation
/// (`x-amz-checksum-type`), and the object checksum a completion may state.
enum MultipartChecksums {
    /// The checksum type CreateMultipartUpload asks for, checked against the algorithm as S3
    /// checks it; S3's default for the algorithm when the header is absent, nil without algorithm.
    static func requestedType(_ head: S3RequestHead, algorithm: ChecksumAlgorithm?) throws -> ChecksumType? {
        guard let raw = head.header("x-amz-checksum-type") else {
            return algorithm.map(ChecksumType.defaultType(for:))
        }
        guard let type = ChecksumType(rawValue: raw.uppercased()) else {
            throw S3Error(.invalidRequest, "Value for x-amz-checksum-type header is invalid.")
        }
        guard let algorithm else {
            throw S3Error(.invalidRequest, "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
        }
        guard type.supports(algorithm) else {
            throw S3Error(.invalidRequest, "The \(type.rawValue) checksum type cannot be used with the \(algorithm.rawValue.lowercased()) checksum algorithm.")
        }
        return type
    }

    /// What CompleteMultipartUpload checks once the object's checksums are computed:
    /// - a stated `x-amz-checksum-<algorithm>` must be the upload's algorithm and equal the
    ///   computed value (a composite one with or without its `-N` suffix): BadDigest otherwise;
    /// - a stated `x-amz-checksum-type` must be the upload's type (BadDigest, as AWS documents);
    /// - a stated `x-amz-mp-object-size` must be the object's size (InvalidRequest).
    static func completionCheck(_ head: S3RequestHead, upload: UploadRecord) throws
        -> @Sendable ([ChecksumAlgorithm: String], Int64) throws -> Void
    {
        let uploadType = ObjectStore.checksumType(of: upload)
        if let raw = head.header("x-amz-checksum-type") {
            guard let stated = ChecksumType(rawValue: raw.uppercased()) else {
                throw S3Error(.invalidRequest, "Value for x-amz-checksum-type header is invalid.")
            }
            guard stated == uploadType else {
                throw S3Error(.badDigest, "The upload was created using the \(uploadType?.rawValue ?? "null") checksum mode. The complete request must use the same checksum mode.")
            }
        }
        var stated: [ChecksumAlgorithm: String] = [:]
        for algorithm in ChecksumAlgorithm.allCases {
            guard let value = head.header(algorithm.headerName) else { continue }
            guard algorithm == upload.checksumAlgorithm else {
                let created = upload.checksumAlgorithm.map { "using a \($0.rawValue.lowercased()) checksum" } ?? "without a checksum algorithm"
                throw S3Error(.invalidRequest, "The upload was created \(created). The complete request must use the same checksum algorithm.")
            }
            stated[algorithm] = value.trimmingCharacters(in: .whitespaces)
        }
        var statedSize: Int64?
        if let raw = head.header("x-amz-mp-object-size") {
            guard let size = Int64(raw), size >= 0 else {
                throw S3Error(.invalidRequest, "The x-amz-mp-object-size header value \(raw) is not a size.")
            }
            statedSize = size
        }
        return { [stated, statedSize] checksums, size in
            if let statedSize, statedSize != size {
                throw S3Error(.invalidRequest, "The provided 'x-amz-mp-object-size' header value \(statedSize) does not match what was computed: \(size)")
            }
            for (algorithm, value) in stated {
                guard let computed = checksums[algorithm], MultipartChecksums.matches(stated: value, computed: computed) else {
                    throw S3Error(.badDigest, "The \(algorithm.rawValue.lowercased()) you specified did not match the calculated checksum.")
                }
            }
        }
    }

    /// A stated checksum names the computed one: the same value, or a composite one without its
    /// `-N` suffix, or with the right one.
    static func matches(stated: String, computed: String) -> Bool {
        if stated == computed { return true }
        guard let dash = computed.lastIndex(of: "-") else { return false }
        return stated == computed[..<dash]
    }

    /// `COMPOSITE` or `FULL_OBJECT`, from the form of an object's checksum values; nil without any.
    static func type(of checksums: [ChecksumAlgorithm: String]) -> ChecksumType? {
        guard !checksums.isEmpty else { return nil }
        return checksums.values.contains { $0.contains("-") } ? .composite : .fullObject
    }
}
