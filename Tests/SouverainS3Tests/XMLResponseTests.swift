import Foundation
import Testing
@testable import SouverainS3

private let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
private let ns = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
/// 2009-10-12T17:50:30.000Z
private let date = Date(timeIntervalSince1970: 1_255_369_830)
private let owner = S3Owner(id: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", displayName: "webfile")

@Suite("XML responses")
struct XMLResponseTests {
    @Test func listAllMyBuckets() {
        let result = ListAllMyBucketsResult(owner: owner, buckets: [
            .init(name: "a", creationDate: date),
            .init(name: "b&c", creationDate: Date(timeIntervalSince1970: 0.123)),
        ])
        #expect(result.xml() == declaration + "<ListAllMyBucketsResult \(ns)>"
            + "<Owner><ID>\(owner.id)</ID><DisplayName>webfile</DisplayName></Owner>"
            + "<Buckets><Bucket><Name>a</Name><CreationDate>2009-10-12T17:50:30.000Z</CreationDate></Bucket>"
            + "<Bucket><Name>b&amp;c</Name><CreationDate>1970-01-01T00:00:00.123Z</CreationDate></Bucket></Buckets>"
            + "</ListAllMyBucketsResult>")
        let empty = ListAllMyBucketsResult(owner: S3Owner(id: "id"), buckets: [])
        #expect(empty.xml() == declaration + "<ListAllMyBucketsResult \(ns)><Owner><ID>id</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>")
    }

    @Test func locationConstraint() {
        let empty = declaration + "<LocationConstraint \(ns)/>"
        #expect(LocationConstraint(region: nil).xml() == empty)
        #expect(LocationConstraint(region: "").xml() == empty)
        #expect(LocationConstraint(region: "us-east-1").xml() == empty)
        #expect(LocationConstraint(region: "eu-west-3").xml() == declaration + "<LocationConstraint \(ns)>eu-west-3</LocationConstraint>")
    }

    @Test func versioningConfiguration() {
        #expect(VersioningConfiguration().xml() == declaration + "<VersioningConfiguration \(ns)/>")
        #expect(VersioningConfiguration(status: .enabled).xml()
            == declaration + "<VersioningConfiguration \(ns)><Status>Enabled</Status></VersioningConfiguration>")
        #expect(VersioningConfiguration(status: .suspended).xml()
            == declaration + "<VersioningConfiguration \(ns)><Status>Suspended</Status></VersioningConfiguration>")
    }

    @Test func accessControlPolicy() {
        let grantee = "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">"
        #expect(AccessControlPolicy(owner: S3Owner(id: "o1", displayName: "Ann")).xml() == declaration
            + "<AccessControlPolicy \(ns)><Owner><ID>o1</ID><DisplayName>Ann</DisplayName></Owner>"
            + "<AccessControlList><Grant>\(grantee)<ID>o1</ID><DisplayName>Ann</DisplayName></Grantee>"
            + "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>")
        let shared = AccessControlPolicy(owner: S3Owner(id: "o1"), grants: [
            .init(grantee: S3Owner(id: "o1"), permission: .fullControl),
            .init(grantee: S3Owner(id: "r"), permission: .read),
        ])
        #expect(shared.xml() == declaration
            + "<AccessControlPolicy \(ns)><Owner><ID>o1</ID></Owner><AccessControlList>"
            + "<Grant>\(grantee)<ID>o1</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>"
            + "<Grant>\(grantee)<ID>r</ID></Grantee><Permission>READ</Permission></Grant>"
            + "</AccessControlList></AccessControlPolicy>")
    }

    @Test func listObjectsV1() {
        let result = ListObjectsV1Result(
            name: "bucket", prefix: "photos/", marker: "", maxKeys: 2, delimiter: "/", isTruncated: true,
            nextMarker: "photos/b.jpg",
            contents: [
                ListedObject(key: "photos/a.jpg", lastModified: date, etag: "9b2cf535f27731c974343645a3985328", size: 434_234, owner: owner),
                ListedObject(key: "photos/b.jpg", lastModified: date, etag: "\"abc-2\"", size: 0, storageClass: "STANDARD_IA"),
            ],
            commonPrefixes: ["photos/2006/"]
        )
        #expect(result.xml() == declaration + "<ListBucketResult \(ns)>"
            + "<Name>bucket</Name><Prefix>photos/</Prefix><Marker></Marker><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>"
            + "<IsTruncated>true</IsTruncated><NextMarker>photos/b.jpg</NextMarker>"
            + "<Contents><Key>photos/a.jpg</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
            + "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass>"
            + "<Owner><ID>\(owner.id)</ID><DisplayName>webfile</DisplayName></Owner></Contents>"
            + "<Contents><Key>photos/b.jpg</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
            + "<ETag>&quot;abc-2&quot;</ETag><Size>0</Size><StorageClass>STANDARD_IA</StorageClass></Contents>"
            + "<CommonPrefixes><Prefix>photos/2006/</Prefix></CommonPrefixes>"
            + "</ListBucketResult>")

        let empty = ListObjectsV1Result(name: "b", delimiter: "")
        #expect(empty.xml() == declaration + "<ListBucketResult \(ns)><Name>b</Name><Prefix></Prefix><Marker></Marker>"
            + "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>")
    }

    @Test func listObjectsV1URLEncoded() {
        let result = ListObjectsV1Result(
            name: "b&b", prefix: "a b/", marker: "a b/+", maxKeys: 1, delimiter: "/", isTruncated: true, nextMarker: "a b/c(3)",
            contents: [ListedObject(key: "a b/c(3)\u{1}é", lastModified: date, etag: "e", size: 1)],
            commonPrefixes: ["a b/d+e/"], urlEncodeKeys: true
        )
        #expect(result.xml() == declaration + "<ListBucketResult \(ns)>"
            + "<Name>b&amp;b</Name><Prefix>a%20b/</Prefix><Marker>a%20b/%2B</Marker><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter>"
            + "<IsTruncated>true</IsTruncated><NextMarker>a%20b/c%283%29</NextMarker>"
            + "<Contents><Key>a%20b/c%283%29%01%C3%A9</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
            + "<ETag>&quot;e&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>"
            + "<CommonPrefixes><Prefix>a%20b/d%2Be/</Prefix></CommonPrefixes><EncodingType>url</EncodingType>"
            + "</ListBucketResult>")
    }

    @Test func listObjectsV2() {
        let result = ListObjectsV2Result(
            name: "bucket", prefix: "", delimiter: "/", maxKeys: 1000, isTruncated: true,
            continuationToken: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", nextContinuationToken: "next&token",
            startAfter: "a", fetchOwner: false,
            contents: [ListedObject(key: "k<1>", lastModified: date, etag: "e", size: 5, owner: owner)],
            commonPrefixes: ["p/", "q/"]
        )
        #expect(result.keyCount == 3)
        #expect(result.xml() == declaration + "<ListBucketResult \(ns)>"
            + "<Name>bucket</Name><Prefix></Prefix><Delimiter>/</Delimiter><MaxKeys>1000</MaxKeys><KeyCount>3</KeyCount>"
            + "<IsTruncated>true</IsTruncated><ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken>"
            + "<NextContinuationToken>next&amp;token</NextContinuationToken><StartAfter>a</StartAfter>"
            + "<Contents><Key>k&lt;1&gt;</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
            + "<ETag>&quot;e&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>"
            + "<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>q/</Prefix></CommonPrefixes>"
            + "</ListBucketResult>")

        var withOwner = result
        withOwner.fetchOwner = true
        withOwner.contents[0].owner = S3Owner(id: "o")
        #expect(withOwner.xml().contains("<StorageClass>STANDARD</StorageClass><Owner><ID>o</ID></Owner></Contents>"))

        let empty = ListObjectsV2Result(name: "b")
        #expect(empty.xml() == declaration + "<ListBucketResult \(ns)><Name>b</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys>"
            + "<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>")
    }

    @Test func listObjectsV2URLEncoded() {
        let result = ListObjectsV2Result(
            name: "b", prefix: "x y/", delimiter: "/", maxKeys: 10, continuationToken: "t+/=", startAfter: "x y/\t",
            contents: [ListedObject(key: "x y/\u{0}", lastModified: date, etag: "e", size: 1)],
            commonPrefixes: ["x y/z~_-./"], urlEncodeKeys: true
        )
        #expect(result.xml() == declaration + "<ListBucketResult \(ns)>"
            + "<Name>b</Name><Prefix>x%20y/</Prefix><Delimiter>/</Delimiter><MaxKeys>10</MaxKeys><KeyCount>2</KeyCount>"
            + "<IsTruncated>false</IsTruncated><ContinuationToken>t+/=</ContinuationToken><StartAfter>x%20y/%09</StartAfter>"
            + "<Contents><Key>x%20y/%00</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
            + "<ETag>&quot;e&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>"
            + "<CommonPrefixes><Prefix>x%20y/z~_-./</Prefix></CommonPrefixes><EncodingType>url</EncodingType>"
            + "</ListBucketResult>")
    }

    @Test func initiateMultipartUpload() {
        #expect(InitiateMultipartUploadResult(bucket: "b", key: "a&b", uploadID: "VXBsb2FkIElE").xml() == declaration
            + "<InitiateMultipartUploadResult \(ns)><Bucket>b</Bucket><Key>a&amp;b</Key><UploadId>VXBsb2FkIElE</UploadId>"
            + "</InitiateMultipartUploadResult>")
    }

    @Test func completeMultipartUpload() {
        let plain = CompleteMultipartUploadResult(location: "http://h/b/k", bucket: "b", key: "k", etag: "3858f62230ac3c915f300c664312c11f-9")
        #expect(plain.xml() == declaration + "<CompleteMultipartUploadResult \(ns)><Location>http://h/b/k</Location>"
            + "<Bucket>b</Bucket><Key>k</Key><ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag>"
            + "</CompleteMultipartUploadResult>")
        let checked = CompleteMultipartUploadResult(
            location: "/b/k", bucket: "b", key: "k", etag: "\"e-2\"",
            checksums: ["ChecksumSHA256": "sha=", "ChecksumCRC32": "crc==", "ChecksumFuture": "f", "Bad Name": "x"],
            checksumType: "COMPOSITE"
        )
        #expect(checked.xml() == declaration + "<CompleteMultipartUploadResult \(ns)><Location>/b/k</Location>"
            + "<Bucket>b</Bucket><Key>k</Key><ETag>&quot;e-2&quot;</ETag><ChecksumCRC32>crc==</ChecksumCRC32>"
            + "<ChecksumSHA256>sha=</ChecksumSHA256><ChecksumFuture>f</ChecksumFuture><ChecksumType>COMPOSITE</ChecksumType>"
            + "</CompleteMultipartUploadResult>")
    }

    @Test func listParts() {
        let result = ListPartsResult(
            bucket: "b", key: "k", uploadID: "u", initiator: S3Owner(id: "i", displayName: "I"), owner: S3Owner(id: "o"),
            partNumberMarker: 1, nextPartNumberMarker: 3, maxParts: 2, isTruncated: true,
            parts: [
                .init(partNumber: 2, lastModified: date, etag: "7778aef83f66abc1fa1e8477f296d394", size: 10_485_760),
                .init(partNumber: 3, lastModified: date, etag: "\"aaa\"", size: 5, checksums: ["ChecksumCRC32C": "c=="]),
            ]
        )
        #expect(result.xml() == declaration + "<ListPartsResult \(ns)><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>"
            + "<Initiator><ID>i</ID><DisplayName>I</DisplayName></Initiator><Owner><ID>o</ID></Owner>"
            + "<StorageClass>STANDARD</StorageClass><PartNumberMarker>1</PartNumberMarker>"
            + "<NextPartNumberMarker>3</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>"
            + "<Part><PartNumber>2</PartNumber><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
            + "<ETag>&quot;7778aef83f66abc1fa1e8477f296d394&quot;</ETag><Size>10485760</Size></Part>"
            + "<Part><PartNumber>3</PartNumber><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
            + "<ETag>&quot;aaa&quot;</ETag><Size>5</Size><ChecksumCRC32C>c==</ChecksumCRC32C></Part>"
            + "</ListPartsResult>")
        let empty = ListPartsResult(bucket: "b", key: "k", uploadID: "u", checksumAlgorithm: "CRC32")
        #expect(empty.xml() == declaration + "<ListPartsResult \(ns)><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>"
            + "<StorageClass>STANDARD</StorageClass><PartNumberMarker>0</PartNumberMarker><MaxParts>1000</MaxParts>"
            + "<IsTruncated>false</IsTruncated><ChecksumAlgorithm>CRC32</ChecksumAlgorithm></ListPartsResult>")
    }

    @Test func listMultipartUploads() {
        let person = S3Owner(id: "p", displayName: "P")
        let result = ListMultipartUploadsResult(
            bucket: "b", keyMarker: "", uploadIDMarker: "", nextKeyMarker: "my-movie.m2ts", nextUploadIDMarker: "YW55",
            delimiter: "/", prefix: "my ", maxUploads: 3, isTruncated: true,
            uploads: [.init(key: "my divisor", uploadID: "XMg", initiator: person, owner: person, initiated: date)],
            commonPrefixes: ["my /"]
        )
        let expected = declaration + "<ListMultipartUploadsResult \(ns)><Bucket>b</Bucket><KeyMarker></KeyMarker>"
            + "<UploadIdMarker></UploadIdMarker><NextKeyMarker>my-movie.m2ts</NextKeyMarker><NextUploadIdMarker>YW55</NextUploadIdMarker>"
            + "<Delimiter>/</Delimiter><Prefix>my </Prefix><MaxUploads>3</MaxUploads><IsTruncated>true</IsTruncated>"
            + "<Upload><Key>my divisor</Key><UploadId>XMg</UploadId><Initiator><ID>p</ID><DisplayName>P</DisplayName></Initiator>"
            + "<Owner><ID>p</ID><DisplayName>P</DisplayName></Owner><StorageClass>STANDARD</StorageClass>"
            + "<Initiated>2009-10-12T17:50:30.000Z</Initiated></Upload>"
            + "<CommonPrefixes><Prefix>my /</Prefix></CommonPrefixes></ListMultipartUploadsResult>"
        #expect(result.xml() == expected)

        var encoded = result
        encoded.urlEncodeKeys = true
        encoded.keyMarker = "a b"
        #expect(encoded.xml() == expected
            .replacingOccurrences(of: "<KeyMarker></KeyMarker>", with: "<KeyMarker>a%20b</KeyMarker>")
            .replacingOccurrences(of: "<Prefix>my </Prefix>", with: "<Prefix>my%20</Prefix>")
            .replacingOccurrences(of: "<Key>my divisor</Key>", with: "<Key>my%20divisor</Key>")
            .replacingOccurrences(of: "<Prefix>my /</Prefix>", with: "<Prefix>my%20/</Prefix>")
            .replacingOccurrences(of: "</ListMultipartUploadsResult>", with: "<EncodingType>url</EncodingType></ListMultipartUploadsResult>"))

        let empty = ListMultipartUploadsResult(bucket: "b")
        #expect(empty.xml() == declaration + "<ListMultipartUploadsResult \(ns)><Bucket>b</Bucket><KeyMarker></KeyMarker>"
            + "<UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>"
            + "</ListMultipartUploadsResult>")
    }

    @Test func copyResults() {
        #expect(CopyObjectResult(etag: "9b2cf535f27731c974343645a3985328", lastModified: date).xml() == declaration
            + "<CopyObjectResult \(ns)><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
            + "<LastModified>2009-10-12T17:50:30.000Z</LastModified></CopyObjectResult>")
        #expect(CopyObjectResult(etag: "e", lastModified: date, checksums: ["ChecksumSHA1": "s"], checksumType: "FULL_OBJECT").xml()
            == declaration + "<CopyObjectResult \(ns)><ETag>&quot;e&quot;</ETag><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
            + "<ChecksumType>FULL_OBJECT</ChecksumType><ChecksumSHA1>s</ChecksumSHA1></CopyObjectResult>")
        #expect(CopyPartResult(etag: "\"e\"", lastModified: date, checksums: ["ChecksumCRC64NVME": "n"]).xml() == declaration
            + "<CopyPartResult \(ns)><ETag>&quot;e&quot;</ETag><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
            + "<ChecksumCRC64NVME>n</ChecksumCRC64NVME></CopyPartResult>")
    }

    @Test func deleteResult() {
        let result = DeleteResult(
            quiet: false,
            deleted: [.init(key: "a"), .init(key: "b\"", versionID: "v1", deleteMarker: true, deleteMarkerVersionID: "m1")],
            errors: [.init(key: "c", code: .accessDenied), .init(key: "d", versionID: "v", code: .internalError, message: "Oops <1>")]
        )
        let errors = "<Error><Key>c</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
            + "<Error><Key>d</Key><VersionId>v</VersionId><Code>InternalError</Code><Message>Oops &lt;1&gt;</Message></Error>"
        #expect(result.xml() == declaration + "<DeleteResult \(ns)><Deleted><Key>a</Key></Deleted>"
            + "<Deleted><Key>b&quot;</Key><VersionId>v1</VersionId><DeleteMarker>true</DeleteMarker>"
            + "<DeleteMarkerVersionId>m1</DeleteMarkerVersionId></Deleted>" + errors + "</DeleteResult>")
        var quiet = result
        quiet.quiet = true
        #expect(quiet.xml() == declaration + "<DeleteResult \(ns)>" + errors + "</DeleteResult>")
        #expect(DeleteResult(quiet: true).xml() == declaration + "<DeleteResult \(ns)></DeleteResult>")
    }
}

@Suite("XML escaping")
struct XMLEscapingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", ""),
        ("<>&'\"", "&lt;&gt;&amp;&apos;&quot;"),
        ("a&amp;b", "a&amp;amp;b"),
        ("été ✓ 😀 日本", "été ✓ 😀 日本"),
        ("tab\tlf\ncr\r", "tab\tlf\ncr&#xD;"),
        ("nul\u{0}bell\u{7}esc\u{1B}", "nul\u{FFFD}bell\u{FFFD}esc\u{FFFD}"),
        ("del\u{7F}nel\u{85}c1\u{9F}", "del&#x7F;nel&#x85;c1&#x9F;"),
        ("\u{A0}\u{BF}\u{F000}\u{FFFD}", "\u{A0}\u{BF}\u{F000}\u{FFFD}"),
        ("nonchar\u{FFFE}\u{FFFF}", "nonchar\u{FFFD}\u{FFFD}"),
        ("]]>", "]]&gt;"),
    ])
    func escape(_ input: String, _ expected: String) {
        #expect(XMLWriter.escape(input) == expected)
    }

    /// Whatever a key holds, the document stays well-formed XML 1.0 and, for characters XML
    /// can carry, reads back to the same text.
    @Test func escapedDocumentsParseBack() throws {
        var scalars: [Unicode.Scalar] = []
        for value: UInt32 in 0..<0x200 { scalars.append(Unicode.Scalar(value)!) }
        scalars += ["\u{FFFE}", "\u{FFFF}", "\u{10FFFF}", "😀"]
        let key = String(String.UnicodeScalarView(scalars))
        let xml = InitiateMultipartUploadResult(bucket: "b", key: key, uploadID: "u").xml()
        let parsed = try XMLNode.parse(Array(xml.utf8), root: "InitiateMultipartUploadResult")
        let expected = String(String.UnicodeScalarView(scalars.map { scalar in
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: scalar
            case 0x00...0x1F, 0xFFFE, 0xFFFF: "\u{FFFD}"
            default: scalar
            }
        }))
        #expect(parsed.first("Key")?.text == expected)
    }

    @Test func errorBody() {
        let error = S3Error(.noSuchKey, "The key <a&b> does not exist.", resource: "/b/a&b",
                            extra: [("BucketName", "b"), ("Key", "a&b")])
        #expect(error.xmlBody(requestID: "req-1") == declaration
            + "<Error><Code>NoSuchKey</Code><Message>The key &lt;a&amp;b&gt; does not exist.</Message>"
            + "<Resource>/b/a&amp;b</Resource><RequestId>req-1</RequestId><BucketName>b</BucketName><Key>a&amp;b</Key></Error>")
        let bare = S3Error(.internalError)
        #expect(bare.xmlBody(requestID: "r\"") == declaration
            + "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message>"
            + "<RequestId>r&quot;</RequestId></Error>")
        #expect(bare.status == 500)
        #expect(bare.description == "InternalError: We encountered an internal error. Please try again.")
    }
}
