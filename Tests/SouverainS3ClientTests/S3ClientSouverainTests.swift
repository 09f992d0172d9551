import SouverainTesting
import NIOCore
import SouverainS3Client
import Testing

/// The client against a real `souverain serve` (skipped when the binary is not built).
@Suite(.serialized, .sharedServer(.souverain), .enabled(if: TestServer.isAvailable(.souverain),
                             "souverain binary not built (set SOUVERAIN_BINARY or build the package first)"))
struct S3ClientSouverainTests {
    @Test func smallObjectRoundTrip() async throws {
        try await withServerClient(.souverain) { client, _ in try await ClientScenarios.smallRoundTrip(client) }
    }

    @Test(arguments: [S3ClientConfiguration.StreamSigning.unsignedPayload, .signedChunks])
    func streamedObjectRoundTrip(signing: S3ClientConfiguration.StreamSigning) async throws {
        try await withServerClient(.souverain, configure: { $0.streamSigning = signing }) { client, _ in
            try await ClientScenarios.streamedRoundTrip(client, size: 3 * 1024 * 1024 + 12_345)
        }
    }

    @Test func largeMultipartRoundTrip() async throws {
        try await withServerClient(.souverain) { client, _ in
            try await ClientScenarios.largeMultipartRoundTrip(client, size: 64 << 20)
        }
    }

    @Test func ranges() async throws {
        try await withServerClient(.souverain) { client, _ in try await ClientScenarios.ranges(client) }
    }

    @Test func listingPagination() async throws {
        try await withServerClient(.souverain) { client, _ in try await ClientScenarios.listingPagination(client) }
    }

    @Test func errorMapping() async throws {
        try await withServerClient(.souverain) { client, _ in try await ClientScenarios.errorMapping(client) }
    }

    @Test func abortMultipartUpload() async throws {
        try await withServerClient(.souverain) { client, _ in try await ClientScenarios.abortMultipart(client) }
    }

    @Test func uploadLargeAbortsWhenTheBodyFails() async throws {
        try await withServerClient(.souverain) { client, _ in try await ClientScenarios.uploadLargeAbortsOnFailure(client) }
    }

    @Test func wrongSecretIsSignatureDoesNotMatchAndNeverShowsTheSecret() async throws {
        let wrongSecret = "wrong-secret-\(Int.random(in: 100_000...999_999))"
        try await withServerClient(.souverain, secret: wrongSecret) { client, _ in
            let error = await expectClientError {
                _ = try await client.putObject(bucket: "b", key: "k", bytes: ByteBuffer(string: "x"))
            }
            #expect(error?.status == 403)
            #expect(error?.s3Code == "SignatureDoesNotMatch")
            #expect(error?.attempts == 1)
            #expect(error?.requestID?.isEmpty == false)
            let text = "\(String(describing: error)) \(String(reflecting: error))"
            #expect(!text.contains(wrongSecret))
            #expect(!text.contains("Signature="))
            #expect(!text.contains("AWS4-HMAC-SHA256 Credential"))
            #expect(!"\(client)".contains(wrongSecret))
        }
    }

    @Test func unknownAccessKeyIsInvalidAccessKeyId() async throws {
        try await withServerClient(.souverain, accessKey: "NOSUCHKEY") { client, _ in
            let error = await expectClientError { _ = try await client.listObjectsV2(bucket: "b") }
            #expect(error?.status == 403)
            #expect(error?.s3Code == "InvalidAccessKeyId")
        }
    }
}
