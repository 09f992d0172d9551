import Foundation
import SouverainS3

/// The paging and filtering options of ListBuckets: `max-buckets` (1 to 10000; without it every
/// bucket in one answer, as AWS does), `continuation-token` (opaque: the base64 of the last name
/// of the previous page), `prefix` and `bucket-region`.
struct BucketListing: Equatable {
    static let maximumBuckets = 10_000

    var maxBuckets: Int?
    /// The name the page starts after.
    var after: String?
    var prefix: String?
    var region: String?

    init(maxBuckets: Int? = nil, after: String? = nil, prefix: String? = nil, region: String? = nil) {
        self.maxBuckets = maxBuckets
        self.after = after
        self.prefix = prefix
        self.region = region
    }

    /// From the request's query parameters; InvalidArgument for a bad `max-buckets` or token.
    init(_ query: [String: String]) throws {
        if let raw = query["max-buckets"] {
            guard let value = Int(raw), (1...Self.maximumBuckets).contains(value) else {
                throw S3Error(.invalidArgument, "max-buckets must be an integer between 1 and \(Self.maximumBuckets).",
                              extra: [("ArgumentName", "max-buckets"), ("ArgumentValue", raw)])
            }
            maxBuckets = value
        }
        if let token = query["continuation-token"], !token.isEmpty {
            guard let name = Self.decode(token) else {
                throw S3Error(.invalidArgument, "The continuation token provided is incorrect",
                              extra: [("ArgumentName", "continuation-token")])
            }
            after = name
        }
        prefix = query["prefix"]
        region = query["bucket-region"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The page of `buckets` this request asks for, in name order, and the token of the next
    /// page when there is one.
    func page(of buckets: [(name: String, region: String)]) -> (page: [(name: String, region: String)], next: String?) {
        let wanted = buckets
            .filter { bucket in
                (prefix.map { bucket.name.hasPrefix($0) } ?? true)
                    && (region.map { bucket.region == $0 } ?? true)
                    && (after.map { Array($0.utf8).lexicographicallyPrecedes(Array(bucket.name.utf8)) } ?? true)
            }
            .sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        guard let maxBuckets, wanted.count > maxBuckets else { return (wanted, nil) }
        let page = Array(wanted.prefix(maxBuckets))
        return (page, Self.encode(page.last!.name))
    }

    static func encode(_ name: String) -> String { Data(name.utf8).base64EncodedString() }

    static func decode(_ token: String) -> String? {
        guard let data = Data(base64Encoded: token), let name = String(data: data, encoding: .utf8), !name.isEmpty else {
            return nil
        }
        return name
    }
}
