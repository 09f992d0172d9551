/// A `Range` header read the way S3 reads it.
public enum RangeRequest: Sendable, Equatable {
    /// No usable range: serve the whole object (200).
    case none
    /// Serve these bytes (206), bounds inclusive and within the object.
    case satisfiable(ClosedRange<Int64>)
    /// Answer InvalidRange (416) with `Content-Range: bytes */size`.
    case unsatisfiable

    /// Reads `bytes=a-b`, `bytes=a-` and `bytes=-n` (the last n bytes).
    ///
    /// - An end beyond the object is clamped to its last byte; a start at or beyond the size is
    ///   unsatisfiable (so is any range of an empty object).
    /// - A suffix of 0 (`bytes=-0`) is unsatisfiable; a suffix longer than the object is the whole object.
    /// - Anything else (another unit, a start after the end, several ranges, junk) is ignored
    ///   and the whole object is served, as AWS does.
    public static func parse(_ header: String?, size: Int64) -> RangeRequest {
        guard let header else { return .none }
        var bytes = Substring(header).utf8[...]
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes.removeFirst() }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
        let unit = Array("bytes=".utf8)
        guard bytes.count > unit.count,
              zip(bytes.prefix(unit.count), unit).allSatisfy({ ($0 | ($0 == UInt8(ascii: "=") ? 0 : 0x20)) == $1 })
        else { return .none }
        let spec = bytes.dropFirst(unit.count)
        guard !spec.contains(UInt8(ascii: ",")), let dash = spec.firstIndex(of: UInt8(ascii: "-")) else { return .none }
        let first = spec[spec.startIndex..<dash]
        let last = spec[spec.index(after: dash)...]

        if first.isEmpty {
            guard let suffix = number(last) else { return .none }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable(max(0, size - suffix)...(size - 1))
        }
        guard let start = number(first) else { return .none }
        if last.isEmpty {
            return start < size ? .satisfiable(start...(size - 1)) : .unsatisfiable
        }
        guard let end = number(last), start <= end else { return .none }
        guard start < size else { return .unsatisfiable }
        return .satisfiable(start...min(end, size - 1))
    }

    /// The `Content-Range` value of a partial response: "bytes 0-9/100".
    public static func contentRange(_ range: ClosedRange<Int64>, size: Int64) -> String {
        "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
    }

    /// The `Content-Range` value of a 416 response: "bytes */100".
    public static func unsatisfiedContentRange(size: Int64) -> String {
        "bytes */\(size)"
    }

    /// ASCII digits only, saturating at Int64.max (an end that large is clamped anyway).
    private static func number(_ digits: Substring.UTF8View) -> Int64? {
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            value = overflow1 || overflow2 ? Int64.max : sum
        }
        return value
    }
}
