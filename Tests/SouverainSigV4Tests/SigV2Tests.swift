import Foundation
import Testing

@testable import SouverainSigV4

/// Signature Version 2 against the examples of AWS's "Signing and authenticating REST requests
/// (AWS signature version 2)", and the refusals around them.
struct SigV2Tests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    /// Tue, 27 Mar 2007 19:36:42 GMT, the time of AWS's examples.
    static let exampleTime = Date(timeIntervalSince1970: 1_175_024_202)

    static func request(
        _ method: String = "GET", path: String = "/photos/puppy.jpg", query: String = "",
        headers: [(name: String, value: String)]
    ) -> SigV4Request {
        SigV4Request(method: method, path: path, query: query, headers: [("host", "johnsmith.s3.amazonaws.com")] + headers)
    }

    /// The error verifying `request` at `now` (bucket `johnsmith` from the host), nil when it verifies.
    static func failure(_ request: SigV4Request, now: Date = exampleTime, bucket: String? = "johnsmith") -> SigV4Error? {
        do throws(SigV4Error) {
            guard let auth = try SigV2Authentication(request: request) else {
                return SigV4Error(code: .accessDenied, message: "no V2 authentication")
            }
            _ = try SigV2Verifier().verify(auth, secretAccessKey: secret, request: request, virtualHostBucket: bucket, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func documentedGet() {
        let request = Self.request(headers: [
            ("Date", "Tue, 27 Mar 2007 19:36:42 +0000"), ("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="),
        ])
        #expect(Self.failure(request) == nil)
        // The same request path-style: the bucket is in the path, not the host.
        var pathStyle = request
        pathStyle.path = "/johnsmith/photos/puppy.jpg"
        #expect(Self.failure(pathStyle, bucket: nil) == nil)
        // Another bucket, another resource: refused.
        #expect(Self.failure(request, bucket: "awsexamplebucket1")?.code == .signatureDoesNotMatch)
    }

    @Test func documentedPut() {
        let request = Self.request("PUT", headers: [
            ("Content-Type", "image/jpeg"), ("Content-Length", "94328"), ("Date", "Tue, 27 Mar 2007 21:15:45 +0000"),
            ("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:MyyxeRY7whkBe+bq8fHCL/2kKUg="),
        ])
        #expect(Self.failure(request, now: Self.exampleTime.addingTimeInterval(5_943)) == nil)
        // The content type is signed.
        var changed = request
        changed.headers[1].value = "image/png"
        #expect(Self.failure(changed, now: Self.exampleTime.addingTimeInterval(5_943))?.code == .signatureDoesNotMatch)
    }

    @Test func documentedPresignedURL() {
        let request = Self.request(
            query: "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620",
            headers: [])
        let expires = Date(timeIntervalSince1970: 1_175_139_620)
        #expect(Self.failure(request, now: expires.addingTimeInterval(-1)) == nil)
        let expired = Self.failure(request, now: expires.addingTimeInterval(1))
        #expect(expired?.code == .expired)
        #expect(expired?.code.s3Code == "AccessDenied")
        // Moving the expiry breaks the signature.
        var extended = request
        extended.query = extended.query.replacingOccurrences(of: "1175139620", with: "1275139620")
        #expect(Self.failure(extended, now: expires)?.code == .signatureDoesNotMatch)
    }

    @Test func wrongSecretAndSkew() throws {
        let request = Self.request(headers: [
            ("Date", "Tue, 27 Mar 2007 19:36:42 +0000"), ("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="),
        ])
        let auth = try #require(try SigV2Authentication(request: request))
        #expect(throws: SigV4Error.self) {
            try SigV2Verifier().verify(auth, secretAccessKey: "other", request: request, virtualHostBucket: "johnsmith", now: Self.exampleTime)
        }
        #expect(Self.failure(request, now: Self.exampleTime.addingTimeInterval(16 * 60))?.code == .requestTimeTooSkewed)
        #expect(Self.failure(request, now: Self.exampleTime.addingTimeInterval(-16 * 60))?.code == .requestTimeTooSkewed)
    }

    /// x-amz-* headers are signed (sorted, lowercased, repeated values joined); with x-amz-date the
    /// Date line is empty; sub-resources are signed, other query parameters not.
    @Test func canonicalForm() {
        let request = Self.request(
            "PUT", path: "/k", query: "uploadId=a%2Fb&partNumber=2&prefix=ignored",
            headers: [("X-Amz-Meta-B", "2"), ("x-amz-date", "Tue, 27 Mar 2007 19:36:42 GMT"), ("X-Amz-Meta-A", " one "),
                      ("x-amz-meta-a", "two"), ("Content-MD5", "abc=")])
        let text = SigV2Verifier.stringToSign(
            request, dateLine: "",
            resource: SigV2Verifier.canonicalResource(request, bucket: "b", subresources: SigV2Verifier.documentedSubresources))
        #expect(text == """
            PUT
            abc=


            x-amz-date:Tue, 27 Mar 2007 19:36:42 GMT
            x-amz-meta-a:one,two
            x-amz-meta-b:2
            /b/k?partNumber=2&uploadId=a/b
            """)
    }

    @Test(arguments: ["AWS AKID", "AWS :c2ln", "AWS AKID:not base64!"])
    func malformedHeader(_ value: String) {
        let request = Self.request(headers: [("Date", "Tue, 27 Mar 2007 19:36:42 +0000"), ("Authorization", value)])
        #expect(Self.failure(request)?.code == .invalidArgument)
    }

    @Test func notSigV2() throws {
        #expect(try SigV2Authentication(request: Self.request(headers: [])) == nil)
        #expect(try SigV2Authentication(request: Self.request(headers: [("Authorization", "AWS4-HMAC-SHA256 Credential=x")])) == nil)
        #expect(Self.failure(Self.request(query: "AWSAccessKeyId=AK&Expires=1", headers: []))?.code == .accessDenied)
    }
}
