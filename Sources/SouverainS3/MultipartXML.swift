public import Foundation

/// The CreateMultipartUpload response.
public struct InitiateMultipartUploadResult: Sendable, Equatable {
    public var bucket: String
    public var key: String
    public var uploadID: String

    public init(bucket: String, key: String, uploadID: String) {
        self.bucket = bucket
        self.key = key
        self.uploadID = uploadID
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "InitiateMultipartUploadResult")
        writer.element("Bucket", bucket)
        writer.element("Key", key)
        writer.element("UploadId", uploadID)
        return writer.finish(closing: "InitiateMultipartUploadResult")
    }
}

/// The CompleteMultipartUpload response.
public struct CompleteMultipartUploadResult: Sendable, Equatable {
    public var location: String
    public var bucket: String
    public var key: String
    /// With or without quotes; written quoted.
    public var etag: String
    /// Element name ("ChecksumCRC32", "ChecksumSHA256"...) → base64 value.
    public var checksums: [String: String]
    /// "COMPOSITE" or "FULL_OBJECT" when checksums are present.
    public var checksumType: String?

    public init(location: String, bucket: String, key: String, etag: String, checksums: [String: String] = [:], checksumType: String? = nil) {
        self.location = location
        self.bucket = bucket
        self.key = key
        self.etag = etag
        self.checksums = checksums
        self.checksumType = checksumType
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "CompleteMultipartUploadResult")
        writer.element("Location", location)
        writer.element("Bucket", bucket)
        writer.element("Key", key)
        writer.etag(etag)
        writer.checksums(checksums)
        writer.element("ChecksumType", ifPresent: checksumType)
        return writer.finish(closing: "CompleteMultipartUploadResult")
    }
}

/// The ListParts response.
public struct ListPartsResult: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var partNumber: Int
        public var lastModified: Date
        /// With or without quotes; written quoted.
        public var etag: String
        public var size: Int64
        public var checksums: [String: String]

        public init(partNumber: Int, lastModified: Date, etag: String, size: Int64, checksums: [String: String] = [:]) {
            self.partNumber = partNumber
            self.lastModified = lastModified
            self.etag = etag
            self.size = size
            self.checksums = checksums
        }
    }

    public var bucket: String
    public var key: String
    public var uploadID: String
    public var initiator: S3Owner?
    public var owner: S3Owner?
    public var storageClass: String
    public var partNumberMarker: Int
    /// The marker for the next page; written when set.
    public var nextPartNumberMarker: Int?
    public var maxParts: Int
    public var isTruncated: Bool
    public var parts: [Part]
    public var checksumAlgorithm: String?
    public var checksumType: String?

    public init(bucket: String, key: String, uploadID: String, initiator: S3Owner? = nil, owner: S3Owner? = nil,
                storageClass: String = "STANDARD", partNumberMarker: Int = 0, nextPartNumberMarker: Int? = nil,
                maxParts: Int = 1000, isTruncated: Bool = false, parts: [Part] = [],
                checksumAlgorithm: String? = nil, checksumType: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.uploadID = uploadID
        self.initiator = initiator
        self.owner = owner
        self.storageClass = storageClass
        self.partNumberMarker = partNumberMarker
        self.nextPartNumberMarker = nextPartNumberMarker
        self.maxParts = maxParts
        self.isTruncated = isTruncated
        self.parts = parts
        self.checksumAlgorithm = checksumAlgorithm
        self.checksumType = checksumType
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "ListPartsResult")
        writer.element("Bucket", bucket)
        writer.element("Key", key)
        writer.element("UploadId", uploadID)
        if let initiator { writer.owner("Initiator", initiator) }
        if let owner { writer.owner("Owner", owner) }
        writer.element("StorageClass", storageClass)
        writer.element("PartNumberMarker", partNumberMarker)
        if let nextPartNumberMarker { writer.element("NextPartNumberMarker", nextPartNumberMarker) }
        writer.element("MaxParts", maxParts)
        writer.element("IsTruncated", isTruncated)
        writer.element("ChecksumAlgorithm", ifPresent: checksumAlgorithm)
        writer.element("ChecksumType", ifPresent: checksumType)
        for part in parts {
            writer.open("Part")
            writer.element("PartNumber", part.partNumber)
            writer.element("LastModified", part.lastModified)
            writer.etag(part.etag)
            writer.element("Size", part.size)
            writer.checksums(part.checksums)
            writer.close("Part")
        }
        return writer.finish(closing: "ListPartsResult")
    }
}

/// The ListMultipartUploads response.
///
/// With `urlEncodeKeys` (encoding-type=url), KeyMarker, NextKeyMarker, Prefix, Delimiter, every
/// Key and every CommonPrefixes/Prefix are URL-encoded ('/' kept) and `<EncodingType>url` is added.
public struct ListMultipartUploadsResult: Sendable, Equatable {
    public struct Upload: Sendable, Equatable {
        public var key: String
        public var uploadID: String
        public var initiator: S3Owner
        public var owner: S3Owner
        public var storageClass: String
        public var initiated: Date

        public init(key: String, uploadID: String, initiator: S3Owner, owner: S3Owner, storageClass: String = "STANDARD", initiated: Date) {
            self.key = key
            self.uploadID = uploadID
            self.initiator = initiator
            self.owner = owner
            self.storageClass = storageClass
            self.initiated = initiated
        }
    }

    public var bucket: String
    public var keyMarker: String
    public var uploadIDMarker: String
    public var nextKeyMarker: String?
    public var nextUploadIDMarker: String?
    /// Omitted when nil or empty.
    public var delimiter: String?
    /// Omitted when nil.
    public var prefix: String?
    public var maxUploads: Int
    public var isTruncated: Bool
    public var uploads: [Upload]
    public var commonPrefixes: [String]
    public var urlEncodeKeys: Bool

    public init(bucket: String, keyMarker: String = "", uploadIDMarker: String = "", nextKeyMarker: String? = nil,
                nextUploadIDMarker: String? = nil, delimiter: String? = nil, prefix: String? = nil, maxUploads: Int = 1000,
                isTruncated: Bool = false, uploads: [Upload] = [], commonPrefixes: [String] = [], urlEncodeKeys: Bool = false) {
        self.bucket = bucket
        self.keyMarker = keyMarker
        self.uploadIDMarker = uploadIDMarker
        self.nextKeyMarker = nextKeyMarker
        self.nextUploadIDMarker = nextUploadIDMarker
        self.delimiter = delimiter
        self.prefix = prefix
        self.maxUploads = maxUploads
        self.isTruncated = isTruncated
        self.uploads = uploads
        self.commonPrefixes = commonPrefixes
        self.urlEncodeKeys = urlEncodeKeys
    }

    public func xml() -> String {
        let encode = ListingEncoder(enabled: urlEncodeKeys)
        var writer = XMLWriter(root: "ListMultipartUploadsResult")
        writer.element("Bucket", bucket)
        writer.element("KeyMarker", encode(keyMarker))
        writer.element("UploadIdMarker", uploadIDMarker)
        if let nextKeyMarker { writer.element("NextKeyMarker", encode(nextKeyMarker)) }
        writer.element("NextUploadIdMarker", ifPresent: nextUploadIDMarker)
        if let delimiter, !delimiter.isEmpty { writer.element("Delimiter", encode(delimiter)) }
        if let prefix { writer.element("Prefix", encode(prefix)) }
        writer.element("MaxUploads", maxUploads)
        writer.element("IsTruncated", isTruncated)
        for upload in uploads {
            writer.open("Upload")
            writer.element("Key", encode(upload.key))
            writer.element("UploadId", upload.uploadID)
            writer.owner("Initiator", upload.initiator)
            writer.owner("Owner", upload.owner)
            writer.element("StorageClass", upload.storageClass)
            writer.element("Initiated", upload.initiated)
            writer.close("Upload")
        }
        writer.commonPrefixes(commonPrefixes, encode: encode)
        if urlEncodeKeys { writer.element("EncodingType", "url") }
        return writer.finish(closing: "ListMultipartUploadsResult")
    }
}

/// One `<Part>` of a CompleteMultipartUpload request.
public struct CompletedPart: Sendable, Equatable {
    public var partNumber: Int
    /// Without quotes.
    public var etag: String
    /// Element name ("ChecksumCRC32"...) → value, as sent.
    public var checksums: [String: String]

    public init(partNumber: Int, etag: String, checksums: [String: String] = [:]) {
        self.partNumber = partNumber
        self.etag = etag
        self.checksums = checksums
    }
}

/// The CompleteMultipartUpload request body.
public enum CompleteMultipartUploadRequest {
    /// The parts in the order sent (order and existence are the caller's to check).
    /// MalformedXML when the document is malformed, has no Part, or a Part lacks a PartNumber
    /// or an ETag; InvalidArgument when a part number is outside 1...10000.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> [CompletedPart] {
        let document = try XMLNode.parse(data, root: "CompleteMultipartUpload")
        var parts: [CompletedPart] = []
        for node in document.all("Part") {
            guard let rawNumber = node.first("PartNumber")?.trimmedText, !rawNumber.isEmpty,
                  rawNumber.utf8.count <= 9,
                  rawNumber.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let number = Int(rawNumber)
            else {
                throw S3Error(.malformedXML, "Each Part needs a PartNumber that is an integer.")
            }
            guard (1...10_000).contains(number) else {
                throw S3Error(.invalidArgument, "Part number must be an integer between 1 and 10000, inclusive.")
            }
            guard let rawETag = node.first("ETag")?.text else {
                throw S3Error(.malformedXML, "Part \(number) has no ETag.")
            }
            let etag = ETag.unquoted(rawETag)
            guard !etag.isEmpty else { throw S3Error(.malformedXML, "Part \(number) has an empty ETag.") }
            var checksums: [String: String] = [:]
            for child in node.children where child.name.hasPrefix("Checksum") && checksums[child.name] == nil {
                checksums[child.name] = child.trimmedText
            }
            parts.append(CompletedPart(partNumber: number, etag: etag, checksums: checksums))
        }
        guard !parts.isEmpty else {
            throw S3Error(.malformedXML, "The CompleteMultipartUpload document must list at least one Part.")
        }
        return parts
    }
}
