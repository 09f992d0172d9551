import Foundation
import SouverainS3
@testable import SouverainS3Client
import Testing

@Suite struct ResponseXMLTests {
    @Test func parsesAnErrorDocument() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <Error><Code>NoSuchKey</Code><Message>The key &quot;a&amp;b&quot; &lt;does not&gt; exist &#233;&#x41;</Message>
            <Resource>/b/a&amp;b</Resource><RequestId>4442587FB7D0A2F9</RequestId><Empty/></Error>
            """
        let xml = try #require(ResponseXML.parse(Array(text.utf8)))
        #expect(xml.name == "Error")
        #expect(xml.string("Code") == "NoSuchKey")
        #expect(xml.string("Message") == "The key \"a&b\" <does not> exist éA")
        #expect(xml.string("Resource") == "/b/a&b")
        #expect(xml.string("RequestId") == "4442587FB7D0A2F9")
        #expect(xml.first("Empty")?.text == "")
    }

    @Test func dropsNamespacePrefixesAndSkipsAttributes() throws {
        let text = #"<s3:Result xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/" a='x>y'><s3:Key k="1">v</s3:Key><![CDATA[a&amp;<b>]]></s3:Result>"#
        let xml = try #require(ResponseXML.parse(Array(text.utf8)))
        #expect(xml.name == "Result")
        #expect(xml.string("Key") == "v")
        #expect(xml.text == "a&amp;<b>")
    }

    @Test(arguments: ["", "<a>", "<a></b>", "<a><b></a></b>", "<a/><b/>", "text only", "<a>x</a><a>y</a>"])
    func rejectsMalformedDocuments(text: String) {
        #expect(ResponseXML.parse(Array(text.utf8)) == nil)
    }

    @Test func rejectsDeepNesting() {
        let text = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(ResponseXML.parse(Array(text.utf8)) == nil)
    }

    @Test func readsAListingWithURLEncodedKeys() throws {
        let text = """
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p%2F</Prefix>
            <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter>%2F</Delimiter><IsTruncated>true</IsTruncated>
            <NextContinuationToken>tok/en+=</NextContinuationToken>
            <Contents><Key>p/a+b%26c%C3%A9</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
            <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
            <Contents><Key>p/%2Bplus</Key><LastModified>2009-10-12T17:50:30Z</LastModified><ETag>"e-2"</ETag><Size>0</Size></Contents>
            <CommonPrefixes><Prefix>p/d%20ir/</Prefix></CommonPrefixes><EncodingType>url</EncodingType></ListBucketResult>
            """
        let xml = try #require(ResponseXML.parse(Array(text.utf8)))
        let page = try #require(ListObjectsV2Result(xml: xml))
        #expect(page.name == "b")
        #expect(page.prefix == "p/")
        #expect(page.delimiter == "/")
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "tok/en+=")
        #expect(page.contents.map(\.key) == ["p/a b&cé", "p/+plus"])
        #expect(page.contents[0].etag == "fba9dede5f27731c9771645a39863328")
        #expect(page.contents[0].size == 434_234)
        #expect(page.contents[0].lastModified == Date(timeIntervalSince1970: 1_255_369_830))
        #expect(page.contents[1].etag == "e-2")
        #expect(page.commonPrefixes == ["p/d ir/"])
    }

    @Test func escapesTextAndRefusesBadPercentEncoding() {
        #expect(XMLWriter.escape(#"a&b<c>"d'"#) == "a&amp;b&lt;c&gt;&quot;d&apos;")
        #expect(XMLText.urlDecode("a%2") == nil)
        #expect(XMLText.urlDecode("%FF") == nil)
    }
}
