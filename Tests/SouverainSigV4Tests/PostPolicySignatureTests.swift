import SouverainSigV4
import Testing

@Suite struct PostPolicySignatureTests {
    /// The string to sign is the base64 policy itself, under the credential scope's key; the
    /// expected value was computed independently (Python's hmac over the same inputs).
    @Test func signsTheBase64PolicyWithTheScopesKey() throws {
        let scope = try #require(PostPolicySignature(credential: "AKIAIOSFODNN7EXAMPLE/20130806/us-east-1/s3/aws4_request"))
        #expect(scope == PostPolicySignature(credential: "AKIAIOSFODNN7EXAMPLE/20130806/us-east-1/s3/aws4_request"))
        #expect((scope.accessKeyID, scope.date, scope.region, scope.service) == ("AKIAIOSFODNN7EXAMPLE", "20130806", "us-east-1", "s3"))
        let policy = "eyJleHBpcmF0aW9uIjoiMjAxMy0wOC0wNlQxMjowMDowMC4wMDBaIiwiY29uZGl0aW9ucyI6W3siYnVja2V0IjoiZXhhbXBsZWJ1Y2tldCJ9XX0="
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let expected = "97d3c02669882f60fcdd712f56f9c087bc29eea222a65d8314991ee5ac16288b"
        #expect(scope.signature(policy: policy, secretAccessKey: secret) == expected)
        #expect(scope.verify(expected, policy: policy, secretAccessKey: secret))
        #expect(scope.verify(expected.uppercased(), policy: policy, secretAccessKey: secret))
        #expect(!scope.verify(expected, policy: policy + "=", secretAccessKey: secret))
        #expect(!scope.verify(expected, policy: policy, secretAccessKey: secret + "x"))
        #expect(!scope.verify(String(expected.dropLast()), policy: policy, secretAccessKey: secret))
    }

    @Test(arguments: [
        "", "AKID", "AKID/20130806/us-east-1/s3", "AKID/2013086/us-east-1/s3/aws4_request", "/20130806/us-east-1/s3/aws4_request",
        "AKID/20130806//s3/aws4_request", "AKID/20130806/us-east-1/s3/aws4_request/x", "AKID/2013080x/us-east-1/s3/aws4_request",
    ])
    func malformedCredentialsAreRefused(_ credential: String) {
        #expect(PostPolicySignature(credential: credential) == nil)
    }
}
