public import Foundation

/// The CopyObject response.
public struct CopyObjectResult: Sendable, Equatable {
    /// With or without quotes; written quoted.
    public var etag: String
    public var lastModified: Date
    /// Element name ("ChecksumCRC32"...) → value.
    public var checksums: [String: String]
    public var checksumType: String?

    public init(etag: String, lastModified: Date, checksums: [String: String] = [:], checksumType: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
        self.checksums = checksums
        self.checksumType = checksumType
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "CopyObjectResult")
        writer.etag(etag)
        writer.element("LastModified", lastModified)
        writer.element("ChecksumType", ifPresent: checksumType)
        writer.checksums(checksums)
        return writer.finish(closing: "CopyObjectResult")
    }
}

/// The UploadPartCopy response.
public struct CopyPartResult: Sendable, Equatable {
    /// With or without quotes; written quoted.
    public var etag: String
    public var lastModified: Date
    /// Element name ("ChecksumCRC32"...) → value.
    public var checksums: [String: String]

    public init(etag: String, lastModified: Date, checksums: [String: String] = [:]) {
        self.etag = etag
        self.lastModified = lastModified
        self.checksums = checksums
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "CopyPartResult")
        writer.etag(etag)
        writer.element("LastModified", lastModified)
        writer.checksums(checksums)
        return writer.finish(closing: "CopyPartResult")
    }
}
