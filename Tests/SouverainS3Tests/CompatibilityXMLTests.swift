import Foundation
import Testing
@testable import SouverainS3

private let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
private let ns = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

/// The responses added for issue 14's compatibility gaps, compared to their exact XML.
struct CompatibilityXMLTests {
    @Test func listBucketsWithPagingNamesTheRegionTokenAndPrefix() {
        let result = ListAllMyBucketsResult(
            owner: S3Owner(id: "id"), buckets: [.init(name: "logs-a", creationDate: Date(timeIntervalSince1970: 0), region: "eu-west-3")],
            continuationToken: "bG9ncy1h", prefix: "logs-")
        #expect(result.xml() == declaration + "<ListAllMyBucketsResult \(ns)><Owner><ID>id</ID></Owner><Buckets><Bucket>"
            + "<Name>logs-a</Name><CreationDate>1970-01-01T00:00:00.000Z</CreationDate><BucketRegion>eu-west-3</BucketRegion>"
            + "</Bucket></Buckets><ContinuationToken>bG9ncy1h</ContinuationToken><Prefix>logs-</Prefix></ListAllMyBucketsResult>")
    }

    @Test func getObjectAttributesGivesOnlyWhatWasAskedFor() {
        #expect(GetObjectAttributesResponse(objectSize: 5).xml()
            == declaration + "<GetObjectAttributesResponse \(ns)><ObjectSize>5</ObjectSize></GetObjectAttributesResponse>")
        let full = GetObjectAttributesResponse(
            etag: "abc-2", checksums: ["ChecksumCRC32": "AAAAAA=="], checksumType: "COMPOSITE",
            objectParts: .init(totalPartsCount: 2, partNumberMarker: 0, nextPartNumberMarker: 1, maxParts: 1, isTruncated: true,
                               parts: [.init(partNumber: 1, size: 10, checksums: ["ChecksumCRC32": "AQIDBA=="])]),
            storageClass: "STANDARD", objectSize: 20)
        #expect(full.xml() == declaration + "<GetObjectAttributesResponse \(ns)><ETag>abc-2</ETag>"
            + "<Checksum><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumType>COMPOSITE</ChecksumType></Checksum>"
            + "<ObjectParts><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>1</NextPartNumberMarker>"
            + "<MaxParts>1</MaxParts><IsTruncated>true</IsTruncated><PartsCount>2</PartsCount>"
            + "<Part><PartNumber>1</PartNumber><Size>10</Size><ChecksumCRC32>AQIDBA==</ChecksumCRC32></Part></ObjectParts>"
            + "<StorageClass>STANDARD</StorageClass><ObjectSize>20</ObjectSize></GetObjectAttributesResponse>")
    }

    @Test func objectAttributesParseAsAWSNamesThem() throws {
        #expect(try ObjectAttribute.parse("ETag, objectsize,ObjectParts") == [.etag, .objectSize, .objectParts])
        #expect(throws: S3Error.self) { try ObjectAttribute.parse("ETag,Colour") }
        #expect(throws: S3Error.self) { try ObjectAttribute.parse(nil) }
        #expect(throws: S3Error.self) { try ObjectAttribute.parse(" , ") }
    }
}
