import Testing
import SouverainS3

@Suite("S3URLEncoding")
struct S3URLEncodingTests {
    @Test(arguments: [
        ("", "", ""),
        ("AZaz09-_.~", "AZaz09-_.~", "AZaz09-_.~"),
        ("a b", "a%20b", "a%20b"),
        ("a/b", "a%2Fb", "a/b"),
        ("&+-é\"", "%26%2B-%C3%A9%22", "%26%2B-%C3%A9%22"),
        ("*'()!$,;=:@?#[]%", "%2A%27%28%29%21%24%2C%3B%3D%3A%40%3F%23%5B%5D%25", "%2A%27%28%29%21%24%2C%3B%3D%3A%40%3F%23%5B%5D%25"),
        ("\u{0}\u{7F}😀", "%00%7F%F0%9F%98%80", "%00%7F%F0%9F%98%80"),
    ])
    func encode(_ input: String, _ encoded: String, _ encodedKeepingSlash: String) {
        #expect(S3URLEncoding.encode(input) == encoded)
        #expect(S3URLEncoding.encode(input, keepSlash: true) == encodedKeepingSlash)
        #expect(S3URLEncoding.decode(encoded) == input)
        #expect(S3URLEncoding.decode(encodedKeepingSlash) == input)
    }

    @Test(arguments: [
        ("plain", "plain" as String?),
        ("a+b", "a+b"),
        ("a%2bb", "a+b"),
        ("%c3%a9%C3%A9", "éé"),
        ("é", "é"),
        ("%25zz", "%zz"),
        ("%zz", nil),
        ("%", nil),
        ("%4", nil),
        ("a%g0", nil),
        ("%C3", nil),
        ("%C3%28", nil),
        ("%FF", nil),
        ("%ED%A0%80", nil),
        ("%C0%AF", nil),
    ])
    func decode(_ input: String, _ expected: String?) {
        #expect(S3URLEncoding.decode(input) == expected)
    }

    @Test func parseQuery() {
        let pairs = S3URLEncoding.parseQuery("uploads&prefix=a%20b%2Fc&delimiter=%2F&plus=a+b&lit=a%2Bb&empty=&=v&&eq=a=b&bad=%zz")
        #expect(pairs.map(\.0) == ["uploads", "prefix", "delimiter", "plus", "lit", "empty", "", "eq", "bad"])
        #expect(pairs.map(\.1) == ["", "a b/c", "/", "a b", "a+b", "", "v", "a=b", "%zz"])
        #expect(S3URLEncoding.parseQuery("").isEmpty)
        #expect(S3URLEncoding.parseQuery("&&").isEmpty)
    }
}
