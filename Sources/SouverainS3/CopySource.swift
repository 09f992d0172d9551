import Foundation

/// The source of a copy, from `x-amz-copy-source`.
public struct CopySource: Sendable, Equatable {
    public var bucket: String
    public var key: String
    public var versionID: String?

    public init(bucket: String, key: String, versionID: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.versionID = versionID
    }

    /// Reads "bucket/key", "/bucket/key" or either with "?versionId=...": the bucket and key
    /// are percent-decoded ('+' stays a plus). An access point ARN is not recognised.
    public static func parse(_ header: String) throws(S3Error) -> CopySource {
        var raw = Substring(header)
        var versionID: String?
        if let range = raw.range(of: "?versionId=", options: .backwards) {
            let rawVersion = raw[range.upperBound...]
            guard let decoded = S3URLEncoding.decode(String(rawVersion)) else {
                throw S3Error(.invalidArgument, "The version ID in x-amz-copy-source is not valid percent-encoded UTF-8.")
            }
            versionID = decoded.isEmpty ? nil : decoded
            raw = raw[..<range.lowerBound]
        }
        guard let decoded = S3URLEncoding.decode(String(raw)) else {
            throw S3Error(.invalidArgument, "x-amz-copy-source is not valid percent-encoded UTF-8.")
        }
        var path = Substring(decoded)
        if path.hasPrefix("/") { path = path.dropFirst() }
        guard let slash = path.firstIndex(of: "/"), slash != path.startIndex,
              path.index(after: slash) != path.endIndex
        else {
            throw S3Error(.invalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.")
        }
        let key = String(path[path.index(after: slash)...])
        guard key.utf8.count <= S3Operation.maximumKeyLength else {
            throw S3Error(.keyTooLongError, "The copy source key is longer than \(S3Operation.maximumKeyLength) bytes.")
        }
        return CopySource(bucket: String(path[..<slash]), key: key, versionID: versionID)
    }
}
