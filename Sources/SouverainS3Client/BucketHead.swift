import NIOHTTP1

/// What HeadBucket says about a bucket.
public struct BucketHead: Sendable {
    /// `x-amz-bucket-region`, when the server sends it.
    public var region: String?
    /// Every header as received (a Souverain server adds `x-souverain-classification`).
    public var headers: [(name: String, value: String)]

    /// The first header named `name` (compared case-insensitively).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    init(headers: HTTPHeaders) {
        self.region = headers.first(name: "x-amz-bucket-region")
        self.headers = headers.map { (name: $0.name, value: $0.value) }
    }
}
