import Testing
import SouverainS3

private func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

private let doctypeBomb = """
    <?xml version="1.0"?>
    <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
    """
private let externalEntity = """
    <?xml version="1.0"?>
    <!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
    """

/// Malformed, hostile or empty bodies: each must throw the given code.
private let malformedBodies: [(String, String, S3ErrorCode)] = [
    ("empty", "", .malformedXML),
    ("whitespace", "  \n", .malformedXML),
    ("not xml", "hello", .malformedXML),
    ("unclosed", "<CompleteMultipartUpload><Part>", .malformedXML),
    ("mismatched", "<CompleteMultipartUpload></Complete>", .malformedXML),
    ("wrong root", "<Delete><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></Delete>", .malformedXML),
    ("no parts", "<CompleteMultipartUpload></CompleteMultipartUpload>", .malformedXML),
    ("no part number", "<CompleteMultipartUpload><Part><ETag>e</ETag></Part></CompleteMultipartUpload>", .malformedXML),
    ("text part number", "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>", .malformedXML),
    ("negative part number", "<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>", .malformedXML),
    ("part number 0", "<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>", .invalidArgument),
    ("part number 10001", "<CompleteMultipartUpload><Part><PartNumber>10001</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>", .invalidArgument),
    ("no etag", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>", .malformedXML),
    ("empty etag", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"\"</ETag></Part></CompleteMultipartUpload>", .malformedXML),
    ("doctype bomb", doctypeBomb + "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&lol2;</ETag></Part></CompleteMultipartUpload>", .malformedXML),
    ("external entity", externalEntity + "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&xxe;</ETag></Part></CompleteMultipartUpload>", .malformedXML),
    ("lowercase doctype", "<!doctype CompleteMultipartUpload><CompleteMultipartUpload/>", .malformedXML),
    ("undefined entity", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&foo;</ETag></Part></CompleteMultipartUpload>", .malformedXML),
    ("two roots", "<CompleteMultipartUpload/><CompleteMultipartUpload/>", .malformedXML),
    ("invalid utf8", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>?</ETag></Part></CompleteMultipartUpload>", .malformedXML),
    ("too deep", "<CompleteMultipartUpload>" + String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40)
        + "<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>", .malformedXML),
]

struct BodyCase: Sendable, CustomTestStringConvertible {
    let name: String
    let body: [UInt8]
    let code: S3ErrorCode
    var testDescription: String { name }
}

private let completeBodies: [BodyCase] = malformedBodies.map { name, body, code in
    var data = bytes(body)
    if name == "invalid utf8" { data = bytes("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>") + [0xFF, 0xFE]
        + bytes("</ETag></Part></CompleteMultipartUpload>") }
    return BodyCase(name: name, body: data, code: code)
}

@Suite("XML request bodies")
struct XMLRequestTests {
    // MARK: CompleteMultipartUpload

    @Test func completeMultipartUpload() throws {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Part>
                <PartNumber>1</PartNumber>
                <ETag>"a54357aff0632cce46d942af68356b38"</ETag>
                <ChecksumCRC32>NBRsaQ==</ChecksumCRC32>
              </Part>
              <Part><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag><PartNumber> 2 </PartNumber><Unknown>x</Unknown></Part>
              <Part><PartNumber>10000</PartNumber><ETag><![CDATA[acbd18db4cc2f85cedef654fccc4a4d8]]></ETag>
                <ChecksumSHA256> c2hh </ChecksumSHA256></Part>
            </CompleteMultipartUpload>
            """
        let parts = try CompleteMultipartUploadRequest.parse(bytes(body))
        #expect(parts == [
            CompletedPart(partNumber: 1, etag: "a54357aff0632cce46d942af68356b38", checksums: ["ChecksumCRC32": "NBRsaQ=="]),
            CompletedPart(partNumber: 2, etag: "0c78aef83f66abc1fa1e8477f296d394"),
            CompletedPart(partNumber: 10000, etag: "acbd18db4cc2f85cedef654fccc4a4d8", checksums: ["ChecksumSHA256": "c2hh"]),
        ])
    }

    @Test func completeMultipartUploadWithPrefixedNamespace() throws {
        let body = "<s3:CompleteMultipartUpload xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<s3:Part><s3:PartNumber>3</s3:PartNumber><s3:ETag>e</s3:ETag></s3:Part></s3:CompleteMultipartUpload>"
        #expect(try CompleteMultipartUploadRequest.parse(bytes(body)) == [CompletedPart(partNumber: 3, etag: "e")])
    }

    @Test(arguments: completeBodies)
    func completeMultipartUploadRefuses(_ testCase: BodyCase) {
        do {
            let parts = try CompleteMultipartUploadRequest.parse(testCase.body)
            Issue.record("expected \(testCase.code), got \(parts)")
        } catch {
            #expect(error.code == testCase.code)
            #expect(!error.message.isEmpty)
        }
    }

    // MARK: DeleteObjects

    @Test func deleteObjects() throws {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Quiet> true </Quiet>
              <Object><Key>sample1.txt</Key></Object>
              <Object><Key> spaced key </Key><VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId></Object>
              <Object><Key>&amp;+-é"&lt;&#xD;&#x9;</Key><VersionId></VersionId></Object>
              <Object><Key><![CDATA[a<b>&c]]></Key></Object>
              <Object><Key></Key></Object>
            </Delete>
            """
        let request = try DeleteObjectsRequest.parse(bytes(body))
        #expect(request.quiet)
        #expect(request.objects.map(\.key) == ["sample1.txt", " spaced key ", "&+-é\"<\r\t", "a<b>&c", ""])
        #expect(request.objects.map(\.versionID) == [nil, "OYcLXagmS.WaD..oyH4KRguB95_YhLs7", nil, nil, nil])
    }

    @Test func deleteObjectsDefaultsToVerbose() throws {
        let request = try DeleteObjectsRequest.parse(bytes("<Delete><Object><Key>k</Key></Object></Delete>"))
        #expect(!request.quiet)
        #expect(request.objects.count == 1)
        let explicit = try DeleteObjectsRequest.parse(bytes("<Delete><Quiet>False</Quiet><Object><Key>k</Key></Object></Delete>"))
        #expect(!explicit.quiet)
    }

    @Test func deleteObjectsLimits() throws {
        let object = "<Object><Key>k</Key></Object>"
        let thousand = try DeleteObjectsRequest.parse(bytes("<Delete>" + String(repeating: object, count: 1000) + "</Delete>"))
        #expect(thousand.objects.count == 1000)
        #expect(throws: S3Error.self) {
            try DeleteObjectsRequest.parse(bytes("<Delete>" + String(repeating: object, count: 1001) + "</Delete>"))
        }
    }

    @Test(arguments: [
        ("empty", ""),
        ("no objects", "<Delete><Quiet>true</Quiet></Delete>"),
        ("object without key", "<Delete><Object><VersionId>v</VersionId></Object></Delete>"),
        ("bad quiet", "<Delete><Quiet>yes</Quiet><Object><Key>k</Key></Object></Delete>"),
        ("wrong root", "<DeleteObjects><Object><Key>k</Key></Object></DeleteObjects>"),
        ("doctype", externalEntity + "<Delete><Object><Key>&xxe;</Key></Object></Delete>"),
        ("internal entity", "<!DOCTYPE Delete [<!ENTITY k \"key\">]><Delete><Object><Key>&k;</Key></Object></Delete>"),
        ("truncated", "<Delete><Object><Key>k</Key></Object>"),
    ])
    func deleteObjectsRefuses(_ name: String, _ body: String) {
        do {
            let request = try DeleteObjectsRequest.parse(bytes(body))
            Issue.record("\(name): expected MalformedXML, got \(request)")
        } catch {
            #expect(error.code == .malformedXML)
        }
    }

    // MARK: CreateBucketConfiguration

    @Test func createBucketConfiguration() throws {
        #expect(try CreateBucketConfiguration.parse([]) == nil)
        #expect(try CreateBucketConfiguration.parse(bytes(" \r\n\t")) == nil)
        #expect(try CreateBucketConfiguration.parse(bytes("""
            <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <LocationConstraint>eu-west-3</LocationConstraint>
            </CreateBucketConfiguration>
            """)) == "eu-west-3")
        #expect(try CreateBucketConfiguration.parse(bytes(
            "<CreateBucketConfiguration><LocationConstraint></LocationConstraint></CreateBucketConfiguration>")) == nil)
        #expect(try CreateBucketConfiguration.parse(bytes("<CreateBucketConfiguration/>")) == nil)
        #expect(try CreateBucketConfiguration.parse(bytes(
            "<CreateBucketConfiguration><Bucket><Type>Directory</Type></Bucket><LocationConstraint> fr-par </LocationConstraint></CreateBucketConfiguration>"))
            == "fr-par")
    }

    @Test(arguments: [
        ("garbage", "eu-west-3"),
        ("wrong root", "<LocationConstraint>eu-west-3</LocationConstraint>"),
        ("unclosed", "<CreateBucketConfiguration><LocationConstraint>eu"),
        ("doctype", externalEntity + "<CreateBucketConfiguration><LocationConstraint>&xxe;</LocationConstraint></CreateBucketConfiguration>"),
        ("bomb", doctypeBomb + "<CreateBucketConfiguration><LocationConstraint>&lol2;</LocationConstraint></CreateBucketConfiguration>"),
    ])
    func createBucketConfigurationRefuses(_ name: String, _ body: String) {
        do {
            let constraint = try CreateBucketConfiguration.parse(bytes(body))
            Issue.record("\(name): expected MalformedXML, got \(String(describing: constraint))")
        } catch {
            #expect(error.code == .malformedXML)
        }
    }
}
