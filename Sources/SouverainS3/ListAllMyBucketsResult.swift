public import Foundation

/// The ListBuckets response.
public struct ListAllMyBucketsResult: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var name: String
        public var creationDate: Date

        public init(name: String, creationDate: Date) {
            self.name = name
            self.creationDate = creationDate
        }
    }

    public var owner: S3Owner
    public var buckets: [Bucket]

    public init(owner: S3Owner, buckets: [Bucket]) {
        self.owner = owner
        self.buckets = buckets
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "ListAllMyBucketsResult")
        writer.owner("Owner", owner)
        writer.open("Buckets")
        for bucket in buckets {
            writer.open("Bucket")
            writer.element("Name", bucket.name)
            writer.element("CreationDate", bucket.creationDate)
            writer.close("Bucket")
        }
        writer.close("Buckets")
        return writer.finish(closing: "ListAllMyBucketsResult")
    }
}
