import SouverainTesting
import SouverainS3Client
import Testing

/// The client against moto's server, an independent S3 implementation (skipped when not installed).
@Suite(.serialized, .sharedServer(.moto), .enabled(if: TestServer.isAvailable(.moto), "moto_server is not installed (pip install 'moto[server]')"))
struct S3ClientMotoTests {
    @Test func smallObjectRoundTrip() async throws {
        try await withServerClient(.moto) { client, _ in try await ClientScenarios.smallRoundTrip(client) }
    }

    @Test(arguments: [S3ClientConfiguration.StreamSigning.unsignedPayload, .signedChunks])
    func streamedObjectRoundTrip(signing: S3ClientConfiguration.StreamSigning) async throws {
        try await withServerClient(.moto, configure: { $0.streamSigning = signing }) { client, _ in
            try await ClientScenarios.streamedRoundTrip(client, size: 3 * 1024 * 1024 + 12_345)
        }
    }

    @Test func largeMultipartRoundTrip() async throws {
        try await withServerClient(.moto) { client, _ in
            try await ClientScenarios.largeMultipartRoundTrip(client, size: 64 << 20)
        }
    }

    @Test func ranges() async throws {
        try await withServerClient(.moto) { client, _ in try await ClientScenarios.ranges(client) }
    }

    @Test func listingPagination() async throws {
        try await withServerClient(.moto) { client, _ in try await ClientScenarios.listingPagination(client) }
    }

    @Test func errorMapping() async throws {
        try await withServerClient(.moto) { client, _ in try await ClientScenarios.errorMapping(client) }
    }

    @Test func abortMultipartUpload() async throws {
        try await withServerClient(.moto, configure: { $0.retry = .none }) { client, _ in
            try await ClientScenarios.abortMultipart(client, strict: false)
        }
    }

    @Test func uploadLargeAbortsWhenTheBodyFails() async throws {
        try await withServerClient(.moto) { client, _ in try await ClientScenarios.uploadLargeAbortsOnFailure(client) }
    }
}
