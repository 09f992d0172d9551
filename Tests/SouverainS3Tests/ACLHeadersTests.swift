import SouverainS3
import Testing

@Suite struct ACLHeadersTests {
    private func check(_ operation: S3Operation, _ headers: [(name: String, value: String)]) -> S3Error? {
        do {
            try ACLHeaders.refuseUnhonoured(operation, S3RequestHead(method: "PUT", path: "/b/k", headers: headers))
            return nil
        } catch {
            return error
        }
    }

    static let creating: [S3Operation] = [
        .createBucket(bucket: "b"), .putObject(bucket: "b", key: "k"),
        .copyObject(bucket: "b", key: "k", source: CopySource(bucket: "s", key: "k", versionID: nil)),
        .createMultipartUpload(bucket: "b", key: "k"),
    ]

    @Test(arguments: creating)
    func ownerOnlyCannedACLsPass(_ operation: S3Operation) {
        #expect(check(operation, []) == nil)
        #expect(check(operation, [("x-amz-acl", "private")]) == nil)
        #expect(check(operation, [("X-Amz-Acl", "bucket-owner-full-control")]) == nil)
    }

    @Test(arguments: creating, ["bucket-owner-read", "aws-exec-read", "log-delivery-write"])
    func otherCannedACLsAreNotImplemented(_ operation: S3Operation, _ canned: String) throws {
        let error = try #require(check(operation, [("x-amz-acl", canned)]))
        #expect(error.code == .notImplemented && error.status == 501 && error.message.contains(canned))
    }

    /// Group canned ACLs pass on object writes, for the server to check against the bucket's
    /// ownership controls and classification (docs/access.md); a bucket takes them with PutBucketAcl.
    @Test(arguments: creating, ["public-read", "public-read-write", "authenticated-read"])
    func groupCannedACLsAreLeftToTheServerOnObjects(_ operation: S3Operation, _ canned: String) throws {
        let error = check(operation, [("x-amz-acl", canned)])
        if operation.key == nil {
            #expect(error?.code == .notImplemented && error?.message.contains(canned) == true)
        } else {
            #expect(error == nil)
        }
    }

    @Test(arguments: creating, ACLHeaders.grantHeaders)
    func grantHeadersAreNotImplemented(_ operation: S3Operation, _ header: String) throws {
        let error = try #require(check(operation, [(header, "id=\"someone\"")]))
        #expect(error.code == .notImplemented && error.message.contains(header))
    }

    @Test func otherOperationsAreLeftAlone() {
        // PutBucketAcl reads its own headers; a GET carries no ACL to honour.
        #expect(check(.putBucketAcl(bucket: "b"), [("x-amz-acl", "public-read")]) == nil)
        #expect(check(.getObject(bucket: "b", key: "k"), [("x-amz-grant-read", "id=x")]) == nil)
    }
}
