import Foundation
import SouverainSigV4
import Testing

/// Every way a request is refused.
@Suite struct SigV4RejectionTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let secret = "correct horse battery staple"
    static let signer = SigV4Signer(accessKeyID: "AKID", secretAccessKey: secret, region: "eu-central-1")
    static let verifier = SigV4Verifier(region: "eu-central-1")

    static func signed(
        signer: SigV4Signer = signer, headers: [(name: String, value: String)] = [("host", "localhost")],
        payloadHash: String = "UNSIGNED-PAYLOAD", at date: Date = now
    ) -> SigV4Request {
        var headers = headers
        signer.sign(method: "PUT", path: "/b/k", query: "a=1", headers: &headers, payloadHash: payloadHash, date: date)
        return SigV4Request(method: "PUT", path: "/b/k", query: "a=1", headers: headers)
    }

    static func presigned(expires: Int = 900, at date: Date = now, signer: SigV4Signer = signer) -> SigV4Request {
        let query = signer.presign(
            method: "GET", path: "/b/k", query: "", host: "localhost", expires: expires, date: date)
        return SigV4Request(method: "GET", path: "/b/k", query: query, headers: [("host", "localhost")])
    }

    /// The error of parsing then verifying `request` at `now`, or nil when it verifies.
    static func failure(
        _ request: SigV4Request, secret: String = secret, now: Date = now, verifier: SigV4Verifier = verifier
    ) -> SigV4Error? {
        sigV4Error {
            guard let auth = try verifier.parse(request) else {
                throw SigV4Error(code: .accessDenied, message: "anonymous")
            }
            _ = try verifier.verify(auth, secretAccessKey: secret, request: request, now: now)
        }
    }

    static func replacing(_ name: String, with value: String?, in request: SigV4Request) -> SigV4Request {
        var request = request
        request.headers.removeAll { $0.name.lowercased() == name }
        if let value { request.headers.append((name: name, value: value)) }
        return request
    }

    @Test func controlRequestsVerify() {
        #expect(Self.failure(Self.signed()) == nil)
        #expect(Self.failure(Self.presigned()) == nil)
    }

    @Test func anonymousRequestsParseToNil() throws {
        for query in ["", "list-type=2&prefix=a", "X-Amz-Date=20130524T000000Z", "bad=%zz"] {
            let request = SigV4Request(method: "GET", path: "/b", query: query, headers: [("Host", "localhost")])
            #expect(try Self.verifier.parse(request) == nil)
        }
    }

    @Test func tamperedSignature() throws {
        let request = Self.signed()
        let authorization = try #require(request.headers.first { $0.name == "Authorization" }?.value)
        let last = authorization.last == "0" ? "1" : "0"
        let tampered = Self.replacing("authorization", with: String(authorization.dropLast()) + last, in: request)
        #expect(Self.failure(tampered)?.code == .signatureDoesNotMatch)
    }

    @Test func wrongSecret() {
        let error = Self.failure(Self.signed(), secret: "wrong secret")
        #expect(error?.code == .signatureDoesNotMatch)
        #expect(error?.code.s3Code == "SignatureDoesNotMatch")
        #expect(Self.failure(Self.presigned(), secret: "wrong secret")?.code == .signatureDoesNotMatch)
    }

    @Test func messagesHoldNoSecretNorExpectedSignature() throws {
        let request = Self.signed()
        let expected = try #require(request.headers.first { $0.name == "Authorization" }?.value.suffix(64))
        let wrongSigner = SigV4Signer(accessKeyID: "AKID", secretAccessKey: "other", region: "eu-central-1")
        let error = try #require(Self.failure(Self.signed(signer: wrongSigner)))
        #expect(error.code == .signatureDoesNotMatch)
        #expect(!error.message.contains(expected))
        #expect(!error.message.contains(Self.secret))
        #expect(!error.description.contains(expected))
        #expect(!String(describing: Self.signer).contains(Self.secret))
        #expect(!String(reflecting: Self.signer).contains(Self.secret))
    }

    @Test func tamperedRequestParts() {
        let request = Self.signed(headers: [("host", "localhost"), ("x-amz-meta-a", "1")])
        var changed = request
        changed.method = "POST"
        #expect(Self.failure(changed)?.code == .signatureDoesNotMatch)
        changed = request
        changed.path = "/b/k2"
        #expect(Self.failure(changed)?.code == .signatureDoesNotMatch)
        changed = request
        changed.path = "/b//k"
        #expect(Self.failure(changed)?.code == .signatureDoesNotMatch)
        changed = request
        changed.query = "a=2"
        #expect(Self.failure(changed)?.code == .signatureDoesNotMatch)
        changed = request
        changed.query = "a=1&b=2"
        #expect(Self.failure(changed)?.code == .signatureDoesNotMatch)
        #expect(Self.failure(Self.replacing("x-amz-meta-a", with: "2", in: request))?.code == .signatureDoesNotMatch)
        #expect(Self.failure(Self.replacing("host", with: "evil", in: request))?.code == .signatureDoesNotMatch)
        changed = request
        changed.headers.append((name: "X-Amz-Meta-A", value: "again"))
        #expect(Self.failure(changed)?.code == .signatureDoesNotMatch)
    }

    @Test func signedHeaderMissingFromRequest() {
        let request = Self.signed(headers: [("host", "localhost"), ("x-amz-meta-a", "1")])
        let error = Self.failure(Self.replacing("x-amz-meta-a", with: nil, in: request))
        #expect(error?.code == .signatureDoesNotMatch)
        #expect(error?.message.contains("x-amz-meta-a") == true)
    }

    @Test func hostNotSigned() {
        let request = Self.signed(headers: [("x-amz-meta-a", "1")])
        let withHost = Self.replacing("host", with: "localhost", in: request)
        #expect(Self.failure(withHost)?.code == .authorizationHeaderMalformed)
    }

    @Test func wrongRegionServiceOrTerminator() {
        let otherRegion = SigV4Signer(accessKeyID: "AKID", secretAccessKey: Self.secret, region: "us-east-1")
        let error = Self.failure(Self.signed(signer: otherRegion))
        #expect(error?.code == .authorizationHeaderMalformed)
        #expect(error?.message.contains("us-east-1") == true)
        #expect(Self.failure(Self.presigned(signer: otherRegion))?.code == .authorizationQueryParametersError)
        let otherService = SigV4Signer(
            accessKeyID: "AKID", secretAccessKey: Self.secret, region: "eu-central-1", service: "iam")
        #expect(Self.failure(Self.signed(signer: otherService))?.code == .authorizationHeaderMalformed)

        let request = Self.signed()
        let authorization = request.headers.first { $0.name == "Authorization" }!.value
        let wrongTerminator = authorization.replacingOccurrences(of: "/aws4_request", with: "/aws5_request")
        #expect(
            Self.failure(Self.replacing("authorization", with: wrongTerminator, in: request))?.code
                == .authorizationHeaderMalformed)
    }

    @Test func scopeDateDiffersFromRequestDate() {
        let request = Self.signed()
        let authorization = request.headers.first { $0.name == "Authorization" }!.value
        let scopeDate = String(AmzDateForTests.basic(Self.now).prefix(8))
        let otherDay = authorization.replacingOccurrences(of: "/\(scopeDate)/", with: "/20200101/")
        #expect(
            Self.failure(Self.replacing("authorization", with: otherDay, in: request))?.code
                == .authorizationHeaderMalformed)
    }

    @Test(arguments: [-901.0, -900.0, -899.0, 0.0, 899.0, 900.0, 901.0])
    func headerSkew(offset: TimeInterval) {
        let error = Self.failure(Self.signed(at: Self.now.addingTimeInterval(offset)))
        if abs(offset) > 900 {
            #expect(error?.code == .requestTimeTooSkewed)
            #expect(error?.code.s3Code == "RequestTimeTooSkewed")
        } else {
            #expect(error == nil)
        }
    }

    @Test func customSkew() {
        let strict = SigV4Verifier(region: "eu-central-1", allowedSkew: 60)
        #expect(
            Self.failure(Self.signed(at: Self.now.addingTimeInterval(61)), verifier: strict)?.code
                == .requestTimeTooSkewed)
        #expect(Self.failure(Self.signed(at: Self.now.addingTimeInterval(60)), verifier: strict) == nil)
    }

    @Test func presignedExpiry() {
        let request = Self.presigned(expires: 900)
        #expect(Self.failure(request, now: Self.now.addingTimeInterval(900)) == nil)
        let expired = Self.failure(request, now: Self.now.addingTimeInterval(901))
        #expect(expired?.code == .expired)
        #expect(expired?.code.s3Code == "AccessDenied")
        #expect(expired?.message == "Request has expired")
        // Presigned long ago but valid for a week: only expiry applies to the past.
        #expect(Self.failure(Self.presigned(expires: 604_800), now: Self.now.addingTimeInterval(86_400 * 6)) == nil)
        // Dated in the future: skew applies.
        #expect(Self.failure(request, now: Self.now.addingTimeInterval(-899)) == nil)
        #expect(Self.failure(request, now: Self.now.addingTimeInterval(-901))?.code == .requestTimeTooSkewed)
    }

    @Test(arguments: ["0", "604801", "-5"])
    func presignedExpiresOutOfRange(expires: String) {
        var request = Self.presigned()
        request.query = request.query.replacingOccurrences(of: "X-Amz-Expires=900", with: "X-Amz-Expires=\(expires)")
        // Refused as an expired URL is: 403 AccessDenied, as S3 and RGW answer.
        #expect(Self.failure(request)?.code == .expired)
    }

    @Test(arguments: [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
    ])
    func presignedMissingParameter(name: String) {
        var request = Self.presigned()
        request.query = request.query.split(separator: "&").filter { !$0.hasPrefix(name + "=") }.joined(separator: "&")
        #expect(Self.failure(request)?.code == .authorizationQueryParametersError)
    }

    @Test(arguments: [
        ("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
        ("X-Amz-Expires=900", "X-Amz-Expires=soon"),
        ("X-Amz-Date=", "X-Amz-Date=2023"),
        ("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host;;date"),
        ("X-Amz-Credential=AKID%2F", "X-Amz-Credential=AKID%2Fx"),
        ("X-Amz-Signature=", "X-Amz-Signature=zz"),
        ("X-Amz-Signature=", "X-Amz-Signature=%zz"),
        ("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Algorithm=AWS4-HMAC-SHA256"),
    ])
    func presignedMalformed(_ original: String, _ replacement: String) {
        var request = Self.presigned()
        #expect(request.query.contains(original))
        request.query = request.query.replacingOccurrences(of: original, with: replacement)
        #expect(Self.failure(request)?.code == .authorizationQueryParametersError)
    }

    @Test func presignedContentSHA256() {
        var request = Self.presigned()
        request.query += "&X-Amz-Content-Sha256=STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
        #expect(Self.failure(request)?.code == .invalidArgument)
    }

    @Test func bothHeaderAndQueryAuthentication() {
        var request = Self.signed()
        request.query = Self.presigned().query
        #expect(Self.failure(request)?.code == .invalidArgument)
    }

    @Test func missingOrMalformedDate() {
        let request = Self.signed()
        let noDate = Self.replacing("x-amz-date", with: nil, in: request)
        #expect(Self.failure(noDate)?.code == .missingDate)
        #expect(Self.failure(noDate)?.code.s3Code == "AccessDenied")
        #expect(Self.failure(Self.replacing("x-amz-date", with: "yesterday", in: request))?.code == .missingDate)
        #expect(Self.failure(Self.replacing("x-amz-date", with: "20230230T000000Z", in: request))?.code == .missingDate)
        let badDateHeader = Self.replacing("date", with: "Someday", in: noDate)
        #expect(Self.failure(badDateHeader)?.code == .missingDate)
    }

    @Test func contentSHA256MissingOrUnknown() {
        let request = Self.signed()
        #expect(Self.failure(Self.replacing("x-amz-content-sha256", with: nil, in: request))?.code == .invalidArgument)
        for value in ["STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "abc", String(repeating: "g", count: 64)] {
            #expect(Self.failure(Self.signed(payloadHash: value))?.code == .invalidArgument)
        }
    }

    @Test func invalidPercentEncoding() {
        let signer = Self.signer
        for (path, query) in [("/b/%zz", ""), ("/b/%4", ""), ("/b/k%", ""), ("/b/k", "a=%G1"), ("/b/k", "%=1")] {
            var headers: [(name: String, value: String)] = [("host", "localhost")]
            signer.sign(
                method: "GET", path: path, query: query, headers: &headers, payloadHash: "UNSIGNED-PAYLOAD",
                date: Self.now)
            let error = Self.failure(SigV4Request(method: "GET", path: path, query: query, headers: headers))
            #expect(error?.code == .signatureDoesNotMatch)
        }
    }

    static let malformedAuthorizations = [
        "",
        "AWS AKID:c2lnbmF0dXJl",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 ",
        "AWS4-HMAC-SHA512 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host,Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 SignedHeaders=host,Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3,SignedHeaders=host,Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 Credential=/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host,Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 Credential=AKID/2023111/eu-central-1/s3/aws4_request,SignedHeaders=host,Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114//s3/aws4_request,SignedHeaders=host,Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=,Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host;;x-amz-date,Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host,Signature=\(String(repeating: "a", count: 63))",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host,Signature=\(String(repeating: "g", count: 64))",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host,Signature=\(String(repeating: "a", count: 64)),Signature=\(String(repeating: "a", count: 64))",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host,Signature=\(String(repeating: "a", count: 64)),Extra=1",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host,Signature=\(String(repeating: "a", count: 64)),",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request SignedHeaders=host Signature=\(String(repeating: "a", count: 64))",
    ]

    @Test(arguments: malformedAuthorizations)
    func malformedAuthorizationHeader(_ value: String) {
        let request = SigV4Request(
            method: "GET", path: "/", query: "",
            headers: [("host", "localhost"), ("Authorization", value), ("x-amz-date", "20231114T221320Z")])
        let error = sigV4Error { _ = try Self.verifier.parse(request) }
        #expect(error?.code == .authorizationHeaderMalformed)
    }

    @Test func fuzzedAuthorizationHeadersNeverCrash() throws {
        let request = Self.signed(headers: [("host", "localhost"), ("x-amz-meta-x", "y")])
        let original = try #require(request.headers.first { $0.name == "Authorization" }?.value)
        let signature = String(original.suffix(64))
        let alphabet = Array("AWS4-HMAC-SHA256 Credential=/;,=abcdef0123456789 \t%:\u{0}é😀")
        var generator = SeededGenerator(seed: 0x5EED)
        var accepted = 0
        for _ in 0..<500 {
            let mutated = generator.mutate(original, alphabet: alphabet, edits: 1...4)
            if let error = Self.failure(Self.replacing("authorization", with: mutated, in: request)) {
                #expect(!error.message.isEmpty)
            } else {
                // Only a harmless change (such as the case of a header name) may still verify.
                accepted += 1
                #expect(mutated.lowercased().contains(signature))
            }
        }
        #expect(accepted < 50)
    }

    @Test func fuzzedPresignedQueriesNeverCrash() {
        let request = Self.presigned()
        let alphabet = Array("X-Amz-=&%2F0123456789abcdefAWS4")
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            var characters = Array(request.query)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<characters.count, using: &generator)
                if Bool.random(using: &generator) {
                    characters[index] = alphabet.randomElement(using: &generator)!
                } else {
                    characters.remove(at: index)
                }
            }
            var mutated = request
            mutated.query = String(characters)
            _ = Self.failure(mutated)
        }
    }
}

/// Formats dates as x-amz-date does, for building tampered scopes.
enum AmzDateForTests {
    static func basic(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2)
            + pad(c.second, 2) + "Z"
    }
}
