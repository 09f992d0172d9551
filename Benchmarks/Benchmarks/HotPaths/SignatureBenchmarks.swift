import Benchmark
import Crypto
import Foundation
import SouverainSigV4

/// The keys and time of every signed request in the suite (made-up credentials).
enum Credentials {
    static let accessKeyID = "AKIAIOSFODNN7EXAMPLE"
    static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let region = "eu-west-3"
    static let host = "souverain.example.test"
    /// 2026-11-30T12:00:00Z: the requests are signed then and verified a minute later.
    static let signingDate = Date(timeIntervalSince1970: 1_795_953_600)
    static let now = signingDate.addingTimeInterval(60)
    static let signer = SigV4Signer(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, region: region)
}

/// Parse and verify, as the server does for every request: header-signed and presigned.
func signatureBenchmarks() {
    let verifier = SigV4Verifier(region: Credentials.region)
    func verify(_ request: SigV4Request) {
        do {
            guard let auth = try verifier.parse(request) else { fatalError("the request carries no signature") }
            blackHole(try verifier.verify(auth, secretAccessKey: Credentials.secretAccessKey, request: request, now: Credentials.now))
        } catch {
            fatalError("verification failed: \(error)")
        }
    }
    // One verification per iteration (tens of microseconds, far above the harness's own cost).
    let configuration = Benchmark.Configuration(maxIterations: 10_000)

    Benchmark("SigV4 verify, Authorization header (PUT, 8 signed headers)", configuration: configuration) { _, request in
        verify(request)
    } setup: {
        var headers: [(name: String, value: String)] = [
            ("host", Credentials.host),
            ("content-type", "image/jpeg"),
            ("content-length", "1048576"),
            ("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
            ("x-amz-meta-camera", "Fujifilm X-T5"),
            ("user-agent", "aws-cli/2.22.0 Python/3.12.6 Linux/6.1 exe/x86_64"),
        ]
        let path = SigV4Signer.encodePath("/photos/2026/11/IMG 0042.jpg")
        Credentials.signer.sign(
            method: "PUT", path: path, query: "", headers: &headers,
            payloadHash: "7d5c8a3b1e0f4a6c9b2d8e1f0a3c5b7d9e2f4a6c8b0d1e3f5a7c9b2d4e6f8a0c", date: Credentials.signingDate)
        return SigV4Request(method: "PUT", path: path, query: "", headers: headers)
    }

    // A yardstick for the two verifications: each computes five HMAC-SHA256 over short messages
    // (four to derive the signing key, which is not cached, and one for the signature) and one
    // SHA-256 of the canonical request.
    Benchmark("SigV4 yardstick: one HMAC-SHA256 of 200 bytes (swift-crypto)", configuration: .init(scalingFactor: .kilo)) { benchmark, message in
        let key = SymmetricKey(data: Array(repeating: UInt8(7), count: 32))
        for _ in benchmark.scaledIterations {
            blackHole(HMAC<SHA256>.authenticationCode(for: message, using: key))
        }
    } setup: {
        patternBytes(count: 200)
    }

    Benchmark("SigV4 verify, presigned URL (GET)", configuration: configuration) { _, request in
        verify(request)
    } setup: {
        let path = SigV4Signer.encodePath("/photos/2026/11/IMG 0042.jpg")
        let query = Credentials.signer.presign(
            method: "GET", path: path, query: "", host: Credentials.host, expires: 3_600, date: Credentials.signingDate)
        return SigV4Request(
            method: "GET", path: path, query: query,
            headers: [("host", Credentials.host), ("user-agent", "curl/8.11.1"), ("accept", "*/*")])
    }
}
