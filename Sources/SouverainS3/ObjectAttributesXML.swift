import Foundation

/// The attributes GetObjectAttributes may be asked for (`x-amz-object-attributes`).
public enum ObjectAttribute: String, Sendable, CaseIterable {
    case etag = "ETag"
    case checksum = "Checksum"
    case objectParts = "ObjectParts"
    case storageClass = "StorageClass"
    case objectSize = "ObjectSize"

    /// The comma-separated list of `x-amz-object-attributes` (names compared without regard to
    /// case, as AWS does); InvalidArgument for an unknown name or an empty list.
    public static func parse(_ header: String?) throws(S3Error) -> Set<ObjectAttribute> {
        guard let header else {
            throw S3Error(.invalidRequest, "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
        }
        var wanted: Set<ObjectAttribute> = []
        for name in header.split(separator: ",") {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let attribute = allCases.first(where: { $0.rawValue.lowercased() == trimmed.lowercased() }) else {
                throw S3Error(.invalidArgument, "Invalid attribute name specified.",
                              extra: [("ArgumentName", "x-amz-object-attributes"), ("ArgumentValue", trimmed)])
            }
            wanted.insert(attribute)
        }
        guard !wanted.isEmpty else {
            throw S3Error(.invalidRequest, "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
        }
        return wanted
    }
}

/// The GetObjectAttributes response: only the attributes asked for.
public struct GetObjectAttributesResponse: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var partNumber: Int
        public var size: Int64
        /// Element name ("ChecksumCRC32"...) → base64 value of the part's checksum.
        public var checksums: [String: String]

        public init(partNumber: Int, size: Int64, checksums: [String: String] = [:]) {
            self.partNumber = partNumber
            self.size = size
            self.checksums = checksums
        }
    }

    public struct Parts: Sendable, Equatable {
        public var totalPartsCount: Int
        public var partNumberMarker: Int
        public var nextPartNumberMarker: Int?
        public var maxParts: Int
        public var isTruncated: Bool
        public var parts: [Part]

        public init(totalPartsCount: Int, partNumberMarker: Int, nextPartNumberMarker: Int?, maxParts: Int, isTruncated: Bool, parts: [Part]) {
            self.totalPartsCount = totalPartsCount
            self.partNumberMarker = partNumberMarker
            self.nextPartNumberMarker = nextPartNumberMarker
            self.maxParts = maxParts
            self.isTruncated = isTruncated
            self.parts = parts
        }
    }

    /// Unquoted, as GetObjectAttributes gives it.
    public var etag: String?
    /// Element name → base64 value, without a composite checksum's `-N` suffix.
    public var checksums: [String: String]?
    public var checksumType: String?
    public var objectParts: Parts?
    public var storageClass: String?
    public var objectSize: Int64?

    public init(
        etag: String? = nil, checksums: [String: String]? = nil, checksumType: String? = nil, objectParts: Parts? = nil,
        storageClass: String? = nil, objectSize: Int64? = nil
    ) {
        self.etag = etag
        self.checksums = checksums
        self.checksumType = checksumType
        self.objectParts = objectParts
        self.storageClass = storageClass
        self.objectSize = objectSize
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "GetObjectAttributesResponse")
        writer.element("ETag", ifPresent: etag)
        if let checksums, !checksums.isEmpty {
            writer.open("Checksum")
            writer.checksums(checksums)
            writer.element("ChecksumType", ifPresent: checksumType)
            writer.close("Checksum")
        }
        if let objectParts {
            writer.open("ObjectParts")
            writer.element("PartNumberMarker", objectParts.partNumberMarker)
            if let next = objectParts.nextPartNumberMarker { writer.element("NextPartNumberMarker", next) }
            writer.element("MaxParts", objectParts.maxParts)
            writer.element("IsTruncated", objectParts.isTruncated)
            writer.element("PartsCount", objectParts.totalPartsCount)
            for part in objectParts.parts {
                writer.open("Part")
                writer.element("PartNumber", part.partNumber)
                writer.element("Size", part.size)
                writer.checksums(part.checksums)
                writer.close("Part")
            }
            writer.close("ObjectParts")
        }
        writer.element("StorageClass", ifPresent: storageClass)
        if let objectSize { writer.element("ObjectSize", objectSize) }
        return writer.finish(closing: "GetObjectAttributesResponse")
    }
}
