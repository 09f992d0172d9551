import Foundation
import SouverainS3
import Testing

@Suite struct TaggingXMLTests {
    private func body(_ tags: [(String, String)]) -> [UInt8] {
        let inner = tags.map { "<Tag><Key>\($0.0)</Key><Value>\($0.1)</Value></Tag>" }.joined()
        return Array("<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>\(inner)</TagSet></Tagging>".utf8)
    }

    private func code(_ body: () throws(S3Error) -> [String: String]) -> S3ErrorCode? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test func aTagSetParses() throws {
        let tags = try TaggingXML.parse(body([("project", "alpha"), ("empty", ""), ("spaced", " a b "), ("é&<", "x")].map {
            ($0.0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"), $0.1)
        }))
        #expect(tags == ["project": "alpha", "empty": "", "spaced": " a b ", "é&<": "x"])
        #expect(try TaggingXML.parse(Array("<Tagging><TagSet/></Tagging>".utf8)) == [:])
    }

    @Test func theResponseListsTagsInKeyOrder() {
        #expect(TaggingXML.xml(["b": "2", "a": "1 & <"]) == """
            <?xml version="1.0" encoding="UTF-8"?>
            <Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>1 &amp; &lt;</Value></Tag>\
            <Tag><Key>b</Key><Value>2</Value></Tag></TagSet></Tagging>
            """)
        #expect(TaggingXML.xml([:]).contains("<TagSet></TagSet>"))
    }

    @Test(arguments: [
        ("<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", "a Tag without Value"),
        ("<Tagging><TagSet><Tag><Value>a</Value></Tag></TagSet></Tagging>", "a Tag without Key"),
        ("<Tagging></Tagging>", "no TagSet"),
        ("<Tags><TagSet/></Tags>", "another root"),
        ("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value><Other/></Tag></TagSet></Tagging>", "an unknown child"),
        ("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag>", "not well-formed"),
    ])
    func malformedBodiesAreMalformedXML(_ xml: String, _ what: String) {
        #expect(code { () throws(S3Error) in try TaggingXML.parse(Array(xml.utf8)) } == .malformedXML, "\(what)")
    }

    @Test func theLimitsAreS3s() throws {
        let ten = (0..<10).map { ("k\($0)", "v") }
        #expect(try TaggingXML.parse(body(ten)).count == 10)
        #expect(code { () throws(S3Error) in try TaggingXML.parse(body(ten + [("k10", "v")])) } == .invalidTag)
        let longestKey = String(repeating: "é", count: 128), longestValue = String(repeating: "v", count: 256)
        #expect(try TaggingXML.parse(body([(longestKey, longestValue)])) == [longestKey: longestValue])
        #expect(code { () throws(S3Error) in try TaggingXML.parse(body([(longestKey + "x", "v")])) } == .invalidTag)
        #expect(code { () throws(S3Error) in try TaggingXML.parse(body([("k", longestValue + "v")])) } == .invalidTag)
        #expect(code { () throws(S3Error) in try TaggingXML.parse(body([("", "v")])) } == .invalidTag)
        #expect(code { () throws(S3Error) in try TaggingXML.parse(body([("same", "1"), ("same", "2")])) } == .invalidTag)
        #expect(code { () throws(S3Error) in try TaggingXML.parse(body([("aws:created", "v")])) } == .invalidTag)
        #expect(code { () throws(S3Error) in try TaggingXML.parse(body([("AWS:created", "v")])) } == .invalidTag)
        #expect(try TaggingXML.parse(body([("awsome", "v")])) == ["awsome": "v"])
    }

    @Test func theHeaderIsAURLEncodedQuery() throws {
        #expect(try TaggingXML.parseHeader("project=alpha&team=data%20science&flag&plus=a+b&eq=a%3Db") ==
            ["project": "alpha", "team": "data science", "flag": "", "plus": "a b", "eq": "a=b"])
        #expect(try TaggingXML.parseHeader("") == [:])
        #expect(try TaggingXML.parseHeader("%C3%A9t%C3%A9=%E2%9C%93") == ["été": "✓"])
        #expect(code { () throws(S3Error) in try TaggingXML.parseHeader("a=%ZZ") } == .invalidArgument)
        #expect(code { () throws(S3Error) in try TaggingXML.parseHeader("a=1&a=2") } == .invalidTag)
        #expect(code { () throws(S3Error) in try TaggingXML.parseHeader((0...10).map { "k\($0)=v" }.joined(separator: "&")) } == .invalidTag)
        #expect(code { () throws(S3Error) in try TaggingXML.parseHeader("aws%3Atag=v") } == .invalidTag)
    }

    @Test func theCopyDirectiveIsCopyOrReplace() throws {
        #expect(try TaggingXML.Directive.parse(nil) == .copy)
        #expect(try TaggingXML.Directive.parse("COPY") == .copy)
        #expect(try TaggingXML.Directive.parse("replace") == .replace)
        #expect(throws: S3Error.self) { try TaggingXML.Directive.parse("MERGE") }
    }
}
