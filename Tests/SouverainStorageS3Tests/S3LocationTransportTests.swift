import Foundation
import SouverainS3Client
import SouverainStorageS3
import Testing

/// Which endpoints a location may use, and the CA bundle its client trusts.
@Suite struct S3LocationTransportTests {
    @Test func plainHTTPNeedsTheLocationsExplicitAllowance() throws {
        #expect(S3Location.transportRefusal(id: "ovh", endpoint: "https://s3.example.eu", allowPlainHTTP: false) == nil)
        #expect(S3Location.transportRefusal(id: "ovh", endpoint: "HTTPS://s3.example.eu", allowPlainHTTP: false) == nil)
        #expect(S3Location.transportRefusal(id: "lab", endpoint: "http://10.0.0.2:9000", allowPlainHTTP: true) == nil)
        // Loopback gets no free pass.
        for endpoint in ["http://127.0.0.1:9000", "http://localhost:9000", "http://s3.example.eu"] {
            let refusal = try #require(S3Location.transportRefusal(id: "lab", endpoint: endpoint, allowPlainHTTP: false))
            #expect(refusal.hasPrefix("location lab: the endpoint \(endpoint) is plain HTTP"))
            #expect(refusal.contains("allow-plain-http = true"))
        }
        #expect(S3Location.transportRefusal(id: "x", endpoint: "ftp://host", allowPlainHTTP: true)?.contains("http:// or https://") == true)
    }

    @Test func aCABundleMustHoldACertificate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "not a certificate".write(toFile: directory + "/bad.pem", atomically: true, encoding: .utf8)
        for (file, message) in [("missing.pem", "Cannot read the CA bundle"), ("bad.pem", "holds no PEM certificate")] {
            let configuration = S3Location.clientConfiguration(
                endpoint: "https://127.0.0.1:1", region: "us-east-1", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"),
                caBundle: directory + "/" + file)
            #expect(configuration.caBundle == directory + "/" + file)
            do {
                let client = try S3Client(configuration: configuration)
                try await client.shutdown()
                Issue.record("a client was made with \(file)")
            } catch let error as S3ClientError {
                #expect(error.code == .invalidRequest)
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }
}
