import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainS3

/// Static websites from public buckets (docs/s3-compatibility.md, "Website endpoints"): a request
/// whose Host is `<bucket>.<website domain>` (the `website-domain` setting) is served as S3's
/// website endpoints serve it, from the bucket's website configuration: GET and HEAD only,
/// always anonymous (a signature is ignored), the index document for a path ending in `/`, a
/// redirection to `key/` when only that folder's index exists, the configuration's redirections,
/// and its error document with the error's status; errors are HTML pages, not XML. An object is
/// served only if an anonymous GetObject of it would be: the bucket must be public (a policy or an
/// ACL, on a classification that may be public), as on AWS. Every request is in the audit trail.
extension S3Server {
    func serveWebsite(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        call.isWebsite = true
        call.isAnonymous = true
        call.query = ""
        call.head = call.unsignedHead
        let method = call.request.method
        // In the trail as reads of the website endpoint, under the bucket even before its key is known.
        call.operationName = method == .head ? "WebsiteHeadObject" : "WebsiteGetObject"
        call.adminBucket = bucket
        guard method == .get || method == .head else {
            throw S3Error(.methodNotAllowed, "The specified method is not allowed against this resource.", extra: [("Method", method.rawValue)])
        }
        guard try await store.catalogueStore.bucket(named: bucket) != nil else {
            throw S3Error(.noSuchBucket, "The specified bucket does not exist", extra: [("BucketName", bucket)])
        }
        guard let text = try await store.catalogueStore.bucketAccessDocuments(bucket: bucket)[.website],
              let website = try? JSONDecoder().decode(WebsiteConfiguration.self, from: Data(text.utf8))
        else {
            throw S3Error(.noSuchWebsiteConfiguration, "The specified bucket does not have a website configuration", extra: [("BucketName", bucket)])
        }
        if let all = website.redirectAllRequestsTo {
            return Self.redirect(to: "\(all.protocol ?? "http")://\(all.hostName ?? "")\(call.path)", status: 301)
        }
        var key = try S3Operation.parse(
            S3RequestHead(method: "GET", path: call.path, query: "", host: call.head.host, headers: []), addressing: websiteAddressing
        ).key ?? ""
        let suffix = website.indexSuffix ?? "index.html"
        if key.isEmpty || key.hasSuffix("/") { key += suffix }
        if let rule = website.routingRules.first(where: { $0.httpErrorCodeReturnedEquals == nil && key.hasPrefix($0.keyPrefixEquals ?? "") }) {
            return Self.redirect(rule, key: key, call)
        }
        do {
            return try await websiteObject(bucket, key, &call)
        } catch {
            // The store's errors become S3's here (as the responder would), to tell a missing page.
            let error = S3Error.from(error, resource: call.path)
            guard error.code == .noSuchKey || error.code == .accessDenied else { throw error }
            let status = error.code == .noSuchKey ? 404 : 403
            // The trail records the key asked for, whatever is looked up next.
            let requested = call.operation
            defer { call.operation = requested }
            // A folder asked for without its slash: to the folder, when its index exists.
            if status == 404, !key.hasSuffix(suffix),
               (try? await websiteObject(bucket, key + "/" + suffix, isHead: true, &call)) != nil {
                return Self.redirect(to: "/" + S3URLEncoding.encode(key, keepSlash: true) + "/", status: 302)
            }
            if let rule = website.routingRules.first(where: { $0.httpErrorCodeReturnedEquals == String(status) && key.hasPrefix($0.keyPrefixEquals ?? "") }) {
                return Self.redirect(rule, key: key, call)
            }
            if let errorKey = website.errorKey, var page = try? await websiteObject(bucket, errorKey, &call) {
                page.status = HTTPResponse.Status(code: status)
                call.failure = error.message
                return page
            }
            throw error
        }
    }

    /// The object as an anonymous GetObject (or HeadObject) would have it, or that request's error.
    private func websiteObject(_ bucket: String, _ key: String, isHead: Bool? = nil, _ call: inout S3Call) async throws -> Response {
        let head = isHead ?? (call.request.method == .head)
        let operation: S3Operation = head ? .headObject(bucket: bucket, key: key) : .getObject(bucket: bucket, key: key)
        call.operation = operation
        try await authorize(operation, user: nil, &call)
        return try await getObject(bucket, key, isHead: head, &call)
    }

    private static func redirect(_ rule: WebsiteConfiguration.RoutingRule, key: String, _ call: S3Call) -> Response {
        let wanted = rule.redirect
        var target = key
        if let replacement = wanted.replaceKeyWith {
            target = replacement
        } else if let prefix = wanted.replaceKeyPrefixWith {
            target = prefix + key.dropFirst((rule.keyPrefixEquals ?? "").count)
        }
        let host = wanted.hostName ?? call.request.head.authority ?? ""
        let scheme = wanted.protocol ?? "http"
        return redirect(to: "\(scheme)://\(host)/\(S3URLEncoding.encode(target, keepSlash: true))", status: Int(wanted.httpRedirectCode ?? "") ?? 301)
    }

    private static func redirect(to location: String, status: Int) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.contentLength] = "0"
        return Response(status: HTTPResponse.Status(code: status), headers: headers)
    }

    /// An error of a website endpoint: an HTML page naming the code and message, as S3's.
    static func websiteErrorResponse(_ error: S3Error, requestID: String, isHead: Bool) -> Response {
        let status = HTTPResponse.Status(code: error.status)
        let reasons = [400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error",
                       503: "Service Unavailable"]
        let title = XMLWriter.escape("\(status.code) \(reasons[status.code] ?? status.reasonPhrase)")
        var items = "<li>Code: \(XMLWriter.escape(error.code.name))</li><li>Message: \(XMLWriter.escape(error.message))</li>"
        for (name, value) in error.extra { items += "<li>\(XMLWriter.escape(name)): \(XMLWriter.escape(value))</li>" }
        items += "<li>RequestId: \(XMLWriter.escape(requestID))</li>"
        let page = "<html>\n<head><title>\(title)</title></head>\n<body>\n<h1>\(title)</h1>\n<ul>\n\(items)\n</ul>\n<hr/>\n</body>\n</html>\n"
        let headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        return Response(status: status, headers: headers, body: isHead ? .init() : .init(byteBuffer: ByteBuffer(string: page)))
    }
}
