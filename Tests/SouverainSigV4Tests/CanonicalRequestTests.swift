import Foundation
import Testing

@testable import SouverainSigV4

/// The canonical forms, checked piece by piece.
@Suite struct CanonicalRequestTests {
    @Test(arguments: [
        ("", "/"),
        ("/", "/"),
        ("/bucket/a%20b", "/bucket/a%20b"),
        ("/bucket/a b", "/bucket/a%20b"),
        ("/bucket/a+b", "/bucket/a%2Bb"),
        ("/bucket/a%2bb", "/bucket/a%2Bb"),
        ("/bucket/%7Etilde~", "/bucket/~tilde~"),
        ("/bucket//double/./dot/../up", "/bucket//double/./dot/../up"),
        ("/bucket/a%2Fb", "/bucket/a/b"),
        ("/bucket/ünï", "/bucket/%C3%BCn%C3%AF"),
        ("/bucket/$&'()*,;=:@", "/bucket/%24%26%27%28%29%2A%2C%3B%3D%3A%40"),
    ])
    func canonicalURI(_ raw: String, _ canonical: String) throws {
        #expect(try CanonicalRequest.uri(rawPath: raw) == canonical)
        #expect(CanonicalRequest.uri(lenientRawPath: raw) == canonical)
    }

    @Test(arguments: ["/%", "/%2", "/%zz", "/a%g0"])
    func malformedURI(_ raw: String) {
        #expect(sigV4Error { _ = try CanonicalRequest.uri(rawPath: raw) }?.code == .signatureDoesNotMatch)
    }

    @Test(arguments: [
        ("", ""),
        ("b=2&a=1", "a=1&b=2"),
        ("a=2&a=1&a=10", "a=1&a=10&a=2"),
        ("uploads", "uploads="),
        ("uploads&partNumber=1", "partNumber=1&uploads="),
        ("prefix=a+b", "prefix=a%2Bb"),
        ("prefix=a%20b", "prefix=a%20b"),
        ("prefix=a%2Bb", "prefix=a%2Bb"),
        ("delimiter=/", "delimiter=%2F"),
        ("k=%7e", "k=~"),
        ("a=1&&b=2&", "a=1&b=2"),
        ("x=a=b", "x=a%3Db"),
        ("B=1&a=1", "B=1&a=1"),
    ])
    func canonicalQuery(_ raw: String, _ canonical: String) throws {
        let parameters = try #require(CanonicalRequest.parameters(rawQuery: raw))
        #expect(CanonicalRequest.query(parameters) == canonical)
    }

    @Test func canonicalHeaders() throws {
        let headers: [(name: String, value: String)] = [
            ("Host", " example.com "), ("X-Amz-Meta-A", "one  two\t\tthree"), ("x-amz-meta-a", " four "),
            ("Ignored", "x"),
        ]
        func block(_ signed: [String]) throws(SigV4Error) -> String {
            var bytes: [UInt8] = []
            try CanonicalRequest.appendHeaderBlock(signed: signed, from: headers, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(try block(["host", "x-amz-meta-a"]) == "host:example.com\nx-amz-meta-a:one two three,four\n")
        #expect(sigV4Error { _ = try block(["host", "range"]) }?.code == .signatureDoesNotMatch)
        #expect(CanonicalRequest.normalize("   ") == "")
        #expect(CanonicalRequest.normalize("\ta \t b\t") == "a b")
    }

    @Test func dates() {
        let date = Date(timeIntervalSince1970: 1_369_353_600)
        #expect(AmzDate.parseBasic("20130524T000000Z") == date)
        #expect(AmzDate.parseRFC1123("Fri, 24 May 2013 00:00:00 GMT") == date)
        #expect(AmzDate.formatBasic(date) == "20130524T000000Z")
        #expect(AmzDate.formatBasic(Date(timeIntervalSince1970: 951_782_400.9)) == "20000229T000000Z")
        #expect(AmzDate.formatBasic(Date(timeIntervalSince1970: -1)) == "19691231T235959Z")
        #expect(AmzDate.parseBasic("20000229T235959Z") == Date(timeIntervalSince1970: 951_868_799))
        for invalid in [
            "", "2013-05-24T00:00:00Z", "20130524T000000", "20130524 000000Z", "20130230T000000Z", "20130524T240000Z",
            "20130524T006000Z", "20130524T000060Z", "20131324T000000Z", "19000229T000000Z", "2013O524T000000Z",
        ] {
            #expect(AmzDate.parseBasic(invalid) == nil, "\(invalid)")
        }
        for invalid in [
            "Fri, 24 May 2013 00:00:00", "Fri 24 May 2013 00:00:00 GMT", "Fri, 24 Mai 2013 00:00:00 GMT",
            "Fri, 32 May 2013 00:00:00 GMT", "Fri, 24 May 2013 0:00:00 GMT", "Fry, 24 May 2013 00:00:00 GMT",
        ] {
            #expect(AmzDate.parseRFC1123(invalid) == nil, "\(invalid)")
        }
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<1000 {
            let seconds = Double(Int.random(in: -2_000_000_000...4_000_000_000, using: &generator))
            let date = Date(timeIntervalSince1970: seconds)
            #expect(AmzDate.parseBasic(AmzDate.formatBasic(date)) == date)
            #expect(AmzDate.formatBasic(date) == AmzDateForTests.basic(date))
        }
    }

    @Test func hexAndSigningKey() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.isLowercase("00ff", count: 4))
        #expect(!Hex.isLowercase("00FF", count: 4))
        #expect(!Hex.isLowercase("00f", count: 4))
        #expect(Hex.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Hex.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Hex.constantTimeEqual([1, 2], [1, 2, 3]))
        // The AWS example signing key (sig-v4-header-based-auth).
        let key = SigningKey(
            secretAccessKey: Example.secretAccessKey,
            scope: CredentialScope(date: "20130524", region: "us-east-1", service: "s3"))
        #expect(key.signature("") == key.signature(""))
        #expect(Digest.hex("") == Digest.emptyHash)
    }

    @Test func descriptionsRedactTheSigningKey() {
        let signing = Example.chunkSigning(trailer: false)
        #expect(String(describing: signing).contains("<redacted>"))
        #expect(String(reflecting: signing).contains("<redacted>"))
        var dumped = ""
        dump(signing, to: &dumped)
        #expect(dumped.contains("seedSignature"))
        #expect(!dumped.contains("SymmetricKey") && !dumped.contains("SigningKey("))
    }
}
