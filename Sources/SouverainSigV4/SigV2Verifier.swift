import Crypto
public import Foundation

/// The authentication of a Signature Version 2 request, parsed but not yet verified: the
/// `Authorization: AWS <access key>:<signature>` header, or a presigned URL's `AWSAccessKeyId`,
/// `Expires` and `Signature` query parameters (what aws-cli v1 `s3 presign`, s3cmd and older SDKs
/// produce).
public struct SigV2Authentication: Sendable {
    /// The access key ID the request names.
    public let accessKeyID: String
    /// The HMAC-SHA1 the client sent, decoded from base64.
    let signature: [UInt8]
    /// For a presigned URL: the expiry, in seconds since 1970, which takes the place of the date
    /// in the string to sign.
    let expires: Int64?

    /// Whether the authentication came from a presigned URL.
    public var isPresigned: Bool { expires != nil }

    /// The request's Signature V2 authentication; nil when it carries none (a V4 or anonymous
    /// request). Throws when it carries one that cannot be read.
    public init?(request: SigV4Request) throws(SigV4Error) {
        if let authorization = request.header("authorization") {
            // Bytes, not Characters: every signed request comes here first, and the `Character`
            // view's drop and prefix were 0.45% of a small HEAD's CPU.
            let scheme = authorization.utf8.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard scheme.starts(with: "AWS ".utf8) else { return nil }
            let credential = Substring(scheme.dropFirst(4)).trimmingBlanks()
            guard let colon = credential.lastIndex(of: ":"), colon != credential.startIndex,
                let signature = Data(base64Encoded: String(credential[credential.index(after: colon)...]))
            else {
                throw SigV4Error(
                    code: .invalidArgument, message: "AWS authorization header is invalid. Expected AwsAccessKeyId:signature")
            }
            self.accessKeyID = String(credential[..<colon])
            self.signature = Array(signature)
            self.expires = nil
            return
        }
        var values: [String: String] = [:]
        for piece in request.query.split(separator: "&") {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard Self.queryParameterNames.contains(name) else { continue }
            guard values[name] == nil else {
                throw SigV4Error(code: .invalidArgument, message: "The query parameter \(name) appears more than once.")
            }
            guard let value = parts.count > 1 ? PercentEncoding.decode(parts[1]) : [] else {
                throw SigV4Error(code: .invalidArgument, message: "The query parameter \(name) has an invalid percent-encoding.")
            }
            values[name] = String(decoding: value, as: UTF8.self)
        }
        guard !values.isEmpty else { return nil }
        guard let accessKeyID = values["AWSAccessKeyId"], let encoded = values["Signature"], let expires = values["Expires"]
        else {
            throw SigV4Error(
                code: .accessDenied,
                message: "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
        }
        guard let seconds = Int64(expires) else {
            throw SigV4Error(code: .invalidArgument, message: "Expires must be a whole number of seconds since 1970.")
        }
        guard let signature = Data(base64Encoded: encoded), !accessKeyID.isEmpty else {
            throw SigV4Error(code: .invalidArgument, message: "AWSAccessKeyId must be an access key and Signature base64.")
        }
        self.accessKeyID = accessKeyID
        self.signature = Array(signature)
        self.expires = seconds
    }

    static let queryParameterNames: Set<String> = ["AWSAccessKeyId", "Signature", "Expires"]
}

/// Verifies Signature Version 2 requests: HMAC-SHA1 over the method, Content-MD5, Content-Type,
/// the date (or a presigned URL's expiry), the `x-amz-*` headers and the resource with its
/// sub-resources.
///
/// Pure: no I/O, and the time is passed in. Signature V2 covers no body beyond a Content-MD5 the
/// client chose to send, which the server checks against the body as for any request.
public struct SigV2Verifier: Sendable {
    /// How far the request time may be from `now`, for header authentication.
    public let allowedSkew: TimeInterval

    public init(allowedSkew: TimeInterval = 15 * 60) {
        self.allowedSkew = allowedSkew
    }

    /// Checks the time (or a presigned URL's expiry) and the signature (constant-time). `bucket`
    /// is the bucket a virtual-hosted-style request names in its host (nil for path style): the
    /// signed resource starts with it.
    public func verify(
        _ auth: SigV2Authentication, secretAccessKey: String, request: SigV4Request, virtualHostBucket bucket: String?,
        now: Date
    ) throws(SigV4Error) -> VerifiedSignature {
        let dateLine: String
        if let expires = auth.expires {
            guard Double(expires) >= now.timeIntervalSince1970 else {
                throw SigV4Error(code: .expired, message: "Request has expired")
            }
            dateLine = String(expires)
        } else {
            let amzDate = request.header("x-amz-date")
            guard let sent = amzDate ?? request.header("date") else {
                throw SigV4Error(code: .missingDate, message: "AWS authentication requires a valid Date or x-amz-date header.")
            }
            let normalized = CanonicalRequest.normalize(sent)
            guard let time = Self.requestTime(normalized) else {
                throw SigV4Error(
                    code: .missingDate,
                    message: "AWS authentication requires a valid Date or x-amz-date header, such as Fri, 24 May 2013 00:00:00 GMT.")
            }
            guard abs(time.timeIntervalSince(now)) <= allowedSkew else {
                throw SigV4Error(
                    code: .requestTimeTooSkewed,
                    message: "The difference between the request time and the server's time is too large.")
            }
            // With x-amz-date, the Date line is empty: the date is signed among the x-amz-* headers.
            dateLine = amzDate == nil ? sent.trimmingCharacters(in: .whitespaces) : ""
        }
        let key = SymmetricKey(data: Array(secretAccessKey.utf8))
        for resource in Self.canonicalResources(request, bucket: bucket) {
            let text = Self.stringToSign(request, dateLine: dateLine, resource: resource)
            let expected = Array(HMAC<Insecure.SHA1>.authenticationCode(for: Array(text.utf8), using: key))
            if Hex.constantTimeEqual(expected, auth.signature) {
                return VerifiedSignature(accessKeyID: auth.accessKeyID, payload: .unsigned, chunkSigning: nil, isPresigned: auth.isPresigned)
            }
        }
        throw .signatureDoesNotMatch()
    }

    /// The resources a client may have signed for this request. Clients disagree on which
    /// sub-resources they sign (botocore signs a longer list than the AWS documentation gives),
    /// and botocore signs a path-style bucket request as `/bucket/` where the path is `/bucket`;
    /// each of these forms is accepted, none that names another resource.
    static func canonicalResources(_ request: SigV4Request, bucket: String?) -> [String] {
        var trailingSlash = request
        if bucket == nil, request.path.utf8.count > 1, request.path.utf8.dropFirst().allSatisfy({ $0 != UInt8(ascii: "/") }) {
            trailingSlash.path += "/"
        }
        var forms: [String] = []
        for subresources in [documentedSubresources, botocoreSubresources] {
            for form in [request, trailingSlash] {
                let resource = canonicalResource(form, bucket: bucket, subresources: subresources)
                if !forms.contains(resource) { forms.append(resource) }
            }
        }
        return forms
    }

    /// A V2 request time: RFC 1123 with `GMT` or a `+0000` offset (the form in AWS's own
    /// examples), or ISO 8601 basic.
    static func requestTime(_ value: String) -> Date? {
        if value.hasSuffix(" +0000") { return AmzDate.parseRFC1123(value.dropLast(5) + "GMT") }
        return AmzDate.parseRFC1123(value) ?? AmzDate.parseBasic(value)
    }

    /// The string to sign: method, Content-MD5, Content-Type, date line, then the canonical
    /// `x-amz-*` headers and the resource.
    static func stringToSign(_ request: SigV4Request, dateLine: String, resource: String) -> String {
        let contentMD5 = request.header("content-md5").map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let contentType = request.header("content-type").map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return [request.method, contentMD5, contentType, dateLine].joined(separator: "\n") + "\n"
            + amzHeaders(request) + resource
    }

    /// `name:value\n` for every `x-amz-*` header, names lowercased and sorted, the values of a
    /// repeated name joined by commas.
    static func amzHeaders(_ request: SigV4Request) -> String {
        var values: [String: [String]] = [:]
        for header in request.headers {
            let name = header.name.lowercased()
            guard name.hasPrefix("x-amz-") else { continue }
            values[name, default: []].append(CanonicalRequest.normalize(header.value))
        }
        return values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }
            .joined()
    }

    /// The path as sent (after `/bucket` for a virtual-hosted request), then the signed
    /// sub-resources of the query, sorted by name, values decoded.
    static func canonicalResource(_ request: SigV4Request, bucket: String?, subresources: Set<String>) -> String {
        var resource = bucket.map { "/" + $0 } ?? ""
        resource += request.path.isEmpty ? "/" : request.path
        var signed: [(name: String, piece: String)] = []
        for piece in request.query.split(separator: "&") {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard subresources.contains(name) else { continue }
            if parts.count > 1 {
                let value = PercentEncoding.decode(parts[1]).map { String(decoding: $0, as: UTF8.self) } ?? String(parts[1])
                signed.append((name, name + "=" + value))
            } else {
                signed.append((name, name))
            }
        }
        guard !signed.isEmpty else { return resource }
        return resource + "?" + signed.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }.map(\.piece).joined(separator: "&")
    }

    /// The sub-resources the AWS documentation (and Ceph RGW) sign.
    static let documentedSubresources: Set<String> = [
        "acl", "cors", "delete", "encryption", "legal-hold", "lifecycle", "location", "logging", "notification",
        "object-lock", "partNumber", "policy", "requestPayment", "restore", "retention", "tagging", "torrent",
        "uploadId", "uploads", "versionId", "versioning", "versions", "website",
        "response-cache-control", "response-content-disposition", "response-content-encoding",
        "response-content-language", "response-content-type", "response-expires",
    ]

    /// The sub-resources botocore (aws-cli v1, boto3 with `signature_version='s3'`) signs.
    static let botocoreSubresources: Set<String> = [
        "accelerate", "acl", "cors", "defaultObjectAcl", "location", "logging", "partNumber", "policy",
        "requestPayment", "torrent", "versioning", "versionId", "versions", "website", "uploads", "uploadId",
        "response-content-type", "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "delete", "lifecycle", "tagging", "restore",
        "storageClass", "notification", "replication", "analytics", "metrics", "inventory", "select",
        "select-type", "object-lock",
    ]
}
