extension S3Operation {
    /// Parses a request into its operation: a pure function of the method, the host or path,
    /// the query keywords and the `x-amz-copy-source` header.
    ///
    /// - The key is the percent-decoded path after "/bucket/" (or after "/" when virtual-hosted),
    ///   every byte kept ("//", "../", a trailing "/"); '+' is a literal plus. "/bucket/" is the bucket.
    /// - A subresource (`?acl`, `?tagging`...) selects the operation, by method. One that this
    ///   server does not implement gives `.notImplemented` with the AWS name. A parameter that is
    ///   not a known request parameter and has no value is taken for an unknown subresource:
    ///   `.notImplemented` named "<Verb>BucketUnknown" or "<Verb>ObjectUnknown" (a fixed name, so
    ///   metrics stay low-cardinality). Unknown parameters with a value are ignored, as AWS does.
    /// - HEAD is always HeadBucket or HeadObject; OPTIONS (CORS preflight) is `.notImplemented("Options")`.
    /// - Bucket names are not validated here, except that an object path needs a non-empty one.
    ///
    /// Errors: InvalidURI (bad percent-encoding or UTF-8, path not starting with '/'), KeyTooLongError
    /// (key over 1024 bytes), InvalidBucketName (empty bucket), InvalidArgument (bad partNumber,
    /// uploadId without partNumber on PUT, bad copy source), MethodNotAllowed.
    public static func parse(_ head: S3RequestHead, addressing: S3Addressing) throws(S3Error) -> S3Operation {
        let path = head.path
        guard path.utf8.first == UInt8(ascii: "/") else {
            throw S3Error(.invalidURI, "The request path must start with '/'.", resource: path)
        }
        let method = head.method
        switch method {
        case "GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS": break
        default:
            throw S3Error(.methodNotAllowed, "The method \(method) is not allowed against this resource.", resource: path)
        }
        guard let query = S3URLEncoding.parseQueryStrict(head.query) else {
            throw S3Error(.invalidURI, "Couldn't parse the query string: invalid percent-encoding or UTF-8.", resource: path)
        }

        // Bucket and raw key.
        let bucket: String?
        let rawKey: Substring
        let afterSlash = path.dropFirst()
        if let hostBucket = addressing.bucket(fromHost: head.host) {
            bucket = hostBucket
            rawKey = afterSlash
        } else if afterSlash.isEmpty {
            bucket = nil
            rawKey = ""
        } else {
            let rawBucket: Substring
            if let slash = afterSlash.firstIndex(of: "/") {
                rawBucket = afterSlash[..<slash]
                rawKey = afterSlash[afterSlash.index(after: slash)...]
            } else {
                rawBucket = afterSlash
                rawKey = ""
            }
            guard let decoded = S3URLEncoding.percentDecode(rawBucket, plusIsSpace: false) else {
                throw S3Error(.invalidURI, "Couldn't parse the bucket name in the path.", resource: path)
            }
            guard !decoded.isEmpty else {
                throw S3Error(.invalidBucketName, "The bucket name in the path is empty.", resource: path)
            }
            bucket = decoded
        }
        guard let key = S3URLEncoding.percentDecode(rawKey, plusIsSpace: false) else {
            throw S3Error(.invalidURI, "Couldn't parse the object key: invalid percent-encoding or UTF-8.", resource: path)
        }
        guard key.utf8.count <= maximumKeyLength else {
            throw S3Error(.keyTooLongError, "Your key is too long: the limit is \(maximumKeyLength) bytes.", resource: path)
        }

        if method == "OPTIONS" {
            return .notImplemented(name: "Options", bucket: bucket, key: key.isEmpty ? nil : key)
        }
        guard let bucket else {
            guard method == "GET" else {
                throw S3Error(.methodNotAllowed, "Only GET is allowed on the service.", resource: path)
            }
            return .listBuckets
        }
        let request = Request(method: method, bucket: bucket, path: path, query: query, head: head)
        return key.isEmpty ? try request.bucketOperation() : try request.objectOperation(key: key)
    }

    /// The pieces of a request that decide its operation.
    private struct Request {
        let method: String
        let bucket: String
        let path: String
        let query: [(name: String, value: String)]
        let head: S3RequestHead

        func value(_ name: String) -> String? {
            query.first { $0.name == name }?.value
        }

        /// The first known subresource in query order, else the first unknown valueless parameter.
        func subresource(known: [String: [String: String]]) -> (name: String, isKnown: Bool)? {
            var unknown: String?
            for (name, value) in query {
                if known[name] != nil { return (name, true) }
                if unknown == nil, value.isEmpty, !S3Subresources.isPlain(name) { unknown = name }
            }
            return unknown.map { ($0, false) }
        }

        var verb: String {
            switch method {
            case "GET": "Get"
            case "PUT": "Put"
            case "POST": "Post"
            case "DELETE": "Delete"
            default: "Head"
            }
        }

        func methodNotAllowed(_ subresource: String) -> S3Error {
            S3Error(.methodNotAllowed, "The method \(method) is not allowed with ?\(subresource).", resource: path)
        }

        func bucketOperation() throws(S3Error) -> S3Operation {
            if method == "HEAD" { return .headBucket(bucket: bucket) }
            if let (subresource, isKnown) = subresource(known: S3Subresources.bucket) {
                guard isKnown else { return .notImplemented(name: verb + "BucketUnknown", bucket: bucket, key: nil) }
                guard let name = S3Subresources.bucket[subresource]?[method] else { throw methodNotAllowed(subresource) }
                switch (subresource, method) {
                case ("acl", "GET"): return .getBucketAcl(bucket: bucket)
                case ("acl", "PUT"): return .putBucketAcl(bucket: bucket)
                case ("location", "GET"): return .getBucketLocation(bucket: bucket)
                case ("versioning", "GET"): return .getBucketVersioning(bucket: bucket)
                case ("encryption", "GET"): return .getBucketEncryption(bucket: bucket)
                case ("encryption", "PUT"): return .putBucketEncryption(bucket: bucket)
                case ("encryption", "DELETE"): return .deleteBucketEncryption(bucket: bucket)
                case ("versioning", "PUT"): return .putBucketVersioning(bucket: bucket)
                case ("versions", "GET"): return .listObjectVersions(bucket: bucket)
                case ("object-lock", "GET"): return .getObjectLockConfiguration(bucket: bucket)
                case ("object-lock", "PUT"): return .putObjectLockConfiguration(bucket: bucket)
                case ("uploads", "GET"): return .listMultipartUploads(bucket: bucket)
                case ("delete", "POST"): return .deleteObjects(bucket: bucket)
                case ("lifecycle", "PUT"): return .putBucketLifecycleConfiguration(bucket: bucket)
                case ("lifecycle", "GET"): return .getBucketLifecycleConfiguration(bucket: bucket)
                case ("lifecycle", "DELETE"): return .deleteBucketLifecycle(bucket: bucket)
                case (_, "GET") where value("id") == nil && S3Subresources.bucketConfigurationLists[subresource] != nil:
                    return .notImplemented(name: S3Subresources.bucketConfigurationLists[subresource]!, bucket: bucket, key: nil)
                default:
                    if let access = BucketAccessOperation(rawValue: name) { return .bucketAccess(access, bucket: bucket) }
                    if let configuration = BucketConfigurationOperation(rawValue: name) {
                        return .bucketConfiguration(configuration, bucket: bucket)
                    }
                    return .notImplemented(name: name, bucket: bucket, key: nil)
                }
            }
            switch method {
            case "GET": return value("list-type") == "2" ? .listObjectsV2(bucket: bucket) : .listObjectsV1(bucket: bucket)
            case "PUT": return .createBucket(bucket: bucket)
            case "DELETE": return .deleteBucket(bucket: bucket)
            default: return .notImplemented(name: "PostObject", bucket: bucket, key: nil)  // browser form upload
            }
        }

        func objectOperation(key: String) throws(S3Error) -> S3Operation {
            if method == "HEAD" {
                if let partNumber = value("partNumber") { _ = try Self.partNumber(partNumber, path: path) }
                return .headObject(bucket: bucket, key: key)
            }
            if let (subresource, isKnown) = subresource(known: S3Subresources.object) {
                guard isKnown else { return .notImplemented(name: verb + "ObjectUnknown", bucket: bucket, key: key) }
                guard let name = S3Subresources.object[subresource]?[method] else { throw methodNotAllowed(subresource) }
                switch (subresource, method) {
                case ("acl", "GET"): return .getObjectAcl(bucket: bucket, key: key)
                case ("acl", "PUT"): return .putObjectAcl(bucket: bucket, key: key)
                case ("attributes", "GET"): return .getObjectAttributes(bucket: bucket, key: key)
                case ("uploads", "POST"): return .createMultipartUpload(bucket: bucket, key: key)
                case ("retention", "GET"): return .getObjectRetention(bucket: bucket, key: key)
                case ("retention", "PUT"): return .putObjectRetention(bucket: bucket, key: key)
                case ("legal-hold", "GET"): return .getObjectLegalHold(bucket: bucket, key: key)
                case ("legal-hold", "PUT"): return .putObjectLegalHold(bucket: bucket, key: key)
                case ("tagging", "GET"): return .getObjectTagging(bucket: bucket, key: key)
                case ("tagging", "PUT"): return .putObjectTagging(bucket: bucket, key: key)
                case ("tagging", "DELETE"): return .deleteObjectTagging(bucket: bucket, key: key)
                default: return .notImplemented(name: name, bucket: bucket, key: key)
                }
            }
            let copySourceHeader = head.header("x-amz-copy-source")
            if let uploadID = value("uploadId") {
                switch method {
                case "GET": return .listParts(bucket: bucket, key: key, uploadID: uploadID)
                case "POST": return .completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
                case "DELETE": return .abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
                default:
                    guard let rawPartNumber = value("partNumber") else {
                        throw S3Error(.invalidArgument, "UploadPart needs a partNumber.", resource: path)
                    }
                    let partNumber = try Self.partNumber(rawPartNumber, path: path)
                    if let copySourceHeader {
                        return .uploadPartCopy(bucket: bucket, key: key, uploadID: uploadID, partNumber: partNumber,
                                               source: try CopySource.parse(copySourceHeader))
                    }
                    return .uploadPart(bucket: bucket, key: key, uploadID: uploadID, partNumber: partNumber)
                }
            }
            switch method {
            case "GET":
                if let partNumber = value("partNumber") { _ = try Self.partNumber(partNumber, path: path) }
                return .getObject(bucket: bucket, key: key)
            case "PUT":
                if let copySourceHeader {
                    return .copyObject(bucket: bucket, key: key, source: try CopySource.parse(copySourceHeader))
                }
                return .putObject(bucket: bucket, key: key)
            case "DELETE":
                return .deleteObject(bucket: bucket, key: key)
            default:
                throw S3Error(.methodNotAllowed, "POST on an object needs ?uploads, ?uploadId, ?restore or ?select.", resource: path)
            }
        }

        /// 1...10000, ASCII digits only.
        static func partNumber(_ raw: String, path: String) throws(S3Error) -> Int {
            guard !raw.isEmpty, raw.utf8.count <= 9, raw.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let number = Int(raw), (1...10_000).contains(number)
            else {
                throw S3Error(.invalidArgument, "Part number must be an integer between 1 and 10000, inclusive.",
                              resource: path, extra: [("ArgumentName", "partNumber"), ("ArgumentValue", raw)])
            }
            return number
        }
    }
}
