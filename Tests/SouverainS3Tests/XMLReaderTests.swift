import Testing
@testable import SouverainS3

private func parse(_ xml: String, root: String = "r") throws(S3Error) -> XMLNode {
    try XMLNode.parse(Array(xml.utf8), root: root)
}

@Suite("XML reader")
struct XMLReaderTests {
    @Test(arguments: [
        ("<r>a</r>", "a"),
        ("<r/>", ""),
        ("<r />", ""),
        ("\u{FEFF}<?xml version='1.0' encoding='UTF-8' standalone=\"yes\"?>\n<r>a</r>\n", "a"),
        ("<!-- before --><?pi data?><r><!-- inside -->a<?pi?>b</r><!-- after -->\n", "ab"),
        ("<r a='1' b=\"x&amp;y\" xmlns=\"urn:x\" xmlns:p=\"urn:p\">t</r>", "t"),
        ("<r>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;&#xD;&#9;</r>", "<>&'\"AB😀\r\t"),
        ("<r>a\r\nb\rc\nd</r>", "a\nb\nc\nd"),
        ("<r><![CDATA[<x> & ]] > ]]]></r>", "<x> & ]] > ]"),
        ("<r>a<![CDATA[b]]>c</r>", "abc"),
        ("<r>] ]> ]></r>", "] ]> ]>"),
        ("<p:r xmlns:p='urn:p'>x</p:r>", "x"),
        ("<r>é✓😀</r>", "é✓😀"),
        ("<r>  spaced  </r>", "  spaced  "),
        ("<r\n>x</r\n>", "x"),
    ])
    func wellFormed(_ xml: String, _ text: String) throws {
        let node = try parse(xml)
        #expect(node.name == "r")
        #expect(node.text == text)
    }

    @Test func children() throws {
        let node = try parse("<r><a>1</a><b/><a>2</a><c><d>deep</d></c>tail</r>")
        #expect(node.children.map(\.name) == ["a", "b", "a", "c"])
        #expect(node.all("a").map(\.text) == ["1", "2"])
        #expect(node.first("c")?.first("d")?.text == "deep")
        #expect(node.first("zz") == nil)
        #expect(node.text == "tail")
    }

    @Test(arguments: [
        ("", "empty"),
        ("   ", "only spaces"),
        ("text", "no element"),
        ("<r>", "unclosed"),
        ("<r></s>", "mismatched"),
        ("<r><a></r></a>", "crossed"),
        ("<r/><r/>", "two roots"),
        ("<r/>text", "text after the root"),
        ("text<r/>", "text before the root"),
        ("<r>a & b</r>", "bare ampersand"),
        ("<r>&nbsp;</r>", "undefined entity"),
        ("<r>&#0;</r>", "NUL reference"),
        ("<r>&#x1;</r>", "control reference"),
        ("<r>&#xD800;</r>", "surrogate reference"),
        ("<r>&#xFFFE;</r>", "non-character reference"),
        ("<r>&#x110000;</r>", "reference beyond Unicode"),
        ("<r>&#+65;</r>", "signed reference"),
        ("<r>&#x;</r>", "empty reference"),
        ("<r>&amp</r>", "unterminated reference"),
        ("<r>\u{1}</r>", "raw control character"),
        ("<r>\u{FFFF}</r>", "raw non-character"),
        ("<r>a]]>b</r>", "CDATA end in text"),
        ("<r><![CDATA[x</r>", "unterminated CDATA"),
        ("<r><!-- x </r>", "unterminated comment"),
        ("<r><!-- a -- b --></r>", "double hyphen in comment"),
        ("<r><?pi </r>", "unterminated processing instruction"),
        ("<!DOCTYPE r><r/>", "DOCTYPE"),
        ("<r><!ENTITY x 'y'></r>", "ENTITY inside"),
        ("<r a=1/>", "unquoted attribute"),
        ("<r a='1'b='2'/>", "attributes without space"),
        ("<r a='<'/>", "'<' in attribute"),
        ("<r a='&x;'/>", "undefined entity in attribute"),
        ("<r a='1/>", "unterminated attribute"),
        ("<1r/>", "name starting with a digit"),
        ("< r/>", "space before the name"),
        ("<r></ r>", "space in end tag"),
    ])
    func malformed(_ xml: String, _ why: String) {
        #expect(throws: S3Error.self, "\(why)") { try parse(xml) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: S3Error.self) { try XMLNode.parse(Array("<r>".utf8) + [0xC3, 0x28] + Array("</r>".utf8), root: "r") }
    }

    @Test func depthIsLimited() throws {
        let ok = String(repeating: "<a>", count: 15) + String(repeating: "</a>", count: 15)
        _ = try parse(ok, root: "a")
        let deep = String(repeating: "<a>", count: 17) + String(repeating: "</a>", count: 17)
        #expect(throws: S3Error.self) { try parse(deep, root: "a") }
    }

    @Test func rootMustMatch() {
        do {
            _ = try parse("<s/>")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedXML)
            #expect(error.message.contains("<r>"))
        }
    }

    @Test func largeDeleteBody() throws {
        let key = String(repeating: "k", count: 1020) + "&lt;"
        let body = "<Delete>" + String(repeating: "<Object><Key>\(key)</Key></Object>", count: 1000) + "</Delete>"
        let request = try DeleteObjectsRequest.parse(Array(body.utf8))
        #expect(request.objects.count == 1000)
        #expect(request.objects.allSatisfy { $0.key.utf8.count == 1021 })
    }

    @Test func parsesConcurrently() async throws {
        let body = Array("<CompleteMultipartUpload><Part><PartNumber>7</PartNumber><ETag>\"e\"</ETag></Part></CompleteMultipartUpload>".utf8)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask { try CompleteMultipartUploadRequest.parse(body)[0].partNumber }
            }
            for try await number in group { #expect(number == 7) }
        }
    }
}
