import Foundation
public import Hummingbird
import HTTPTypes
public import Logging
import NIOCore
import SouverainAudit
import SouverainCatalogue
public import SouverainConsole
public import SouverainEngine
public import SouverainModel
public import SouverainS3
public import SouverainSigV4
import SouverainSTS

/// The HTTP face of Souverain: health and metrics, the web console (S3Server+Console.swift), and
/// every other request parsed as S3, authenticated (SigV4), authorised against the operation's required access, then dispatched to
/// its handler in `S3/`. Paths are not routed by Hummingbird's router: S3 keys are arbitrary
/// bytes, and the raw request target is what the signature covers.
public struct S3Server: HTTPResponder {
    public typealias Context = S3RequestContext

    let store: ObjectStore
    let verifier: SigV4Verifier
    /// Signature Version 2 (header and presigned URL); nil refuses it (the `signature-v2` setting).
    let signatureV2: SigV2Verifier?
    let addressing: S3Addressing
    /// The website endpoints' base domains (`<bucket>.<domain>`, the `website-domain` setting):
    /// none by default (S3/Website.swift).
    public var websiteAddressing = S3Addressing.pathStyle
    let metrics: ServerMetrics
    let logger: Logger
    /// Where every request leaves its record, before its response leaves; nil only in tests
    /// that do not exercise the trail.
    let audit: AuditTrail?
    let enforcement = EnforcementGate()
    /// Bucket policies, public access blocks, ownership controls and CORS rules, parsed, per bucket.
    let accessCache = BucketAccessCache()
    /// Which classifications may be made public, and which proxies are believed (docs/access.md).
    public var access = AccessSettings()
    /// How lifecycle counts days, for passes run through the admin API (docs/lifecycle.md).
    public var lifecycleDays = LifecycleDays.standard
    /// This gateway's id among several on one catalogue, sent with /health answers (docs/scale-out.md).
    public var gatewayID: String?
    /// Makes the signed compliance report for `GET /_souverain/report`; nil refuses it (S3Server+Report.swift).
    public var complianceReport: (@Sendable () async throws -> SignedComplianceReport)?
    /// Temporary credentials (docs/sts.md): nil serves no STS call and accepts no session key.
    public var sts: STSService?
    /// The web console's OpenID Connect sign-in (docs/console.md); nil offers only access keys.
    public var consoleOIDC: ConsoleOIDC?
    /// Largest header section accepted, in bytes of names and values (AWS allows 8 KiB).
    static let maximumHeaderBytes = 16 * 1024
    /// The reserved path of the admin API (not a valid bucket name, so never an S3 path).
    static let adminPrefix = "/_souverain/"

    public init(
        store: ObjectStore, verifier: SigV4Verifier, addressing: S3Addressing, metrics: ServerMetrics, logger: Logger,
        audit: AuditTrail?, signatureV2: SigV2Verifier? = SigV2Verifier()
    ) {
        self.store = store
        self.verifier = verifier
        self.signatureV2 = signatureV2
        self.addressing = addressing
        self.metrics = metrics
        self.logger = logger
        self.audit = audit
    }

    public func respond(to request: Request, context: S3RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let target = request.head.path ?? "/"
        let (path, query) = Self.split(target)
        if let response = await operationsEndpoint(path: path, method: request.method) { return response }
        if let response = consoleResponse(to: request, path: path, query: query, context: context) { return response }

        let requestID = RequestIdentifier.make()
        var call = S3Call(request: request, requestID: requestID, path: path, query: query, logger: logger, remoteAddress: context.remoteAddress)
        var response: Response
        var errorCode: String?
        do {
            response = path.hasPrefix(Self.adminPrefix) ? try await handleAdmin(&call) : try await handle(&call)
        } catch let error as STSError {
            // STS's own error form (S3Server+STS.swift).
            errorCode = error.code
            call.failure = error.message
            response = Response(
                status: HTTPResponse.Status(code: error.status), headers: [.contentType: "text/xml"],
                body: .init(byteBuffer: ByteBuffer(string: error.xmlBody(requestID: requestID))))
        } catch {
            let s3Error = S3Error.from(error, resource: path)
            if s3Error.status >= 500 {
                call.logger.error("request failed", metadata: ["error": "\(error)"])
            }
            errorCode = s3Error.code == .notModified ? nil : s3Error.code.name
            if errorCode != nil {
                // A refused request is recorded with the target it named, even unauthenticated.
                identifyUnverifiedTarget(&call)
                call.failure = s3Error.message
            }
            response = call.isWebsite
                ? Self.websiteErrorResponse(s3Error, requestID: requestID, isHead: request.method == .head)
                : Self.errorResponse(s3Error, requestID: requestID, isHead: request.method == .head)
        }
        await addCORSHeaders(to: &response, call)
        response.headers[.amzRequestID] = requestID
        response.headers[.amzID2] = requestID
        response.headers[.server] = "Souverain"
        let operation = call.operationName ?? "Unknown"
        if let audit {
            // The record is durable before the response leaves: no acknowledged request lacks one.
            do {
                try await audit.record(event(for: call, status: response.status.code, errorCode: errorCode, audit: audit))
            } catch {
                call.logger.critical("cannot write the audit record; refusing to acknowledge", metadata: ["error": "\(error)"])
                response = Self.errorResponse(
                    S3Error(.internalError, "We encountered an internal error. Please try again."), requestID: requestID,
                    isHead: request.method == .head)
                response.headers[.amzRequestID] = requestID
            }
        }
        let duration = ContinuousClock.now - started
        metrics.record(
            operation: operation, status: Int(response.status.code), bytesIn: call.bytesIn,
            bytesOut: call.bytesOut, duration: duration)
        if call.serverLogger.logLevel <= .info {
            call.logger.info("request", metadata: [
                "s3.operation": "\(operation)",
                "http.status": "\(response.status.code)",
                "duration_ms": "\(Double(duration.components.attoseconds / 1_000_000_000_000) / 1000 + Double(duration.components.seconds) * 1000)",
                "bytes_in": "\(call.bytesIn)",
                "bytes_out": "\(call.bytesOut)",
            ])
        }
        return response
    }

    /// `/health/live`, `/health/ready` and `/metrics`: no authentication, nothing secret.
    private func operationsEndpoint(path: String, method: HTTPRequest.Method) async -> Response? {
        guard method == .get || method == .head else { return nil }
        switch path {
        case "/health/live":
            return Response(status: .ok, headers: healthHeaders, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        case "/health/ready":
            // Ready means the catalogue answers: the S3 listener is up, since this request came through it.
            do {
                _ = try await store.catalogueStore.bucket(named: "health-probe")
                return Response(status: .ok, headers: healthHeaders, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                return Response(status: .serviceUnavailable, headers: healthHeaders,
                                body: .init(byteBuffer: ByteBuffer(string: "catalogue unavailable\n")))
            }
        case "/metrics":
            await refreshReplicaMetrics()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        default:
            return nil
        }
    }

    /// Authenticates, parses, authorises and dispatches one S3 request.
    private func handle(_ call: inout S3Call) async throws -> Response {
        if let bucket = websiteAddressing.bucket(fromHost: call.request.head.authority) { return try await serveWebsite(bucket, &call) }
        if call.request.method == .options { return try await preflight(&call) }
        if isSTSRequest(call) { return try await handleSTS(&call) }
        // Unsigned requests go on as anonymous: only a bucket policy or ACL can let them through.
        let user = try await authenticateIfSigned(&call)
        let operation = try S3Operation.parse(call.head, addressing: addressing)
        // A browser-form upload is signed in its body: it authenticates and authorises itself there.
        if case .notImplemented("PostObject", let bucket?, .none) = operation { return try await postObject(bucket, &call) }
        call.operation = operation
        call.operationName = operation.name
        call.logMetadata["s3.operation"] = "\(operation.name)"
        if let bucket = operation.bucket { call.logMetadata["s3.bucket"] = "\(bucket)" }
        // The one permission check: the role first (an auditor has no S3 access at all), then what
        // every operation states it needs on its bucket, and no ACL is accepted that is not honoured.
        if let user { try store.authorizeS3(user) }
        try ACLHeaders.refuseUnhonoured(operation, call.head)
        try await authorize(operation, user: user, &call)
        return try await dispatch(operation, &call)
    }

    /// Checks the signature and finds the user; fills in `call.user`, `call.signature`, `call.head`.
    /// An unsigned request is refused.
    func authenticate(_ call: inout S3Call) async throws -> User {
        guard let user = try await authenticateIfSigned(&call) else {
            throw S3Error(.accessDenied, "Anonymous access is not allowed: sign the request with an access key.")
        }
        return user
    }

    /// As `authenticate`, but an unsigned request gives nil (anonymous, `call.isAnonymous`).
    func authenticateIfSigned(_ call: inout S3Call) async throws -> User? {
        // HTTPTypes moves Host into the request's authority; the signature covers it as `host`.
        var headers = call.request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        if let authority = call.request.head.authority { headers.insert((name: "host", value: authority), at: 0) }
        guard headers.reduce(0, { $0 + $1.name.utf8.count + $1.value.utf8.count }) <= Self.maximumHeaderBytes else {
            throw S3Error(.requestHeaderSectionTooLarge, "Your request header section exceeds the maximum allowed size.")
        }
        let signed = SigV4Request(method: call.request.method.rawValue, path: call.path, query: call.query, headers: headers)
        call.claimedAccessKey = nil
        let user: User
        if let authentication = try SigV2Authentication(request: signed) {
            guard let signatureV2 else {
                throw S3Error(.accessDenied, "Signature Version 2 is turned off on this server: sign the request with Signature Version 4.")
            }
            user = try await self.user(claiming: authentication.accessKeyID, &call)
            call.signature = try signatureV2.verify(
                authentication, secretAccessKey: try await secretAccessKey(of: user, call), request: signed,
                virtualHostBucket: addressing.bucket(fromHost: call.request.head.authority), now: Date())
        } else {
            guard let authentication = try verifier.parse(signed) else {
                call.isAnonymous = true
                call.head = S3RequestHead(
                    method: call.request.method.rawValue, path: call.path, query: call.query,
                    host: call.request.head.authority, headers: headers)
                return nil
            }
            user = try await self.user(claiming: authentication.accessKeyID, &call)
            call.signature = try verifier.verify(
                authentication, secretAccessKey: try await secretAccessKey(of: user, call), request: signed, now: Date())
        }
        call.user = user
        call.head = S3RequestHead(
            method: call.request.method.rawValue, path: call.path, query: call.query,
            host: call.request.head.authority, headers: headers)
        return user
    }

    /// The user an access key names, before its signature is checked (recorded as claimed).
    func user(claiming accessKeyID: String, _ call: inout S3Call) async throws -> User {
        call.claimedAccessKey = accessKeyID
        if Session.isSessionKey(accessKeyID) { return try await sessionUser(claiming: accessKeyID, &call) }
        guard let user = try await store.catalogueStore.user(accessKeyID: accessKeyID) else {
            throw S3Error(.invalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records.")
        }
        call.logMetadata["user"] = "\(user.name)"
        return user
    }

    private func dispatch(_ operation: S3Operation, _ call: inout S3Call) async throws -> Response {
        switch operation {
        case .listBuckets: return try await listBuckets(&call)
        case .createBucket(let bucket): return try await createBucket(bucket, &call)
        case .headBucket(let bucket): return try await headBucket(bucket, &call)
        case .deleteBucket(let bucket): return try await deleteBucket(bucket, &call)
        case .getBucketLocation(let bucket): return try await getBucketLocation(bucket, &call)
        case .getBucketVersioning(let bucket): return try await getBucketVersioning(bucket, &call)
        case .getBucketAcl(let bucket): return try await getBucketAcl(bucket, &call)
        case .putBucketAcl(let bucket): return try await putBucketAcl(bucket, &call)
        case .getBucketEncryption(let bucket): return try await getBucketEncryption(bucket, &call)
        case .putBucketEncryption(let bucket): return try await putBucketEncryption(bucket, &call)
        case .deleteBucketEncryption(let bucket): return try await deleteBucketEncryption(bucket, &call)
        case .listObjectsV1(let bucket): return try await listObjects(bucket, version: 1, &call)
        case .listObjectsV2(let bucket): return try await listObjects(bucket, version: 2, &call)
        case .listMultipartUploads(let bucket): return try await listMultipartUploads(bucket, &call)
        case .deleteObjects(let bucket): return try await deleteObjects(bucket, &call)
        case .putObject(let bucket, let key): return try await putObject(bucket, key, &call)
        case .copyObject(let bucket, let key, let source): return try await copyObject(bucket, key, source, &call)
        case .getObject(let bucket, let key): return try await getObject(bucket, key, isHead: false, &call)
        case .headObject(let bucket, let key): return try await getObject(bucket, key, isHead: true, &call)
        case .deleteObject(let bucket, let key): return try await deleteObject(bucket, key, &call)
        case .getObjectAcl(let bucket, let key): return try await getObjectAcl(bucket, key, &call)
        case .putObjectAcl(let bucket, let key): return try await putObjectAcl(bucket, key, &call)
        case .getObjectAttributes(let bucket, let key): return try await getObjectAttributes(bucket, key, &call)
        case .createMultipartUpload(let bucket, let key): return try await createMultipartUpload(bucket, key, &call)
        case .uploadPart(let bucket, let key, let uploadID, let partNumber):
            return try await uploadPart(bucket, key, uploadID, partNumber, &call)
        case .uploadPartCopy(let bucket, let key, let uploadID, let partNumber, let source):
            return try await uploadPartCopy(bucket, key, uploadID, partNumber, source, &call)
        case .completeMultipartUpload(let bucket, let key, let uploadID):
            return try await completeMultipartUpload(bucket, key, uploadID, &call)
        case .abortMultipartUpload(let bucket, let key, let uploadID):
            return try await abortMultipartUpload(bucket, key, uploadID, &call)
        case .listParts(let bucket, let key, let uploadID): return try await listParts(bucket, key, uploadID, &call)
        case .putBucketLifecycleConfiguration(let bucket): return try await putBucketLifecycleConfiguration(bucket, &call)
        case .getBucketLifecycleConfiguration(let bucket): return try await getBucketLifecycleConfiguration(bucket, &call)
        case .deleteBucketLifecycle(let bucket): return try await deleteBucketLifecycle(bucket, &call)
        case .putBucketVersioning(let bucket): return try await putBucketVersioning(bucket, &call)
        case .listObjectVersions(let bucket): return try await listObjectVersions(bucket, &call)
        case .getObjectLockConfiguration(let bucket): return try await getObjectLockConfiguration(bucket, &call)
        case .putObjectLockConfiguration(let bucket): return try await putObjectLockConfiguration(bucket, &call)
        case .getObjectRetention(let bucket, let key): return try await getObjectRetention(bucket, key, &call)
        case .putObjectRetention(let bucket, let key): return try await putObjectRetention(bucket, key, &call)
        case .getObjectLegalHold(let bucket, let key): return try await getObjectLegalHold(bucket, key, &call)
        case .putObjectLegalHold(let bucket, let key): return try await putObjectLegalHold(bucket, key, &call)
        case .getObjectTagging(let bucket, let key): return try await getObjectTagging(bucket, key, &call)
        case .putObjectTagging(let bucket, let key): return try await putObjectTagging(bucket, key, &call)
        case .deleteObjectTagging(let bucket, let key): return try await deleteObjectTagging(bucket, key, &call)
        case .bucketAccess(let access, let bucket): return try await bucketAccess(access, bucket, &call)
        case .bucketConfiguration(let configuration, let bucket): return try await bucketConfiguration(configuration, bucket, &call)
        case .notImplemented(let name, _, _):
            throw S3Error(.notImplemented, "\(name) is not implemented by Souverain.")
        }
    }

    /// What an S3 permission asks of the bucket; nil when any authenticated user may proceed.
    static func accessLevel(_ permission: S3Permission) -> AccessLevel? {
        switch permission {
        case .authenticated: nil
        case .read: .read
        case .write: .write
        case .owner: .owner
        }
    }

    static func split(_ target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    static func errorResponse(_ error: S3Error, requestID: String, isHead: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/xml"]
        if error.code == .invalidRange, let size = error.extra.first(where: { $0.0 == "ActualObjectSize" })?.1 {
            headers[.contentRange] = "bytes */\(size)"
        }
        let status = HTTPResponse.Status(code: error.status)
        if error.code == .notModified, let etag = error.extra.first(where: { $0.0 == "ETag" })?.1 {
            headers[.eTag] = etag
            headers[.contentType] = nil
        }
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        if isHead || error.code == .notModified {
            return Response(status: status, headers: headers, body: .init())
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: error.xmlBody(requestID: requestID))))
    }
}

/// What a handler knows about the request it serves.
struct S3Call {
    let request: Request
    let requestID: String
    let path: String
    /// The raw query string; a website request (which takes none) clears it.
    var query: String
    /// The server's logger, without this request's metadata.
    let serverLogger: Logger
    /// This request's log metadata (request ID, remote address, operation, bucket, user), attached
    /// when `logger` is read. Attaching each key as it became known made swift-log's
    /// StreamLogHandler render the whole metadata again every time: 4% of a small HEAD's CPU, for
    /// a log line the default level never prints.
    var logMetadata: Logger.Metadata = [:]
    let remoteAddress: String?
    var head = S3RequestHead(method: "GET", path: "/")
    var signature: VerifiedSignature?
    var user: User?
    /// The temporary credentials' session the request was made with (S3Server+STS.swift).
    var session: SessionContext?
    /// Whether the request carried no signature at all (served only when a policy or ACL allows it).
    var isAnonymous = false
    /// Whether the request came to a website endpoint (`<bucket>.<website domain>`): its errors
    /// are HTML pages (S3/Website.swift).
    var isWebsite = false
    /// The client's address as policies see it (`aws:SourceIp`): the TCP peer, or the address a
    /// trusted proxy forwarded for.
    var sourceAddress: String?
    /// The access key the request claims, verified or not, for the trail.
    var claimedAccessKey: String?
    var operation: S3Operation?
    /// The operation's name for logs, metrics and the trail (an S3 name, or an admin API one).
    var operationName: String?
    /// The bucket the operation addresses, once authorised.
    var bucket: BucketRecord?
    /// The object version the operation read, wrote or removed, for the trail (else `?versionId=`).
    var versionID: String?
    /// The bucket an admin API call names (`?bucket=`), for the trail, authorised or not.
    var adminBucket: String?
    /// Why the request failed (the S3 error's message), for the trail.
    var failure: String?
    /// What a successful request changed, when the trail needs more than its operation and target
    /// (a lifecycle configuration set or deleted).
    var detail: String?
    var bytesIn: Int64 = 0
    var bytesOut: Int64 = 0
    /// The storage locations the operation read, wrote or deleted at, for the trail.
    var locationsTouched: [(id: String, direction: AuditLocationAccess.Direction)] = []

    mutating func touched(_ location: String, _ direction: AuditLocationAccess.Direction) {
        if !locationsTouched.contains(where: { $0.id == location && $0.direction == direction }) {
            locationsTouched.append((location, direction))
        }
    }

    init(request: Request, requestID: String, path: String, query: String, logger: Logger, remoteAddress: String?) {
        self.request = request
        self.requestID = requestID
        self.path = path
        self.query = query
        self.serverLogger = logger
        logMetadata["request_id"] = "\(requestID)"
        if let remoteAddress { logMetadata["remote"] = "\(remoteAddress)" }
        self.remoteAddress = remoteAddress
    }

    /// The server's logger with this request's metadata.
    var logger: Logger {
        var logger = serverLogger
        logger.handler.metadata.merge(logMetadata) { _, requests in requests }
        return logger
    }

    /// The decoded query parameters, first value of each name.
    var queryParameters: [String: String] {
        var out: [String: String] = [:]
        for (name, value) in S3URLEncoding.parseQuery(query) where out[name] == nil { out[name] = value }
        return out
    }

    func header(_ name: String) -> String? { head.header(name) }

    /// The request as S3 parses it, before (or without) its signature: the Host first, as a
    /// signature covers it.
    var unsignedHead: S3RequestHead {
        var headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        if let authority = request.head.authority { headers.insert((name: "host", value: authority), at: 0) }
        return S3RequestHead(method: request.method.rawValue, path: path, query: query, host: request.head.authority, headers: headers)
    }
}

/// Request ids: 16 uppercase hex characters, like AWS's.
enum RequestIdentifier {
    /// 16 uppercase hex digits from one draw of the system's generator (one `getrandom`, where a
    /// draw per byte was eight of them on every request).
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = String(generator.next() as UInt64, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension HTTPField.Name {
    static let amzRequestID = HTTPField.Name("x-amz-request-id")!
    static let amzID2 = HTTPField.Name("x-amz-id-2")!
}
