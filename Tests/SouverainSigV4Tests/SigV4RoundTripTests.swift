import Foundation
import NIOCore
import SouverainSigV4
import Testing

/// Requests signed by SigV4Signer verify with SigV4Verifier.
@Suite struct SigV4RoundTripTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let signer = SigV4Signer(accessKeyID: "SOUVERAINKEY", secretAccessKey: "s3cr3t/+=é key", region: "eu-west-3")
    static let verifier = SigV4Verifier(region: "eu-west-3")

    static let hostileKeys = [
        "simple.txt", "a b.txt", "ünïcødé/文件.bin", "plus+sign", "tilde~name", "double//slash", "../escape",
        "./dot/./seg", "trailing/", "&+-é\"", "percent%25literal", "question?mark", "hash#tag", "semi;colon",
        "equals=sign", "star*", "paren(s)", "emoji😀", "tab\tkey", String(repeating: "k", count: 1024),
    ]

    static func verify(_ request: SigV4Request, secret: String = "s3cr3t/+=é key") throws(SigV4Error)
        -> VerifiedSignature
    {
        guard let auth = try verifier.parse(request) else {
            throw SigV4Error(code: .accessDenied, message: "no authentication")
        }
        return try verifier.verify(auth, secretAccessKey: secret, request: request, now: now)
    }

    @Test(arguments: hostileKeys)
    func headerAuthWithHostileKey(_ key: String) throws {
        let path = SigV4Signer.encodePath("/bucket/" + key)
        var headers: [(name: String, value: String)] = [("host", "localhost:9000")]
        Self.signer.sign(
            method: "GET", path: path, query: "", headers: &headers, payloadHash: "UNSIGNED-PAYLOAD", date: Self.now)
        let verified = try Self.verify(SigV4Request(method: "GET", path: path, query: "", headers: headers))
        #expect(verified.accessKeyID == "SOUVERAINKEY")
        #expect(verified.payload == .unsigned)
    }

    @Test(arguments: hostileKeys)
    func presignedWithHostileKey(_ key: String) throws {
        let path = SigV4Signer.encodePath("/bucket/" + key)
        let query = Self.signer.presign(
            method: "PUT", path: path, query: "", host: "s3.example.eu", expires: 3600, date: Self.now)
        let request = SigV4Request(method: "PUT", path: path, query: query, headers: [("Host", "s3.example.eu")])
        let verified = try Self.verify(request)
        #expect(verified.isPresigned)
        #expect(verified.payload == .unsigned)
    }

    @Test func hostileQueryParameters() throws {
        let query =
            [
                ("prefix", "a b/c+d"), ("delimiter", "/"), ("marker", "ünï~"), ("list-type", "2"), ("empty", ""),
                ("dup", "2"), ("dup", "1"),
            ]
            .map { "\(SigV4Signer.encodeQueryComponent($0.0))=\(SigV4Signer.encodeQueryComponent($0.1))" }
            .joined(separator: "&") + "&uploads"
        var headers: [(name: String, value: String)] = [("host", "localhost")]
        Self.signer.sign(
            method: "GET", path: "/bucket", query: query, headers: &headers, payloadHash: Example.emptyHash,
            date: Self.now)
        let verified = try Self.verify(SigV4Request(method: "GET", path: "/bucket", query: query, headers: headers))
        #expect(verified.payload == .sha256(Example.emptyHash))
    }

    @Test func presignedKeepsExistingQuery() throws {
        let query = Self.signer.presign(
            method: "GET", path: "/bucket/key", query: "versionId=3%2Fx&response-content-type=text%2Fplain",
            host: "localhost", expires: 604_800, date: Self.now)
        #expect(query.contains("versionId=3%2Fx"))
        #expect(query.contains("X-Amz-Expires=604800"))
        let request = SigV4Request(method: "GET", path: "/bucket/key", query: query, headers: [("host", "localhost")])
        _ = try Self.verify(request)
    }

    @Test func headersInAnyCaseOrderAndSpacing() throws {
        var headers: [(name: String, value: String)] = [
            ("Host", "localhost"), ("X-Amz-Meta-Note", "  a   lot\t of   space  "), ("x-amz-meta-list", "one"),
            ("X-AMZ-META-LIST", "two"), ("Content-Type", "text/plain"),
        ]
        Self.signer.sign(
            method: "PUT", path: "/b/k", query: "", headers: &headers, payloadHash: "UNSIGNED-PAYLOAD", date: Self.now)
        // Reorder distinct names and change their case; repeated headers keep their relative order.
        var received = headers.reversed().map { (name: $0.name.uppercased(), value: $0.value) }
        received.removeAll { $0.name == "X-AMZ-META-NOTE" }
        received.append((name: "x-amz-meta-note", value: "a lot of space"))
        let list = received.filter { $0.name == "X-AMZ-META-LIST" }
        received.removeAll { $0.name == "X-AMZ-META-LIST" }
        received += list.reversed()
        _ = try Self.verify(SigV4Request(method: "PUT", path: "/b/k", query: "", headers: received))
    }

    static let payloadModes: [(String, PayloadMode, Bool)] = [
        ("UNSIGNED-PAYLOAD", .unsigned, false),
        (Example.emptyHash, .sha256(Example.emptyHash), false),
        (Example.emptyHash.uppercased(), .sha256(Example.emptyHash), false),
        ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", .streamingSigned, true),
        ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", .streamingSignedTrailer, true),
        ("STREAMING-UNSIGNED-PAYLOAD-TRAILER", .streamingUnsignedTrailer, false),
    ]

    @Test(arguments: payloadModes)
    func payloadMode(_ hash: String, _ mode: PayloadMode, _ signedChunks: Bool) throws {
        var headers: [(name: String, value: String)] = [("host", "localhost")]
        Self.signer.sign(method: "PUT", path: "/b/k", query: "", headers: &headers, payloadHash: hash, date: Self.now)
        let verified = try Self.verify(SigV4Request(method: "PUT", path: "/b/k", query: "", headers: headers))
        #expect(verified.payload == mode)
        #expect((verified.chunkSigning != nil) == signedChunks)
    }

    @Test(arguments: [false, true])
    func streamingSignedUploadRoundTrip(trailer: Bool) throws {
        var generator = SeededGenerator(seed: trailer ? 7 : 8)
        let payload = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var headers: [(name: String, value: String)] = [
            ("host", "localhost"), ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", String(payload.count)),
        ]
        if trailer { headers.append(("x-amz-trailer", "x-amz-checksum-crc32")) }
        let clientSigning = Self.signer.signStreaming(
            method: "PUT", path: "/b/k", query: "", headers: &headers, trailer: trailer, date: Self.now)
        var encoder = AWSChunkedEncoder(signing: clientSigning)
        var body: [UInt8] = []
        for start in stride(from: 0, to: payload.count, by: 8192) {
            body +=
                encoder.encode(chunk: ByteBuffer(testBytes: payload[start..<min(payload.count, start + 8192)])).bytes
        }
        body += encoder.finish(trailers: trailer ? [("x-amz-checksum-crc32", "AAAAAA==")] : nil).bytes

        let verified = try Self.verify(SigV4Request(method: "PUT", path: "/b/k", query: "", headers: headers))
        #expect(verified.payload == (trailer ? .streamingSignedTrailer : .streamingSigned))
        let decoder = AWSChunkedDecoder(signing: verified.chunkSigning, expectsTrailer: trailer)
        for splits in [
            [], [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987], Array(repeating: 97, count: 400),
        ] {
            let result = try decodeChunked(body, with: decoder, splits: splits)
            #expect(result.payload == payload)
            #expect(result.trailers == (trailer ? ["x-amz-checksum-crc32": "AAAAAA=="] : [:]))
        }
    }

    @Test func streamingUnsignedTrailerRoundTrip() throws {
        var headers: [(name: String, value: String)] = [
            ("host", "localhost"), ("content-encoding", "aws-chunked"), ("x-amz-trailer", "x-amz-checksum-sha256"),
        ]
        Self.signer.sign(
            method: "PUT", path: "/b/k", query: "", headers: &headers,
            payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", date: Self.now)
        let verified = try Self.verify(SigV4Request(method: "PUT", path: "/b/k", query: "", headers: headers))
        #expect(verified.payload == .streamingUnsignedTrailer)
        #expect(verified.chunkSigning == nil)
        var encoder = AWSChunkedEncoder(signing: nil)
        var body = encoder.encode(chunk: ByteBuffer(string: "hello ")).bytes
        body += encoder.encode(chunk: ByteBuffer(string: "world")).bytes
        body += encoder.finish(trailers: [("X-Amz-Checksum-SHA256", "abc=")]).bytes
        #expect(
            String(decoding: body, as: UTF8.self)
                == "6\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-sha256:abc=\r\n\r\n")
        let result = try decodeChunked(
            body, with: AWSChunkedDecoder(signing: nil, expectsTrailer: true), splits: [1, 1, 1])
        #expect(result.payload == Array("hello world".utf8))
        #expect(result.trailers == ["x-amz-checksum-sha256": "abc="])
    }

    @Test func securityTokenAndSignedQueryParameters() throws {
        var headers: [(name: String, value: String)] = [("host", "localhost"), ("x-amz-security-token", "tok/en+=")]
        Self.signer.sign(
            method: "DELETE", path: "/b/k", query: "versionId=1", headers: &headers, payloadHash: Example.emptyHash,
            date: Self.now)
        _ = try Self.verify(SigV4Request(method: "DELETE", path: "/b/k", query: "versionId=1", headers: headers))
    }
}
