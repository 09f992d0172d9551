import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3
import SouverainSigV4

extension S3Server {
    /// Form fields that become the object's headers, as a PUT would send them (plus `x-amz-meta-*`).
    static let formHeaderFields: Set<String> = [
        "cache-control", "content-type", "content-disposition", "content-encoding", "content-language", "expires", "x-amz-acl",
        "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-storage-class",
    ]

    /// PostObject, a browser-form upload (docs/access.md): `POST /BUCKET` with a
    /// `multipart/form-data` body whose fields carry the key, the object's headers, a base64 policy
    /// document and its Signature V4; the `file` field's bytes stream to the store like a PUT's.
    ///
    /// The caller is the policy's signer (or anonymous, for a form without a policy, served only
    /// where a bucket policy or ACL lets anyone write); the form must meet every condition of the
    /// policy, which may also bound the file's size; then the upload is authorised and recorded as
    /// a PutObject of that caller would be.
    func postObject(_ bucket: String, _ call: inout S3Call) async throws -> Response {
        call.operationName = "PostObject"
        call.operation = .notImplemented(name: "PostObject", bucket: bucket, key: nil)
        guard let contentType = call.request.headers[.contentType], let boundary = MultipartForm.boundary(contentType: contentType) else {
            throw S3Error(.preconditionFailed, "Bucket POST must be of the enclosure-type multipart/form-data")
        }
        let source = FormBodySource(call.request.body)
        var buffered: [UInt8] = []
        var parsed: MultipartForm.Head?
        while parsed == nil {
            guard let chunk = try await source.next() else {
                throw S3Error(.malformedPOSTRequest, "The body of your POST request ended before its file field.")
            }
            buffered.append(contentsOf: chunk.readableBytesView)
            // The start can only become complete with a line feed (every delimiter ends a line).
            guard chunk.readableBytesView.contains(10) || buffered.count > MultipartForm.maximumFieldBytes else { continue }
            parsed = try MultipartForm.head(buffered, boundary: boundary)
        }
        let form = parsed!
        var fields: [String: String] = [:]
        for (name, value) in form.fields {
            let lowercased = name.lowercased()
            guard fields[lowercased] == nil else { throw S3Error(.invalidArgument, "The form field \(name) is given more than once.") }
            fields[lowercased] = value
        }
        guard var key = fields["key"], !key.isEmpty else {
            throw S3Error(.invalidArgument, "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
        }
        // The key may name the uploaded file; conditions apply to the key once expanded, as in AWS.
        key = key.replacingOccurrences(of: "${filename}", with: form.fileName ?? "")
        guard key.utf8.count <= S3Operation.maximumKeyLength else {
            throw S3Error(.keyTooLongError, "Your key is too long")
        }
        fields["key"] = key
        fields["bucket"] = bucket
        call.operation = .putObject(bucket: bucket, key: key)

        let (user, policy) = try await postPolicyCaller(fields, &call)
        call.isAnonymous = user == nil
        var headers: [(name: String, value: String)] = []
        if let authority = call.request.head.authority { headers.append(("host", authority)) }
        for (name, value) in fields.sorted(by: { $0.key < $1.key })
        where Self.formHeaderFields.contains(name) || name.hasPrefix("x-amz-meta-") {
            headers.append((name, value))
        }
        call.head = S3RequestHead(method: "POST", path: call.path, query: call.query, host: call.request.head.authority, headers: headers)
        let operation = S3Operation.putObject(bucket: bucket, key: key)
        if let user { try store.authorizeS3(user) }
        try ACLHeaders.refuseUnhonoured(operation, call.head)
        try await authorize(operation, user: user, &call)

        var metadata = try ObjectHeaders.metadata(from: call.head)
        metadata.acl = try await requestedObjectACL(call)
        (metadata.serverSideEncryption, metadata.kmsKeyARN) = try await requestedEncryption(call, bucket: bucket)
        let sizes = policy?.sizeRange
        let minimum = sizes?.lowerBound ?? 0
        let body = FormFileBody(
            source: source, boundary: boundary, initial: form.fileBytes,
            limit: min(sizes?.upperBound ?? ObjectStore.maximumBlobSize, ObjectStore.maximumBlobSize))
        let checks = ObjectStore.WriteChecks(checksums: []) { result in
            if result.byteCount < minimum {
                throw S3Error(.entityTooSmall, "Your proposed upload is smaller than the minimum allowed size")
            }
        }
        let record = try await store.putObject(bucket: call.bucket!, key: key, metadata: metadata, body: body, checks: checks)
        // What follows the file (the closing boundary, fields AWS ignores) is read and dropped, so
        // the connection can carry the next request.
        while try await source.next() != nil {}
        call.bytesIn = record.size
        call.versionID = record.versionID
        for location in record.writtenAt { call.touched(location, .write) }
        return Self.postAnswer(fields, bucket: bucket, key: key, etag: "\"\(record.etag)\"", secure: access.servesTLS, host: call.request.head.authority)
    }

    /// The signer of the form's policy and the policy, once the signature and every condition hold;
    /// (nil, nil) for a form without a policy (an anonymous upload).
    func postPolicyCaller(_ fields: [String: String], _ call: inout S3Call) async throws -> (User?, PostPolicy?) {
        guard let policyText = fields["policy"] else {
            if fields["x-amz-signature"] != nil || fields["x-amz-credential"] != nil || fields["awsaccesskeyid"] != nil {
                throw S3Error(.invalidArgument, "Bucket POST must contain a field named 'policy' when it is signed.")
            }
            return (nil, nil)
        }
        guard fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256" else {
            throw S3Error(.invalidArgument,
                          "Bucket POST must contain a field named 'x-amz-algorithm' with the value AWS4-HMAC-SHA256 (Signature Version 4).")
        }
        for name in ["x-amz-credential", "x-amz-date", "x-amz-signature"] where fields[name] == nil {
            throw S3Error(.invalidArgument, "Bucket POST must contain a field named '\(name)'.")
        }
        guard let scope = PostPolicySignature(credential: fields["x-amz-credential"]!) else {
            throw S3Error(.invalidArgument, "The x-amz-credential field is malformed: expected KEY/YYYYMMDD/REGION/s3/aws4_request.")
        }
        guard scope.service == "s3", scope.region == store.region else {
            throw S3Error(.invalidArgument, "The x-amz-credential field names the region '\(scope.region)' and service '\(scope.service)'; expecting '\(store.region)' and 's3'.")
        }
        let user = try await self.user(claiming: scope.accessKeyID, &call)
        let secret = try await store.secretAccessKey(of: user)
        guard scope.verify(fields["x-amz-signature"]!, policy: policyText, secretAccessKey: secret) else {
            throw S3Error(.signatureDoesNotMatch, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        }
        call.user = user
        let policy = try PostPolicy(base64: policyText)
        try policy.check(fields: fields, now: Date())
        return (user, policy)
    }

    /// 303 to `success_action_redirect` (with bucket, key and ETag in its query), else the status
    /// `success_action_status` asks for: 200 or 204 empty, 201 with a `PostResponse` document;
    /// 204 by default, as AWS.
    static func postAnswer(_ fields: [String: String], bucket: String, key: String, etag: String, secure: Bool, host: String?) -> Response {
        let location = "\(secure ? "https" : "http")://\(host ?? "localhost")/\(S3URLEncoding.encode(bucket))/\(S3URLEncoding.encode(key, keepSlash: true))"
        var headers: HTTPFields = [.eTag: etag, .location: location]
        if let redirect = fields["success_action_redirect"] ?? fields["redirect"], var target = URLComponents(string: redirect),
           let scheme = target.scheme?.lowercased(), scheme == "http" || scheme == "https" {
            target.queryItems = (target.queryItems ?? []) + [
                URLQueryItem(name: "bucket", value: bucket), URLQueryItem(name: "key", value: key), URLQueryItem(name: "etag", value: etag),
            ]
            if let url = target.string {
                headers[.location] = url
                return Response(status: .seeOther, headers: headers)
            }
        }
        switch fields["success_action_status"] {
        case "200": return Response(status: .ok, headers: headers)
        case "201":
            return xmlResponse(PostResponse(location: location, bucket: bucket, key: key, etag: etag).xml(), status: .created, headers: headers)
        default: return Response(status: .noContent, headers: headers)
        }
    }
}

/// The request body's iterator, shared by the handler (which reads the fields) and the body it
/// then hands to the store (which reads the file).
final class FormBodySource: @unchecked Sendable {
    // @unchecked: one reader at a time, in sequence: the handler until the file starts, then the
    // store's writer until the file ends, then the handler again; never two at once.
    private var iterator: RequestBody.AsyncIterator

    init(_ body: RequestBody) { iterator = body.makeAsyncIterator() }

    func next() async throws -> ByteBuffer? { try await iterator.next() }
}

/// The bytes of the form's `file` field, up to its closing boundary; fails with EntityTooLarge
/// past `limit` (the policy's content-length-range maximum) and IncompleteBody when the body ends
/// first.
struct FormFileBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    typealias Failure = any Error

    let source: FormBodySource
    let boundary: String
    let initial: [UInt8]
    let limit: Int64

    func makeAsyncIterator() -> Iterator {
        Iterator(source: source, scanner: MultipartForm.FileScanner(boundary: boundary), initial: initial, limit: limit)
    }

    struct Iterator: AsyncIteratorProtocol {
        let source: FormBodySource
        var scanner: MultipartForm.FileScanner
        var initial: [UInt8]?
        let limit: Int64
        var count: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            while !scanner.finished {
                let input: [UInt8]
                if let first = initial {
                    initial = nil
                    input = first
                } else {
                    guard let chunk = try await source.next() else {
                        throw S3Error(.incompleteBody, "The body of your POST request ended before the end of its file.")
                    }
                    input = Array(chunk.readableBytesView)
                }
                let bytes = scanner.feed(input)
                count += Int64(bytes.count)
                if count > limit { throw S3Error(.entityTooLarge, "Your proposed upload exceeds the maximum allowed size") }
                if !bytes.isEmpty { return ByteBuffer(bytes: bytes) }
            }
            return nil
        }
    }
}
