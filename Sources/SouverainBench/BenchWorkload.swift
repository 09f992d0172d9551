/// A workload of `souverain bench`. Runs always go in the order of `allCases`, so that GET, HEAD and
/// DELETE find the objects the PUT before them wrote.
public enum BenchWorkload: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Large objects (64 MiB by default) PUT as one streamed request each (or multipart, if a part size is set).
    case largePut = "large-put"
    /// Large objects read back in full, bodies streamed and discarded.
    case largeGet = "large-get"
    /// Small objects (4 KiB by default) PUT, payload signed.
    case smallPut = "small-put"
    /// Small objects read back.
    case smallGet = "small-get"
    /// HeadObject on small objects.
    case smallHead = "small-head"
    /// ListObjectsV2 pages (1000 keys by default) over a prepared prefix.
    case list = "list"
    /// DeleteObject, each small object deleted once.
    case smallDelete = "small-delete"
    /// PUT, GET, HEAD, LIST and DELETE drawn at random in configured ratios.
    case mixed = "mixed"

    public var description: String { rawValue }
}

/// One kind of request, as latencies are reported.
public enum BenchOperation: String, Sendable, Codable, CaseIterable, Comparable {
    case put = "PUT"
    case get = "GET"
    case head = "HEAD"
    case list = "LIST"
    case delete = "DELETE"

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
