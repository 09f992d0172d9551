public import SouverainCatalogue

extension ObjectStore {
    /// One page of a listing: objects and common prefixes, merged in key order.
    public struct ListPage: Sendable {
        public var objects: [ObjectSummary] = []
        public var commonPrefixes: [String] = []
        public var isTruncated = false
        /// Where the next page resumes: the last key or common prefix of this page.
        public var next: ListPosition?
    }

    /// Lists `bucket` as S3 does: keys under `prefix` after `position`; with a delimiter, keys that
    /// contain it after the prefix roll up into one common prefix each. At most `maxKeys` entries.
    public func list(bucket: String, prefix: String, delimiter: String, after position: ListPosition?, maxKeys: Int)
        async throws -> ListPage
    {
        var page = ListPage()
        // max-keys=0 asks for nothing: an empty listing, complete (what RGW answers, and AWS;
        // a truncated one would send a paginator round forever with no token to advance).
        guard maxKeys > 0 else { return page }
        var cursor = position
        var count = 0
        scan: while true {
            let batch = try await catalogue {
                try await $0.listSummaries(bucket: bucket, prefix: prefix, after: cursor, limit: min(maxKeys - count + 1, 1000))
            }
            if batch.isEmpty { break }
            for object in batch {
                if count == maxKeys {
                    page.isTruncated = true
                    break scan
                }
                if let common = commonPrefix(of: object.key, prefix: prefix, delimiter: delimiter) {
                    page.commonPrefixes.append(common)
                    count += 1
                    page.next = .pastPrefix(common)
                    cursor = .pastPrefix(common)
                    continue scan
                }
                page.objects.append(object)
                count += 1
                page.next = .key(object.key)
                cursor = .key(object.key)
            }
        }
        if !page.isTruncated { page.next = nil }
        return page
    }

    /// The common prefix `key` rolls up into, or nil when it is listed by itself.
    public func commonPrefix(of key: String, prefix: String, delimiter: String) -> String? {
        guard !delimiter.isEmpty, key.utf8.starts(with: prefix.utf8) else { return nil }
        let rest = Array(key.utf8.dropFirst(prefix.utf8.count))
        let delimiterBytes = Array(delimiter.utf8)
        guard rest.count >= delimiterBytes.count else { return nil }
        for start in 0...(rest.count - delimiterBytes.count) where rest[start..<(start + delimiterBytes.count)].elementsEqual(delimiterBytes) {
            return String(decoding: Array(prefix.utf8) + rest[0..<(start + delimiterBytes.count)], as: UTF8.self)
        }
        return nil
    }

    /// Where a listing resumes after a V1 marker or a V2 start-after: past the whole common
    /// prefix the marker falls in, since that prefix sorts at or before the marker and was listed
    /// already (this is what lets a common prefix serve as V1's NextMarker).
    public func position(afterMarker marker: String, prefix: String, delimiter: String) -> ListPosition {
        if let common = commonPrefix(of: marker, prefix: prefix, delimiter: delimiter) {
            return .pastPrefix(common)
        }
        return .key(marker)
    }
}
