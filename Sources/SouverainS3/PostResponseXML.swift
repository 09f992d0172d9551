/// The answer to a browser-form upload that asked for `success_action_status = 201`.
public struct PostResponse: Sendable, Equatable {
    public var location: String
    public var bucket: String
    public var key: String
    /// With or without quotes; written quoted.
    public var etag: String

    public init(location: String, bucket: String, key: String, etag: String) {
        self.location = location
        self.bucket = bucket
        self.key = key
        self.etag = etag
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "PostResponse", namespace: nil)
        writer.element("Location", location)
        writer.element("Bucket", bucket)
        writer.element("Key", key)
        writer.etag(etag)
        return writer.finish(closing: "PostResponse")
    }
}
