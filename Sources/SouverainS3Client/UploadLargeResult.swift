/// The outcome of `S3Client.uploadLarge`.
public struct UploadLargeResult: Sendable, Equatable {
    /// The object's entity tag, without quotes (`<md5>-<parts>` for a multipart object).
    public var etag: String
    /// The bytes uploaded.
    public var size: Int64
    /// How many parts were uploaded; 0 when the body fitted in one part and was sent as one PutObject.
    public var parts: Int
    /// The multipart upload's id; nil for a single PutObject.
    public var uploadID: String?
    /// The version the upload made, on a versioned bucket (`x-amz-version-id`).
    public var versionID: String?

    /// Creates a result.
    public init(etag: String, size: Int64, parts: Int, uploadID: String?, versionID: String? = nil) {
        self.etag = etag
        self.size = size
        self.parts = parts
        self.uploadID = uploadID
        self.versionID = versionID
    }
}
