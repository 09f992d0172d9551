import NIOHTTP1

/// What the server says after storing an object or a part.
public struct PutObjectResult: Sendable, Equatable {
    /// The entity tag, without quotes.
    public var etag: String?
    public var versionID: String?
    public var requestID: String?

    /// Creates a result.
    public init(etag: String?, versionID: String? = nil, requestID: String? = nil) {
        self.etag = etag
        self.versionID = versionID
        self.requestID = requestID
    }

    init(headers: HTTPHeaders) {
        self.init(
            etag: headers.first(name: "etag").map(ObjectHead.unquoted), versionID: headers.first(name: "x-amz-version-id"),
            requestID: headers.first(name: "x-amz-request-id"))
    }
}
