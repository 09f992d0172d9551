import Testing
import SouverainS3

private let addressing = S3Addressing(virtualHostBaseDomains: ["s3.example.org", "localhost"])
private let exactly1024 = String(repeating: "a", count: 1022) + "é"  // 1022 + 2 = 1024 bytes
private let over1024 = String(repeating: "a", count: 1025)
private let src = CopySource(bucket: "src", key: "a b/c+d", versionID: nil)

struct OperationCase: Sendable, CustomTestStringConvertible {
    let method: String
    let target: String
    let host: String?
    let headers: [(name: String, value: String)]
    let expected: S3Operation

    init(_ method: String, _ target: String, host: String? = "127.0.0.1:9000",
         headers: [(name: String, value: String)] = [], _ expected: S3Operation) {
        self.method = method
        self.target = target
        self.host = host
        self.headers = headers
        self.expected = expected
    }

    var testDescription: String { "\(method) \(host ?? "-") \(target.prefix(80))" }
}

private let copyHeader = [(name: "X-Amz-Copy-Source", value: "/src/a%20b/c+d")]

/// Path-style requests.
private let pathStyleCases: [OperationCase] = [
    OperationCase("GET", "/", .listBuckets),
    OperationCase("GET", "/?x-id=ListBuckets&max-buckets=10", .listBuckets),
    OperationCase("PUT", "/b", .createBucket(bucket: "b")),
    OperationCase("PUT", "/b/", .createBucket(bucket: "b")),
    OperationCase("HEAD", "/b", .headBucket(bucket: "b")),
    OperationCase("HEAD", "/b?acl", .headBucket(bucket: "b")),
    OperationCase("DELETE", "/b", .deleteBucket(bucket: "b")),
    OperationCase("GET", "/b?location", .getBucketLocation(bucket: "b")),
    OperationCase("GET", "/b?location=", .getBucketLocation(bucket: "b")),
    OperationCase("GET", "/b?versioning", .getBucketVersioning(bucket: "b")),
    OperationCase("GET", "/b?acl", .getBucketAcl(bucket: "b")),
    OperationCase("GET", "/b", .listObjectsV1(bucket: "b")),
    OperationCase("GET", "/b/", .listObjectsV1(bucket: "b")),
    OperationCase("GET", "/b?prefix=a%2F&delimiter=%2F&max-keys=10&marker=x&encoding-type=url", .listObjectsV1(bucket: "b")),
    OperationCase("GET", "/b?list-type=1", .listObjectsV1(bucket: "b")),
    OperationCase("GET", "/b?list-type=2", .listObjectsV2(bucket: "b")),
    OperationCase("GET", "/b?list-type=2&prefix=&delimiter=&continuation-token=abc%3D&start-after=&fetch-owner=true&x-id=ListObjectsV2",
                  .listObjectsV2(bucket: "b")),
    OperationCase("GET", "/b?uploads", .listMultipartUploads(bucket: "b")),
    OperationCase("GET", "/b?uploads&key-marker=&upload-id-marker=&max-uploads=5&prefix=p", .listMultipartUploads(bucket: "b")),
    OperationCase("POST", "/b?delete", .deleteObjects(bucket: "b")),
    OperationCase("POST", "/b?delete=&x-id=DeleteObjects", .deleteObjects(bucket: "b")),
    OperationCase("PUT", "/b/k", .putObject(bucket: "b", key: "k")),
    OperationCase("PUT", "/b/k?x-id=PutObject", .putObject(bucket: "b", key: "k")),
    OperationCase("PUT", "/b/k?partNumber=5", .putObject(bucket: "b", key: "k")),
    OperationCase("PUT", "/b/k", headers: copyHeader, .copyObject(bucket: "b", key: "k", source: src)),
    OperationCase("PUT", "/b/k?x-id=CopyObject", headers: [(name: "x-amz-copy-source", value: "src/a%20b/c+d?versionId=v%2B1")],
                  .copyObject(bucket: "b", key: "k", source: CopySource(bucket: "src", key: "a b/c+d", versionID: "v+1"))),
    OperationCase("GET", "/b/k", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?versionId=v1&response-content-type=text%2Fplain&response-content-disposition=inline",
                  .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc&X-Amz-Security-Token=",
                  .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?AWSAccessKeyId=AK&Signature=abc%2B&Expires=1700000000", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?partNumber=1", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?x-id=GetObject", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?cachebuster=123", .getObject(bucket: "b", key: "k")),
    OperationCase("HEAD", "/b/k", .headObject(bucket: "b", key: "k")),
    OperationCase("HEAD", "/b/k?partNumber=2&versionId=v", .headObject(bucket: "b", key: "k")),
    OperationCase("DELETE", "/b/k", .deleteObject(bucket: "b", key: "k")),
    OperationCase("DELETE", "/b/k?versionId=v1", .deleteObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?acl", .getObjectAcl(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?acl&versionId=v", .getObjectAcl(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?attributes", .getObjectAttributes(bucket: "b", key: "k")),
    OperationCase("POST", "/b/k?uploads", .createMultipartUpload(bucket: "b", key: "k")),
    OperationCase("POST", "/b/k?uploads=&x-id=CreateMultipartUpload", .createMultipartUpload(bucket: "b", key: "k")),
    OperationCase("PUT", "/b/k?partNumber=3&uploadId=u1", .uploadPart(bucket: "b", key: "k", uploadID: "u1", partNumber: 3)),
    OperationCase("PUT", "/b/k?uploadId=u%2B1&partNumber=10000&x-id=UploadPart",
                  .uploadPart(bucket: "b", key: "k", uploadID: "u+1", partNumber: 10000)),
    OperationCase("PUT", "/b/k?partNumber=01&uploadId=u1", .uploadPart(bucket: "b", key: "k", uploadID: "u1", partNumber: 1)),
    OperationCase("PUT", "/b/k?partNumber=7&uploadId=u1", headers: copyHeader,
                  .uploadPartCopy(bucket: "b", key: "k", uploadID: "u1", partNumber: 7, source: src)),
    OperationCase("POST", "/b/k?uploadId=u1", .completeMultipartUpload(bucket: "b", key: "k", uploadID: "u1")),
    OperationCase("DELETE", "/b/k?uploadId=u1", .abortMultipartUpload(bucket: "b", key: "k", uploadID: "u1")),
    OperationCase("GET", "/b/k?uploadId=u1", .listParts(bucket: "b", key: "k", uploadID: "u1")),
    OperationCase("GET", "/b/k?uploadId=u1&max-parts=2&part-number-marker=1", .listParts(bucket: "b", key: "k", uploadID: "u1")),
    OperationCase("GET", "/b/k?uploadId=a+b", .listParts(bucket: "b", key: "k", uploadID: "a b")),
    // Not implemented, by name.
    OperationCase("OPTIONS", "/b/k", .notImplemented(name: "Options", bucket: "b", key: "k")),
    OperationCase("OPTIONS", "/b", .notImplemented(name: "Options", bucket: "b", key: nil)),
    OperationCase("POST", "/b", .notImplemented(name: "PostObject", bucket: "b", key: nil)),
    OperationCase("GET", "/b?analytics", .notImplemented(name: "ListBucketAnalyticsConfigurations", bucket: "b", key: nil)),
    OperationCase("GET", "/b?analytics&id=a", .notImplemented(name: "GetBucketAnalyticsConfiguration", bucket: "b", key: nil)),
    OperationCase("PUT", "/b?policy", .bucketAccess(.putBucketPolicy, bucket: "b")),
    OperationCase("GET", "/b/k?tagging", .getObjectTagging(bucket: "b", key: "k")),
    OperationCase("PUT", "/b/k?tagging&versionId=v1", .putObjectTagging(bucket: "b", key: "k")),
    OperationCase("DELETE", "/b/k?tagging", .deleteObjectTagging(bucket: "b", key: "k")),
    OperationCase("PUT", "/b?lifecycle", .putBucketLifecycleConfiguration(bucket: "b")),
    OperationCase("GET", "/b?lifecycle", .getBucketLifecycleConfiguration(bucket: "b")),
    OperationCase("DELETE", "/b?lifecycle", .deleteBucketLifecycle(bucket: "b")),
    OperationCase("POST", "/b/k?select&select-type=2", .notImplemented(name: "SelectObjectContent", bucket: "b", key: "k")),
    OperationCase("PUT", "/b?versioning", .putBucketVersioning(bucket: "b")),
    OperationCase("GET", "/b?object-lock", .getObjectLockConfiguration(bucket: "b")),
    OperationCase("PUT", "/b?object-lock", .putObjectLockConfiguration(bucket: "b")),
    OperationCase("GET", "/b/k?retention&versionId=v1", .getObjectRetention(bucket: "b", key: "k")),
    OperationCase("PUT", "/b/k?retention", .putObjectRetention(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?legal-hold", .getObjectLegalHold(bucket: "b", key: "k")),
    OperationCase("PUT", "/b/k?legal-hold", .putObjectLegalHold(bucket: "b", key: "k")),
    OperationCase("PUT", "/b/k?acl", headers: copyHeader, .putObjectAcl(bucket: "b", key: "k")),
    OperationCase("GET", "/b?versions", .listObjectVersions(bucket: "b")),
    OperationCase("GET", "/b?tagging&list-type=2", .bucketConfiguration(.getBucketTagging, bucket: "b")),
    OperationCase("DELETE", "/b?website", .bucketConfiguration(.deleteBucketWebsite, bucket: "b")),
    OperationCase("PUT", "/b?requestPayment", .bucketConfiguration(.putBucketRequestPayment, bucket: "b")),
    OperationCase("GET", "/b?metrics", .notImplemented(name: "ListBucketMetricsConfigurations", bucket: "b", key: nil)),
    // Unknown subresources (valueless) and unknown parameters (with a value).
    OperationCase("GET", "/b?foo", .notImplemented(name: "GetBucketUnknown", bucket: "b", key: nil)),
    OperationCase("GET", "/b?foo=", .notImplemented(name: "GetBucketUnknown", bucket: "b", key: nil)),
    OperationCase("DELETE", "/b?foo", .notImplemented(name: "DeleteBucketUnknown", bucket: "b", key: nil)),
    OperationCase("GET", "/b?foo=bar", .listObjectsV1(bucket: "b")),
    OperationCase("PUT", "/b/k?foo", .notImplemented(name: "PutObjectUnknown", bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?versioning", .notImplemented(name: "GetObjectUnknown", bucket: "b", key: "k")),
    OperationCase("POST", "/b/k?bar", .notImplemented(name: "PostObjectUnknown", bucket: "b", key: "k")),
    OperationCase("GET", "/b/k?torrent&foo", .notImplemented(name: "GetObjectTorrent", bucket: "b", key: "k")),
    OperationCase("GET", "/b?foo&acl", .getBucketAcl(bucket: "b")),
]

/// Keys that clients are known to trip on.
private let hostileKeyCases: [OperationCase] = [
    OperationCase("PUT", "/b/%26%2B-%C3%A9%22", .putObject(bucket: "b", key: "&+-é\"")),
    OperationCase("PUT", "/b/&+-%C3%A9%22", .putObject(bucket: "b", key: "&+-é\"")),
    OperationCase("GET", "/b/../x", .getObject(bucket: "b", key: "../x")),
    OperationCase("GET", "/b/..%2Fx", .getObject(bucket: "b", key: "../x")),
    OperationCase("GET", "/b//a//", .getObject(bucket: "b", key: "/a//")),
    OperationCase("GET", "/b/a%2Fb", .getObject(bucket: "b", key: "a/b")),
    OperationCase("GET", "/b/%2F", .getObject(bucket: "b", key: "/")),
    OperationCase("GET", "/b//", .getObject(bucket: "b", key: "/")),
    OperationCase("GET", "/b/dir/", .getObject(bucket: "b", key: "dir/")),
    OperationCase("GET", "/b/.", .getObject(bucket: "b", key: ".")),
    OperationCase("GET", "/b/a+b", .getObject(bucket: "b", key: "a+b")),
    OperationCase("GET", "/b/a%2Bb", .getObject(bucket: "b", key: "a+b")),
    OperationCase("GET", "/b/a%20b", .getObject(bucket: "b", key: "a b")),
    OperationCase("GET", "/b/%E2%9C%93%F0%9F%98%80", .getObject(bucket: "b", key: "✓😀")),
    OperationCase("GET", "/b/%00%01%0D%0A", .getObject(bucket: "b", key: "\u{0}\u{1}\r\n")),
    OperationCase("GET", "/b/%3F%23%25", .getObject(bucket: "b", key: "?#%")),
    OperationCase("GET", "/b/" + exactly1024, .getObject(bucket: "b", key: exactly1024)),
    OperationCase("GET", "/b/" + S3URLEncoding.encode(exactly1024), .getObject(bucket: "b", key: exactly1024)),
    OperationCase("GET", "/b/uploads?x=uploads", .getObject(bucket: "b", key: "uploads")),
    OperationCase("GET", "/b%2Dx/k", .getObject(bucket: "b-x", key: "k")),
]

/// Virtual-hosted-style requests, and hosts that fall back to path style.
private let virtualHostCases: [OperationCase] = [
    OperationCase("GET", "/", host: "b.s3.example.org", .listObjectsV1(bucket: "b")),
    OperationCase("GET", "/?list-type=2", host: "b.s3.example.org:9000", .listObjectsV2(bucket: "b")),
    OperationCase("PUT", "/", host: "b.s3.example.org", .createBucket(bucket: "b")),
    OperationCase("PUT", "/k", host: "b.s3.example.org:9000", .putObject(bucket: "b", key: "k")),
    OperationCase("GET", "/dir/k", host: "my.dotted.bucket.s3.example.org", .getObject(bucket: "my.dotted.bucket", key: "dir/k")),
    OperationCase("GET", "/k", host: "B.S3.Example.Org", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/k", host: "b.s3.example.org.", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "//a", host: "b.s3.example.org", .getObject(bucket: "b", key: "/a")),
    OperationCase("GET", "/b/k", host: "b.s3.example.org", .getObject(bucket: "b", key: "b/k")),
    OperationCase("GET", "/?location", host: "b.s3.example.org", .getBucketLocation(bucket: "b")),
    OperationCase("POST", "/?delete", host: "b.s3.example.org", .deleteObjects(bucket: "b")),
    OperationCase("GET", "/k", host: "b.localhost:9000", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/", host: "s3.example.org", .listBuckets),
    OperationCase("GET", "/b/k", host: "s3.example.org:443", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k", host: "localhost:9000", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k", host: "xs3.example.org", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k", host: ".s3.example.org", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k", host: "10.0.0.1:9000", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k", host: "[::1]:9000", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k", host: "other.example.com", .getObject(bucket: "b", key: "k")),
    OperationCase("GET", "/b/k", host: nil, .getObject(bucket: "b", key: "k")),
]

struct ErrorCase: Sendable, CustomTestStringConvertible {
    let method: String
    let target: String
    let headers: [(name: String, value: String)]
    let code: S3ErrorCode

    init(_ method: String, _ target: String, headers: [(name: String, value: String)] = [], _ code: S3ErrorCode) {
        self.method = method
        self.target = target
        self.headers = headers
        self.code = code
    }

    var testDescription: String { "\(method) \(target.prefix(60)) → \(code)" }
}

private let errorCases: [ErrorCase] = [
    ErrorCase("GET", "/b/%zz", .invalidURI),
    ErrorCase("GET", "/b/a%2", .invalidURI),
    ErrorCase("GET", "/b/a%", .invalidURI),
    ErrorCase("GET", "/b/%C3", .invalidURI),
    ErrorCase("GET", "/b/%FF%FE", .invalidURI),
    ErrorCase("GET", "/b/%ED%A0%80", .invalidURI),  // a UTF-16 surrogate
    ErrorCase("GET", "/%zz/k", .invalidURI),
    ErrorCase("GET", "/b?prefix=%zz", .invalidURI),
    ErrorCase("GET", "b/k", .invalidURI),
    ErrorCase("GET", "*", .invalidURI),
    ErrorCase("GET", "/b/" + over1024, .keyTooLongError),
    ErrorCase("GET", "/b/" + String(repeating: "é", count: 513), .keyTooLongError),
    ErrorCase("PUT", "//k", .invalidBucketName),
    ErrorCase("GET", "//", .invalidBucketName),
    ErrorCase("PATCH", "/b", .methodNotAllowed),
    ErrorCase("get", "/b", .methodNotAllowed),
    ErrorCase("TRACE", "/", .methodNotAllowed),
    ErrorCase("PUT", "/", .methodNotAllowed),
    ErrorCase("DELETE", "/", .methodNotAllowed),
    ErrorCase("POST", "/", .methodNotAllowed),
    ErrorCase("DELETE", "/b?location", .methodNotAllowed),
    ErrorCase("GET", "/b?delete", .methodNotAllowed),
    ErrorCase("POST", "/b?uploads", .methodNotAllowed),
    ErrorCase("GET", "/b/k?uploads", .methodNotAllowed),
    ErrorCase("GET", "/b/k?uploads=x", .methodNotAllowed),
    ErrorCase("GET", "", .invalidURI),
    ErrorCase("POST", "/b/k", .methodNotAllowed),
    ErrorCase("PUT", "/b/k?uploadId=u", .invalidArgument),
    ErrorCase("PUT", "/b/k?uploadId=u&partNumber=0", .invalidArgument),
    ErrorCase("PUT", "/b/k?uploadId=u&partNumber=10001", .invalidArgument),
    ErrorCase("PUT", "/b/k?uploadId=u&partNumber=1.5", .invalidArgument),
    ErrorCase("PUT", "/b/k?uploadId=u&partNumber=%2B1", .invalidArgument),
    ErrorCase("PUT", "/b/k?uploadId=u&partNumber=-1", .invalidArgument),
    ErrorCase("PUT", "/b/k?uploadId=u&partNumber=", .invalidArgument),
    ErrorCase("PUT", "/b/k?uploadId=u&partNumber=abc", .invalidArgument),
    ErrorCase("PUT", "/b/k?uploadId=u&partNumber=99999999999999999999", .invalidArgument),
    ErrorCase("GET", "/b/k?partNumber=0", .invalidArgument),
    ErrorCase("HEAD", "/b/k?partNumber=x", .invalidArgument),
    ErrorCase("PUT", "/b/k", headers: [(name: "x-amz-copy-source", value: "nokey")], .invalidArgument),
    ErrorCase("PUT", "/b/k", headers: [(name: "x-amz-copy-source", value: "/src/")], .invalidArgument),
    ErrorCase("PUT", "/b/k", headers: [(name: "x-amz-copy-source", value: "//k")], .invalidArgument),
    ErrorCase("PUT", "/b/k", headers: [(name: "x-amz-copy-source", value: "")], .invalidArgument),
    ErrorCase("PUT", "/b/k", headers: [(name: "x-amz-copy-source", value: "/src/%zz")], .invalidArgument),
    ErrorCase("PUT", "/b/k?uploadId=u&partNumber=1", headers: [(name: "x-amz-copy-source", value: "src")], .invalidArgument),
    ErrorCase("PUT", "/b/k", headers: [(name: "x-amz-copy-source", value: "/src/" + over1024)], .keyTooLongError),
]

@Suite("S3Operation.parse")
struct S3OperationTests {
    @Test(arguments: pathStyleCases)
    func pathStyle(_ testCase: OperationCase) throws {
        try check(testCase)
    }

    @Test(arguments: hostileKeyCases)
    func hostileKeys(_ testCase: OperationCase) throws {
        try check(testCase)
    }

    @Test(arguments: virtualHostCases)
    func virtualHosted(_ testCase: OperationCase) throws {
        try check(testCase)
    }

    @Test(arguments: errorCases)
    func errors(_ testCase: ErrorCase) {
        let head = S3RequestHead(method: testCase.method, target: testCase.target, host: "127.0.0.1", headers: testCase.headers)
        #expect(throws: S3Error.self) { try S3Operation.parse(head, addressing: addressing) }
        do {
            let operation = try S3Operation.parse(head, addressing: addressing)
            Issue.record("expected \(testCase.code), got \(operation)")
        } catch {
            #expect(error.code == testCase.code)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func keyOf1024BytesIsAcceptedAnd1025IsNot() throws {
        #expect(exactly1024.utf8.count == 1024)
        #expect(over1024.utf8.count == 1025)
        let ok = try S3Operation.parse(S3RequestHead(method: "PUT", path: "/b/" + exactly1024), addressing: addressing)
        #expect(ok.key?.utf8.count == 1024)
        #expect(throws: S3Error.self) {
            try S3Operation.parse(S3RequestHead(method: "PUT", path: "/b/" + over1024), addressing: addressing)
        }
    }

    @Test func headerLookupIsCaseInsensitiveAndTakesTheFirst() {
        let head = S3RequestHead(method: "GET", path: "/", headers: [
            (name: "X-Amz-Date", value: "first"), (name: "x-amz-date", value: "second"), (name: "Host", value: "h"),
        ])
        #expect(head.header("x-amz-date") == "first")
        #expect(head.header("HOST") == "h")
        #expect(head.header("x-amz-dat") == nil)
        #expect(head.header("x-amz-datf") == nil)
    }

    @Test func targetInitSplitsTheQuery() {
        let head = S3RequestHead(method: "GET", target: "/b/k?a=1&b")
        #expect(head.path == "/b/k")
        #expect(head.query == "a=1&b")
        let noQuery = S3RequestHead(method: "GET", target: "/b/k")
        #expect(noQuery.query == "")
    }

    @Test func addressingReadsTheBucketFromTheHost() {
        let addressing = S3Addressing(virtualHostBaseDomains: ["S3.Example.org.", "example.org"])
        #expect(addressing.virtualHostBaseDomains == ["s3.example.org", "example.org"])
        #expect(addressing.bucket(fromHost: "b.s3.example.org") == "b")
        #expect(addressing.bucket(fromHost: "b.example.org") == "b")
        #expect(addressing.bucket(fromHost: "x.y.example.org") == "x.y")
        #expect(addressing.bucket(fromHost: "s3.example.org") == "s3")
        #expect(addressing.bucket(fromHost: "example.org") == nil)
        #expect(addressing.bucket(fromHost: "192.168.1.10") == nil)
        #expect(addressing.bucket(fromHost: nil) == nil)
        #expect(S3Addressing.pathStyle.bucket(fromHost: "b.s3.example.org") == nil)
    }

    @Test func accessorsAndCopySource() throws {
        let copy = S3Operation.uploadPartCopy(bucket: "b", key: "k", uploadID: "u", partNumber: 1, source: src)
        #expect(copy.bucket == "b")
        #expect(copy.key == "k")
        #expect(copy.copySource == src)
        #expect(S3Operation.listBuckets.bucket == nil)
        #expect(S3Operation.listBuckets.key == nil)
        #expect(S3Operation.getObject(bucket: "b", key: "k").copySource == nil)
        #expect(try CopySource.parse("b/k?versionId=") == CopySource(bucket: "b", key: "k"))
        #expect(try CopySource.parse("b/k%3FversionId=x") == CopySource(bucket: "b", key: "k?versionId=x"))
        #expect(try CopySource.parse("/b/%2F%2F?versionId=null") == CopySource(bucket: "b", key: "//", versionID: "null"))
    }

    private func check(_ testCase: OperationCase) throws {
        let head = S3RequestHead(method: testCase.method, target: testCase.target, host: testCase.host, headers: testCase.headers)
        let operation = try S3Operation.parse(head, addressing: addressing)
        #expect(operation == testCase.expected)
    }
}

struct PermissionCase: Sendable, CustomTestStringConvertible {
    let operation: S3Operation
    let permission: S3Permission
    init(_ operation: S3Operation, _ permission: S3Permission) {
        self.operation = operation
        self.permission = permission
    }
    var testDescription: String { "\(operation.name) → \(permission)" }
}

/// The permission of every operation, written out.
private let permissionCases: [PermissionCase] = [
    PermissionCase(.listBuckets, .authenticated),
    PermissionCase(.createBucket(bucket: "b"), .authenticated),
    PermissionCase(.headBucket(bucket: "b"), .read),
    PermissionCase(.deleteBucket(bucket: "b"), .owner),
    PermissionCase(.getBucketLocation(bucket: "b"), .read),
    PermissionCase(.getBucketVersioning(bucket: "b"), .owner),
    PermissionCase(.putBucketVersioning(bucket: "b"), .owner),
    PermissionCase(.putObjectLockConfiguration(bucket: "b"), .owner),
    PermissionCase(.listObjectVersions(bucket: "b"), .read),
    PermissionCase(.getObjectRetention(bucket: "b", key: "k"), .read),
    PermissionCase(.putObjectRetention(bucket: "b", key: "k"), .write),
    PermissionCase(.putObjectLegalHold(bucket: "b", key: "k"), .write),
    PermissionCase(.getObjectLockConfiguration(bucket: "b"), .read),
    PermissionCase(.getObjectLegalHold(bucket: "b", key: "k"), .read),
    PermissionCase(.getBucketAcl(bucket: "b"), .owner),
    PermissionCase(.putBucketLifecycleConfiguration(bucket: "b"), .owner),
    PermissionCase(.getBucketLifecycleConfiguration(bucket: "b"), .owner),
    PermissionCase(.deleteBucketLifecycle(bucket: "b"), .owner),
    PermissionCase(.listObjectsV1(bucket: "b"), .read),
    PermissionCase(.listObjectsV2(bucket: "b"), .read),
    PermissionCase(.listMultipartUploads(bucket: "b"), .read),
    PermissionCase(.deleteObjects(bucket: "b"), .write),
    PermissionCase(.putObject(bucket: "b", key: "k"), .write),
    PermissionCase(.copyObject(bucket: "b", key: "k", source: src), .write),
    PermissionCase(.getObject(bucket: "b", key: "k"), .read),
    PermissionCase(.headObject(bucket: "b", key: "k"), .read),
    PermissionCase(.deleteObject(bucket: "b", key: "k"), .write),
    PermissionCase(.getObjectAcl(bucket: "b", key: "k"), .owner),
    PermissionCase(.getObjectAttributes(bucket: "b", key: "k"), .read),
    PermissionCase(.createMultipartUpload(bucket: "b", key: "k"), .write),
    PermissionCase(.uploadPart(bucket: "b", key: "k", uploadID: "u", partNumber: 1), .write),
    PermissionCase(.uploadPartCopy(bucket: "b", key: "k", uploadID: "u", partNumber: 1, source: src), .write),
    PermissionCase(.completeMultipartUpload(bucket: "b", key: "k", uploadID: "u"), .write),
    PermissionCase(.abortMultipartUpload(bucket: "b", key: "k", uploadID: "u"), .write),
    PermissionCase(.listParts(bucket: "b", key: "k", uploadID: "u"), .read),
    PermissionCase(.notImplemented(name: "PutBucketPolicy", bucket: "b", key: nil), .authenticated),
    PermissionCase(.notImplemented(name: "GetBucketMetricsConfiguration", bucket: "b", key: nil), .authenticated),
    PermissionCase(.bucketConfiguration(.getBucketTagging, bucket: "b"), .owner),
    PermissionCase(.bucketConfiguration(.putBucketWebsite, bucket: "b"), .owner),
    PermissionCase(.getObjectTagging(bucket: "b", key: "k"), .read),
    PermissionCase(.putObjectTagging(bucket: "b", key: "k"), .write),
    PermissionCase(.deleteObjectTagging(bucket: "b", key: "k"), .write),
]

@Suite("S3Operation.requiredPermission")
struct S3PermissionTests {
    @Test(arguments: permissionCases)
    func permission(_ testCase: PermissionCase) {
        #expect(testCase.operation.requiredPermission == testCase.permission)
    }

    @Test func everyImplementedOperationIsInTheTable() {
        #expect(Set(permissionCases.map(\.operation.name)).count == 42)
    }
}
