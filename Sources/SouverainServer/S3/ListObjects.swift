import Foundation
import Hummingbird
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3
import SouverainSigV4

extension S3Server {
    /// ListObjects (V1) and ListObjectsV2.
    func listObjects(_ bucket: String, version: Int, _ call: inout S3Call) async throws -> Response {
        let query = call.queryParameters
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"] ?? ""
        var maxKeys = 1000
        if let value = query["max-keys"] {
            guard let parsed = Int(value), parsed >= 0 else {
                throw S3Error(.invalidArgument, "Provided max-keys not an integer or within integer range")
            }
            maxKeys = min(parsed, 1000)
        }
        let urlEncode = try Self.urlEncodingRequested(query)
        let owner = try await self.owner(id: (try await store.catalogueStore.bucket(named: bucket))?.owner ?? "")
        func listed(_ page: ObjectStore.ListPage, withOwner: Bool) -> [ListedObject] {
            page.objects.map {
                ListedObject(key: $0.key, lastModified: $0.lastModified, etag: $0.etag, size: $0.size, owner: withOwner ? owner : nil)
            }
        }

        if version == 1 {
            let marker = query["marker"] ?? ""
            let position = marker.isEmpty ? nil : store.position(afterMarker: marker, prefix: prefix, delimiter: delimiter)
            let page = try await store.list(bucket: bucket, prefix: prefix, delimiter: delimiter, after: position, maxKeys: maxKeys)
            let result = ListObjectsV1Result(
                name: bucket, prefix: prefix, marker: marker, maxKeys: maxKeys, delimiter: delimiter.isEmpty ? nil : delimiter,
                isTruncated: page.isTruncated,
                nextMarker: page.isTruncated && !delimiter.isEmpty ? Self.markerText(page.next) : nil,
                contents: listed(page, withOwner: true), commonPrefixes: page.commonPrefixes, urlEncodeKeys: urlEncode)
            return Self.xmlResponse(result.xml())
        }

        let token = query["continuation-token"]
        let startAfter = query["start-after"]
        var position: ListPosition?
        if let token {
            guard let decoded = ContinuationToken.decode(token) else {
                throw S3Error(.invalidArgument, "The continuation token provided is incorrect")
            }
            position = decoded
        } else if let startAfter, !startAfter.isEmpty {
            position = store.position(afterMarker: startAfter, prefix: prefix, delimiter: delimiter)
        }
        let page = try await store.list(bucket: bucket, prefix: prefix, delimiter: delimiter, after: position, maxKeys: maxKeys)
        let fetchOwner = query["fetch-owner"]?.lowercased() == "true"
        let result = ListObjectsV2Result(
            name: bucket, prefix: prefix, delimiter: delimiter.isEmpty ? nil : delimiter, maxKeys: maxKeys,
            isTruncated: page.isTruncated, continuationToken: token,
            nextContinuationToken: page.isTruncated ? page.next.map(ContinuationToken.encode) : nil,
            startAfter: startAfter, fetchOwner: fetchOwner, contents: listed(page, withOwner: fetchOwner),
            commonPrefixes: page.commonPrefixes, urlEncodeKeys: urlEncode)
        return Self.xmlResponse(result.xml())
    }

    /// `encoding-type=url` asks for URL-encoded keys; any other value is refused.
    static func urlEncodingRequested(_ query: [String: String]) throws -> Bool {
        guard let encoding = query["encoding-type"] else { return false }
        guard encoding.lowercased() == "url" else { throw S3Error(.invalidArgument, "Invalid Encoding Method specified in Request") }
        return true
    }

    static func markerText(_ position: ListPosition?) -> String? {
        switch position {
        case .key(let key)?: key
        case .pastPrefix(let prefix)?: prefix
        case nil: nil
        }
    }
}

/// ListObjectsV2 continuation tokens: opaque to clients, a position to us.
enum ContinuationToken {
    static func encode(_ position: ListPosition) -> String {
        let text: String
        switch position {
        case .key(let key): text = "k" + key
        case .pastPrefix(let prefix): text = "p" + prefix
        }
        return Data(text.utf8).base64EncodedString()
    }

    static func decode(_ token: String) -> ListPosition? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), let kind = text.first else {
            return nil
        }
        let rest = String(text.dropFirst())
        switch kind {
        case "k": return .key(rest)
        case "p": return .pastPrefix(rest)
        default: return nil
        }
    }
}
