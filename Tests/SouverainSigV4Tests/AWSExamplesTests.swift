import Foundation
import NIOCore
import SouverainSigV4
import Testing

/// AWS's published S3 Signature V4 examples: the verifier accepts them at their date and the
/// signer reproduces them.
@Suite struct AWSExamplesTests {
    struct HeaderExample: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: String
        /// Headers given to the signer (it adds x-amz-date and x-amz-content-sha256).
        var headers: [(name: String, value: String)]
        var payloadHash: String
        var signedHeaders: String
        var signature: String
        var payload: PayloadMode
        var testDescription: String { name }
    }

    static let welcomeHash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"

    static let headerExamples: [HeaderExample] = [
        HeaderExample(
            name: "GET Object", method: "GET", path: "/test.txt", query: "",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
            payloadHash: Example.emptyHash, signedHeaders: "host;range;x-amz-content-sha256;x-amz-date",
            signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            payload: .sha256(Example.emptyHash)),
        HeaderExample(
            name: "PUT Object", method: "PUT", path: "/test%24file.text", query: "",
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            payloadHash: welcomeHash, signedHeaders: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            signature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
            payload: .sha256(welcomeHash)),
        HeaderExample(
            name: "GET Bucket Lifecycle", method: "GET", path: "/", query: "lifecycle",
            headers: [("Host", "examplebucket.s3.amazonaws.com")],
            payloadHash: Example.emptyHash, signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            signature: "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
            payload: .sha256(Example.emptyHash)),
        HeaderExample(
            name: "GET Bucket (List Objects)", method: "GET", path: "/", query: "max-keys=2&prefix=J",
            headers: [("Host", "examplebucket.s3.amazonaws.com")],
            payloadHash: Example.emptyHash, signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            signature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
            payload: .sha256(Example.emptyHash)),
    ]

    @Test(arguments: headerExamples)
    func verifierAcceptsHeaderExample(_ example: HeaderExample) throws {
        let headers =
            example.headers + [
                ("x-amz-date", "20130524T000000Z"), ("x-amz-content-sha256", example.payloadHash),
                (
                    "Authorization",
                    Example.authorization(signedHeaders: example.signedHeaders, signature: example.signature)
                ),
            ]
        let request = SigV4Request(method: example.method, path: example.path, query: example.query, headers: headers)
        let auth = try #require(try Example.verifier.parse(request))
        #expect(auth.accessKeyID == Example.accessKeyID)
        #expect(!auth.isPresigned)
        let verified = try Example.verifier.verify(
            auth, secretAccessKey: Example.secretAccessKey, request: request, now: Example.date)
        #expect(verified.accessKeyID == Example.accessKeyID)
        #expect(verified.payload == example.payload)
        #expect(verified.chunkSigning == nil)
        #expect(!verified.isPresigned)
    }

    @Test(arguments: headerExamples)
    func signerReproducesHeaderExample(_ example: HeaderExample) {
        var headers = example.headers
        Example.signer.sign(
            method: example.method, path: example.path, query: example.query, headers: &headers,
            payloadHash: example.payloadHash, date: Example.date)
        let authorization = headers.first { $0.name.lowercased() == "authorization" }?.value
        #expect(
            authorization == Example.authorization(signedHeaders: example.signedHeaders, signature: example.signature))
        #expect(headers.contains { $0.name == "x-amz-date" && $0.value == "20130524T000000Z" })
        #expect(headers.contains { $0.name == "x-amz-content-sha256" && $0.value == example.payloadHash })
    }

    @Test func putObjectExampleWithUnencodedDollarInPath() throws {
        // `$` sent raw or as %24 canonicalises the same way.
        let example = Self.headerExamples[1]
        let headers =
            example.headers + [
                ("x-amz-date", "20130524T000000Z"), ("x-amz-content-sha256", example.payloadHash),
                (
                    "Authorization",
                    Example.authorization(signedHeaders: example.signedHeaders, signature: example.signature)
                ),
            ]
        let request = SigV4Request(method: "PUT", path: "/test$file.text", query: "", headers: headers)
        let auth = try #require(try Example.verifier.parse(request))
        _ = try Example.verifier.verify(
            auth, secretAccessKey: Example.secretAccessKey, request: request, now: Example.date)
    }

    static let presignedQuery =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"

    @Test func signerReproducesPresignedExample() {
        let query = Example.signer.presign(
            method: "GET", path: "/test.txt", query: "", host: "examplebucket.s3.amazonaws.com", expires: 86_400,
            date: Example.date)
        #expect(query == Self.presignedQuery)
    }

    @Test func verifierAcceptsPresignedExampleUntilItExpires() throws {
        let request = SigV4Request(
            method: "GET", path: "/test.txt", query: Self.presignedQuery,
            headers: [("Host", "examplebucket.s3.amazonaws.com")])
        let auth = try #require(try Example.verifier.parse(request))
        #expect(auth.isPresigned)
        #expect(auth.accessKeyID == Example.accessKeyID)
        for offset in [0.0, 3600, 86_400] {
            let verified = try Example.verifier.verify(
                auth, secretAccessKey: Example.secretAccessKey, request: request,
                now: Example.date.addingTimeInterval(offset))
            #expect(verified.isPresigned)
            #expect(verified.payload == .unsigned)
            #expect(verified.chunkSigning == nil)
        }
        let error = sigV4Error {
            _ = try Example.verifier.verify(
                auth, secretAccessKey: Example.secretAccessKey, request: request,
                now: Example.date.addingTimeInterval(86_401))
        }
        #expect(error?.code == .expired)
        #expect(error?.code.s3Code == "AccessDenied")
        #expect(error?.message == "Request has expired")
    }

    @Test(arguments: [false, true])
    func verifierAcceptsChunkedExampleSeed(trailer: Bool) throws {
        let request = Example.chunkedRequest(trailer: trailer)
        let auth = try #require(try Example.verifier.parse(request))
        let verified = try Example.verifier.verify(
            auth, secretAccessKey: Example.secretAccessKey, request: request, now: Example.date)
        #expect(verified.payload == (trailer ? .streamingSignedTrailer : .streamingSigned))
        let signing = try #require(verified.chunkSigning)
        #expect(signing.seedSignature == (trailer ? Example.trailerSeed : Example.chunkedSeed))
        #expect(signing.timestamp == "20130524T000000Z")
        #expect(signing.credentialScope == "20130524/us-east-1/s3/aws4_request")
    }

    @Test(arguments: [false, true])
    func signerReproducesChunkedExampleSeed(trailer: Bool) {
        var headers = Example.chunkedHeaders(trailer: trailer).filter {
            !["authorization", "x-amz-date", "x-amz-content-sha256"].contains($0.name.lowercased())
        }
        if trailer {
            // The trailer example does not sign Content-Length.
            headers.removeAll { $0.name == "Content-Length" }
        }
        let signing = Example.signer.signStreaming(
            method: "PUT", path: "/examplebucket/chunkObject.txt", query: "", headers: &headers, trailer: trailer,
            date: Example.date)
        #expect(signing.seedSignature == (trailer ? Example.trailerSeed : Example.chunkedSeed))
    }

    @Test(arguments: [false, true])
    func chunkSignaturesMatchExample(trailer: Bool) {
        let signing = Example.chunkSigning(trailer: trailer)
        let expected = trailer ? Example.trailerChunkSignatures : Example.chunkSignatures
        var previous = signing.seedSignature
        for (index, size) in [65_536, 1024, 0].enumerated() {
            let chunk = ByteBuffer(testBytes: [UInt8](repeating: UInt8(ascii: "a"), count: size))
            previous = signing.chunkSignature(of: chunk, previousSignature: previous)
            #expect(previous == expected[index])
        }
        if trailer {
            let signature = signing.trailerSignature(
                of: [("x-amz-checksum-crc32c", "sOO8/Q==")], previousSignature: previous)
            #expect(signature == Example.trailerSignature)
        }
    }

    @Test func encoderReproducesChunkedExampleBody() {
        for trailer in [false, true] {
            var encoder = AWSChunkedEncoder(signing: Example.chunkSigning(trailer: trailer))
            var body = encoder.encode(
                chunk: ByteBuffer(testBytes: [UInt8](repeating: UInt8(ascii: "a"), count: 65_536))
            )
            .bytes
            body +=
                encoder.encode(chunk: ByteBuffer(testBytes: [UInt8](repeating: UInt8(ascii: "a"), count: 1024))).bytes
            body += encoder.finish(trailers: trailer ? [("x-amz-checksum-crc32c", "sOO8/Q==")] : nil).bytes
            #expect(body == Example.chunkedBody(trailer: trailer))
        }
        #expect(Example.chunkedBody(trailer: false).count == 66_824)
    }

    @Test func chunkedExampleDecodes() throws {
        let verified = try Example.verifier.verify(
            try #require(try Example.verifier.parse(Example.chunkedRequest(trailer: false))),
            secretAccessKey: Example.secretAccessKey, request: Example.chunkedRequest(trailer: false), now: Example.date
        )
        let decoder = AWSChunkedDecoder(signing: verified.chunkSigning, expectsTrailer: false)
        let result = try decodeChunked(Example.chunkedBody(trailer: false), with: decoder)
        #expect(result.payload == [UInt8](repeating: UInt8(ascii: "a"), count: 66_560))
        #expect(result.decodedLength == 66_560)
        #expect(result.trailers.isEmpty)
    }

    @Test func trailerExampleDecodes() throws {
        let verified = try Example.verifier.verify(
            try #require(try Example.verifier.parse(Example.chunkedRequest(trailer: true))),
            secretAccessKey: Example.secretAccessKey, request: Example.chunkedRequest(trailer: true), now: Example.date)
        let decoder = AWSChunkedDecoder(signing: verified.chunkSigning, expectsTrailer: true)
        let result = try decodeChunked(Example.chunkedBody(trailer: true), with: decoder)
        #expect(result.payload == [UInt8](repeating: UInt8(ascii: "a"), count: 66_560))
        #expect(result.trailers == ["x-amz-checksum-crc32c": "sOO8/Q=="])
    }
}
