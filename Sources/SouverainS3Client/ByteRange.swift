/// A byte range of an object, as sent in a `Range` header.
public struct ByteRange: Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case closed(Int64, Int64)
        case from(Int64)
        case suffix(Int64)
    }

    private let kind: Kind

    /// Bytes `range.lowerBound` through `range.upperBound`, both included.
    public static func bytes(_ range: ClosedRange<Int64>) -> ByteRange { ByteRange(kind: .closed(range.lowerBound, range.upperBound)) }
    /// From `offset` to the end.
    public static func from(_ offset: Int64) -> ByteRange { ByteRange(kind: .from(offset)) }
    /// The last `count` bytes.
    public static func suffix(_ count: Int64) -> ByteRange { ByteRange(kind: .suffix(count)) }

    /// The `Range` header value, such as `bytes=0-99`.
    public var headerValue: String {
        switch kind {
        case .closed(let first, let last): return "bytes=\(first)-\(last)"
        case .from(let first): return "bytes=\(first)-"
        case .suffix(let count): return "bytes=-\(count)"
        }
    }

    public var description: String { headerValue }
}
