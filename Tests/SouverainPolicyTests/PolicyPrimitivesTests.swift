import Testing
@testable import SouverainPolicy

@Suite struct PolicyPrimitivesTests {
    @Test(arguments: [
        ("*", "", true), ("*", "anything/at/all", true), ("a*c", "abc", true), ("a*c", "ac", true), ("a*c", "abd", false),
        ("a?c", "abc", true), ("a?c", "ac", false), ("*.png", "x/y.png", true), ("*.png", "x/y.png.txt", false),
        ("a*b*c", "aXbYbZc", true), ("a*b*c", "aXc", false), ("photos/*", "photos/", true), ("abc", "ABC", false),
    ])
    func wildcards(pattern: String, value: String, matches: Bool) {
        #expect(WildcardPattern.matches(pattern, value) == matches)
    }

    @Test func wildcardsIgnoringCase() {
        #expect(WildcardPattern.matches("s3:Get*", "S3:GETOBJECT", ignoringCase: true))
        #expect(!WildcardPattern.matches("s3:Get*", "S3:GETOBJECT"))
    }

    @Test(arguments: [
        ("127.0.0.0/8", "127.0.0.1", true), ("127.0.0.0/8", "128.0.0.1", false), ("10.0.0.1", "10.0.0.1", true),
        ("10.0.0.1", "10.0.0.2", false), ("0.0.0.0/0", "203.0.113.9", true), ("192.168.1.0/23", "192.168.0.7", true),
        ("192.168.1.0/23", "192.168.2.1", false), ("::1/128", "::1", true), ("::1", "::2", false),
        ("2001:db8::/32", "2001:0db8:ffff::1", true), ("2001:db8::/33", "2001:db8:8000::1", false),
        ("::/0", "fe80::1", true), ("127.0.0.0/8", "::ffff:127.0.0.1", true), ("::ffff:0:0/96", "::ffff:1.2.3.4", true),
        ("10.0.0.0/8", "not an address", false), ("10.0.0.0/8", "::1", false),
    ])
    func cidrBlocks(block: String, address: String, contains: Bool) throws {
        let parsed = try #require(IPAddressBlock(block))
        #expect(parsed.contains(address) == contains)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4/33", "256.0.0.1", "1.2.3.4/", "1.2.3.4/x", "::1/129", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::"])
    func malformedBlocks(text: String) {
        #expect(IPAddressBlock(text) == nil)
    }

    @Test func blocksPrintTheirNetwork() throws {
        #expect(try #require(IPAddressBlock("192.168.1.77/24")).description == "192.168.1.0/24")
        #expect(try #require(IPAddressBlock("2001:db8::1/32")).description == "2001:db8:0:0:0:0:0:0/32")
    }

    @Test func everyKnownActionHasAKindAndWildcardsExpand() {
        #expect(S3Actions.kind(of: "s3:getobject") == .object)
        #expect(S3Actions.kind(of: "s3:ListBucket") == .bucket)
        #expect(S3Actions.kind(of: "s3:ListAllMyBuckets") == .account)
        #expect(S3Actions.matching("s3:*").count == S3Actions.all.count)
        #expect(S3Actions.matching("s3:GetObjectVersion*").count == 6)
        #expect(Set(S3Actions.all.map { $0.lowercased() }).count == S3Actions.all.count)
    }
}
