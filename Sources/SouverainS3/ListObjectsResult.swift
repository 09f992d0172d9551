public import Foundation

/// One `<Contents>` entry of a listing.
public struct ListedObject: Sendable, Equatable {
    public var key: String
    public var lastModified: Date
    /// With or without quotes; written quoted.
    public var etag: String
    public var size: Int64
    public var storageClass: String
    /// Written when set (V1), and in V2 only when the request asked `fetch-owner=true`.
    public var owner: S3Owner?

    public init(key: String, lastModified: Date, etag: String, size: Int64, storageClass: String = "STANDARD", owner: S3Owner? = nil) {
        self.key = key
        self.lastModified = lastModified
        self.etag = etag
        self.size = size
        self.storageClass = storageClass
        self.owner = owner
    }
}

/// The ListObjects (V1) response.
///
/// With `urlEncodeKeys` (encoding-type=url), Prefix, Marker, NextMarker, Delimiter, every Key
/// and every CommonPrefixes/Prefix are URL-encoded ('/' kept) and `<EncodingType>url` is added.
public struct ListObjectsV1Result: Sendable, Equatable {
    public var name: String
    public var prefix: String
    public var marker: String
    public var maxKeys: Int
    /// Omitted when nil or empty.
    public var delimiter: String?
    public var isTruncated: Bool
    /// Only sent by AWS when a delimiter was given and the list is truncated.
    public var nextMarker: String?
    public var contents: [ListedObject]
    public var commonPrefixes: [String]
    public var urlEncodeKeys: Bool

    public init(name: String, prefix: String = "", marker: String = "", maxKeys: Int = 1000, delimiter: String? = nil,
                isTruncated: Bool = false, nextMarker: String? = nil, contents: [ListedObject] = [],
                commonPrefixes: [String] = [], urlEncodeKeys: Bool = false) {
        self.name = name
        self.prefix = prefix
        self.marker = marker
        self.maxKeys = maxKeys
        self.delimiter = delimiter
        self.isTruncated = isTruncated
        self.nextMarker = nextMarker
        self.contents = contents
        self.commonPrefixes = commonPrefixes
        self.urlEncodeKeys = urlEncodeKeys
    }

    public func xml() -> String {
        let encode = ListingEncoder(enabled: urlEncodeKeys)
        var writer = XMLWriter(root: "ListBucketResult")
        writer.element("Name", name)
        writer.element("Prefix", encode(prefix))
        writer.element("Marker", encode(marker))
        writer.element("MaxKeys", maxKeys)
        if let delimiter, !delimiter.isEmpty { writer.element("Delimiter", encode(delimiter)) }
        writer.element("IsTruncated", isTruncated)
        if let nextMarker { writer.element("NextMarker", encode(nextMarker)) }
        writer.contents(contents, encode: encode, includeOwner: true)
        writer.commonPrefixes(commonPrefixes, encode: encode)
        if urlEncodeKeys { writer.element("EncodingType", "url") }
        return writer.finish(closing: "ListBucketResult")
    }
}

/// The ListObjectsV2 response. `<KeyCount>` is the number of Contents plus CommonPrefixes.
///
/// With `urlEncodeKeys` (encoding-type=url), Prefix, Delimiter, StartAfter, every Key and every
/// CommonPrefixes/Prefix are URL-encoded ('/' kept) and `<EncodingType>url` is added.
public struct ListObjectsV2Result: Sendable, Equatable {
    public var name: String
    public var prefix: String
    /// Omitted when nil or empty.
    public var delimiter: String?
    public var maxKeys: Int
    public var isTruncated: Bool
    /// Echoed when the request carried one.
    public var continuationToken: String?
    public var nextContinuationToken: String?
    /// Echoed when the request carried one.
    public var startAfter: String?
    /// `fetch-owner=true`: only then are owners written.
    public var fetchOwner: Bool
    public var contents: [ListedObject]
    public var commonPrefixes: [String]
    public var urlEncodeKeys: Bool

    public init(name: String, prefix: String = "", delimiter: String? = nil, maxKeys: Int = 1000, isTruncated: Bool = false,
                continuationToken: String? = nil, nextContinuationToken: String? = nil, startAfter: String? = nil,
                fetchOwner: Bool = false, contents: [ListedObject] = [], commonPrefixes: [String] = [],
                urlEncodeKeys: Bool = false) {
        self.name = name
        self.prefix = prefix
        self.delimiter = delimiter
        self.maxKeys = maxKeys
        self.isTruncated = isTruncated
        self.continuationToken = continuationToken
        self.nextContinuationToken = nextContinuationToken
        self.startAfter = startAfter
        self.fetchOwner = fetchOwner
        self.contents = contents
        self.commonPrefixes = commonPrefixes
        self.urlEncodeKeys = urlEncodeKeys
    }

    public var keyCount: Int { contents.count + commonPrefixes.count }

    public func xml() -> String {
        let encode = ListingEncoder(enabled: urlEncodeKeys)
        var writer = XMLWriter(root: "ListBucketResult")
        writer.element("Name", name)
        writer.element("Prefix", encode(prefix))
        if let delimiter, !delimiter.isEmpty { writer.element("Delimiter", encode(delimiter)) }
        writer.element("MaxKeys", maxKeys)
        writer.element("KeyCount", keyCount)
        writer.element("IsTruncated", isTruncated)
        writer.element("ContinuationToken", ifPresent: continuationToken)
        writer.element("NextContinuationToken", ifPresent: nextContinuationToken)
        if let startAfter { writer.element("StartAfter", encode(startAfter)) }
        writer.contents(contents, encode: encode, includeOwner: fetchOwner)
        writer.commonPrefixes(commonPrefixes, encode: encode)
        if urlEncodeKeys { writer.element("EncodingType", "url") }
        return writer.finish(closing: "ListBucketResult")
    }
}

/// encoding-type=url applied to key-like fields: every byte but `A-Za-z0-9-_.~/` as %XX.
struct ListingEncoder {
    let enabled: Bool

    func callAsFunction(_ value: String) -> String {
        enabled ? S3URLEncoding.encode(value, keepSlash: true) : value
    }
}

extension XMLWriter {
    mutating func contents(_ objects: [ListedObject], encode: ListingEncoder, includeOwner: Bool) {
        for object in objects {
            open("Contents")
            element("Key", encode(object.key))
            element("LastModified", object.lastModified)
            etag(object.etag)
            element("Size", object.size)
            element("StorageClass", object.storageClass)
            if includeOwner, let owner = object.owner { self.owner("Owner", owner) }
            close("Contents")
        }
    }

    mutating func commonPrefixes(_ prefixes: [String], encode: ListingEncoder) {
        for prefix in prefixes {
            open("CommonPrefixes")
            element("Prefix", encode(prefix))
            close("CommonPrefixes")
        }
    }
}
