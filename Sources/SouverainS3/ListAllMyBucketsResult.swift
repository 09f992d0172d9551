public import Foundation

/// The ListBuckets response. With paging (`max-buckets`), `continuationToken` is where the next
/// page starts (absent on the last page); `prefix` echoes the request's `prefix`.
public struct ListAllMyBucketsResult: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var name: String
        public var creationDate: Date
        /// The bucket's region (`BucketRegion`), as AWS lists it; nil leaves it out.
        public var region: String?

        public init(name: String, creationDate: Date, region: String? = nil) {
            self.name = name
            self.creationDate = creationDate
            self.region = region
        }
    }

    public var owner: S3Owner
    public var buckets: [Bucket]
    public var continuationToken: String?
    public var prefix: String?

    public init(owner: S3Owner, buckets: [Bucket], continuationToken: String? = nil, prefix: String? = nil) {
        self.owner = owner
        self.buckets = buckets
        self.continuationToken = continuationToken
        self.prefix = prefix
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "ListAllMyBucketsResult")
        writer.owner("Owner", owner)
        writer.open("Buckets")
        for bucket in buckets {
            writer.open("Bucket")
            writer.element("Name", bucket.name)
            writer.element("CreationDate", bucket.creationDate)
            writer.element("BucketRegion", ifPresent: bucket.region)
            writer.close("Bucket")
        }
        writer.close("Buckets")
        writer.element("ContinuationToken", ifPresent: continuationToken)
        writer.element("Prefix", ifPresent: prefix)
        return writer.finish(closing: "ListAllMyBucketsResult")
    }
}
