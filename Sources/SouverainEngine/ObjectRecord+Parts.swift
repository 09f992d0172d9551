public import SouverainCatalogue

extension ObjectRecord {
    /// The number of parts S3 reports for the object: a multipart object's parts, 1 otherwise.
    public var reportedPartCount: Int { partCount ?? 1 }

    /// The sizes of the object's parts, in order: a multipart object's blobs are its parts, one
    /// segment per part in part order (completion keeps them so, and relocation, migration and
    /// key rewrapping copy segments one for one); a single-part object is one part.
    public var partSizes: [Int64] {
        guard let partCount, partCount == segments.count else { return [size] }
        return segments.map(\.size)
    }

    /// The bytes of part `number` (1-based), or nil past the last part. An empty part has no
    /// byte range: nil too, with `number` in range (the caller answers the empty body).
    public func byteRange(ofPart number: Int) -> ClosedRange<Int64>? {
        let sizes = partSizes
        guard number >= 1, number <= sizes.count else { return nil }
        let start = sizes.prefix(number - 1).reduce(0, +)
        let length = sizes[number - 1]
        return length > 0 ? start...(start + length - 1) : nil
    }
}
