import Foundation
import SouverainModel
import SouverainS3
import Testing

/// PutBucketLifecycleConfiguration bodies: what is accepted and how it reads back, and every
/// refusal with AWS's code.
@Suite("LifecycleConfiguration XML")
struct LifecycleConfigurationXMLTests {
    static func parse(_ rules: String) throws(S3Error) -> LifecycleConfiguration {
        try LifecycleConfiguration.parse(
            Array("<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(rules)</LifecycleConfiguration>".utf8),
            makeID: { "generated" })
    }

    @Test func everySupportedElementIsReadAndWrittenBack() throws {
        let configuration = try Self.parse("""
            <Rule><ID>logs</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>class</Key><Value>tmp</Value></Tag>\
            <ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>1000</ObjectSizeLessThan></And></Filter>\
            <Status>Enabled</Status><Expiration><Days>30</Days></Expiration>\
            <NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>\
            </Rule>
            <Rule><ID>dated</ID><Prefix>old/</Prefix><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration></Rule>
            <Rule><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>\
            <AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload>\
            <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>
            <Rule><ID>all</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>
            <Rule><ID>bare</ID><Status>Enabled</Status><Expiration><Date>2030-01-01</Date></Expiration></Rule>
            """)
        let date = Date(timeIntervalSince1970: 1_893_456_000)
        #expect(configuration == LifecycleConfiguration(rules: [
            LifecycleRule(
                id: "logs", isEnabled: true,
                filter: LifecycleFilter(form: .and, prefix: "logs/", tags: [.init(key: "class", value: "tmp")],
                                        objectSizeGreaterThan: 10, objectSizeLessThan: 1000),
                expiration: LifecycleExpiration(days: 30),
                noncurrentVersionExpiration: NoncurrentVersionExpiration(noncurrentDays: 7, newerNoncurrentVersions: 3)),
            LifecycleRule(id: "dated", isEnabled: false, filter: LifecycleFilter(form: .legacyPrefix, prefix: "old/"),
                          expiration: LifecycleExpiration(date: date)),
            LifecycleRule(id: "generated", isEnabled: true, filter: LifecycleFilter(form: .single, prefix: "tmp/"),
                          expiration: LifecycleExpiration(expiredObjectDeleteMarker: true), abortIncompleteMultipartUploadDays: 2),
            LifecycleRule(id: "all", isEnabled: true, filter: LifecycleFilter(form: .single), expiration: LifecycleExpiration(days: 1)),
            LifecycleRule(id: "bare", isEnabled: true, filter: LifecycleFilter(form: .none), expiration: LifecycleExpiration(date: date)),
        ]))
        // Written back, it parses to the same configuration (the generated ID kept).
        let again = try LifecycleConfiguration.parse(Array(configuration.xml().utf8), makeID: { "other" })
        #expect(again == configuration)
    }

    @Test func theAnswerIsS3sDocument() throws {
        let configuration = try Self.parse("""
            <Rule><ID>a&amp;b</ID><Prefix>p</Prefix><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>\
            <Rule><ID>c</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Disabled</Status>\
            <Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>
            """)
        #expect(configuration.xml() == """
            <?xml version="1.0" encoding="UTF-8"?>
            <LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>a&amp;b</ID><Prefix>p</Prefix>\
            <Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule><Rule><ID>c</ID><Filter><Tag><Key>k</Key>\
            <Value>v</Value></Tag></Filter><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date>\
            </Expiration></Rule></LifecycleConfiguration>
            """)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var rules: String
        var code: S3ErrorCode
        var message: String
        var testDescription: String { name }
    }

    static let expire = "<Expiration><Days>1</Days></Expiration>"

    static let refusals: [Refusal] = [
        Refusal(name: "no rule", rules: "", code: .malformedXML, message: "at least one <Rule>"),
        Refusal(name: "bad status", rules: "<Rule><Status>On</Status>\(expire)</Rule>", code: .malformedXML, message: "Enabled or Disabled"),
        Refusal(name: "no status", rules: "<Rule>\(expire)</Rule>", code: .malformedXML, message: "Enabled or Disabled"),
        Refusal(name: "unknown element", rules: "<Rule><Status>Enabled</Status><Color/>\(expire)</Rule>", code: .malformedXML, message: "<Color>"),
        Refusal(name: "prefix and filter", rules: "<Rule><Prefix/><Filter/><Status>Enabled</Status>\(expire)</Rule>",
                code: .malformedXML, message: "not both"),
        Refusal(name: "two conditions without And",
                rules: "<Rule><Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter><Status>Enabled</Status>\(expire)</Rule>",
                code: .malformedXML, message: "<And>"),
        Refusal(name: "days and date",
                rules: "<Rule><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>",
                code: .malformedXML, message: "not both"),
        Refusal(name: "delete marker with days",
                rules: "<Rule><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>",
                code: .malformedXML, message: "ExpiredObjectDeleteMarker"),
        Refusal(name: "delete marker with date",
                rules: "<Rule><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>",
                code: .malformedXML, message: "ExpiredObjectDeleteMarker"),
        Refusal(name: "empty expiration", rules: "<Rule><Status>Enabled</Status><Expiration/></Rule>", code: .malformedXML, message: "needs"),
        Refusal(name: "days not a number", rules: "<Rule><Status>Enabled</Status><Expiration><Days>1.5</Days></Expiration></Rule>",
                code: .malformedXML, message: "integer"),
        Refusal(name: "zero days", rules: "<Rule><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>",
                code: .invalidArgument, message: "'Days' for Expiration action must be a positive integer"),
        Refusal(name: "negative days", rules: "<Rule><Status>Enabled</Status><Expiration><Days>-3</Days></Expiration></Rule>",
                code: .invalidArgument, message: "'Days' for Expiration action must be a positive integer"),
        Refusal(name: "date not at midnight",
                rules: "<Rule><Status>Enabled</Status><Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration></Rule>",
                code: .invalidArgument, message: "'Date' must be at midnight GMT"),
        Refusal(name: "date at another zone's midnight",
                rules: "<Rule><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00+01:00</Date></Expiration></Rule>",
                code: .invalidArgument, message: "'Date' must be at midnight GMT"),
        Refusal(name: "zero noncurrent days",
                rules: "<Rule><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration></Rule>",
                code: .invalidArgument, message: "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"),
        Refusal(name: "too many newer versions",
                rules: "<Rule><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>",
                code: .invalidArgument, message: "NewerNoncurrentVersions"),
        Refusal(name: "zero days after initiation",
                rules: "<Rule><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>",
                code: .invalidArgument, message: "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer"),
        Refusal(name: "abort with a tag filter",
                rules: "<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>",
                code: .invalidRequest, message: "AbortIncompleteMultipartUpload cannot be specified with Tags."),
        Refusal(name: "abort with a size filter",
                rules: "<Rule><Filter><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>",
                code: .invalidRequest, message: "AbortIncompleteMultipartUpload cannot be specified with Object Size."),
        Refusal(name: "delete marker with a tag filter",
                rules: "<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>",
                code: .invalidRequest, message: "ExpiredObjectDeleteMarker"),
        Refusal(name: "no action", rules: "<Rule><ID>x</ID><Status>Enabled</Status></Rule>",
                code: .invalidRequest, message: "At least one action needs to be specified in a rule"),
        Refusal(name: "only a false delete marker",
                rules: "<Rule><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration></Rule>",
                code: .invalidRequest, message: "At least one action"),
        Refusal(name: "duplicate tag keys",
                rules: "<Rule><Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status>\(expire)</Rule>",
                code: .invalidRequest, message: "Duplicate Tag Keys are not allowed."),
        Refusal(name: "sizes that exclude everything",
                rules: "<Rule><Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>\(expire)</Rule>",
                code: .invalidArgument, message: "ObjectSizeGreaterThan must be less than ObjectSizeLessThan"),
        Refusal(name: "duplicate ids",
                rules: "<Rule><ID>same</ID><Status>Enabled</Status>\(expire)</Rule><Rule><ID>same</ID><Status>Disabled</Status>\(expire)</Rule>",
                code: .invalidArgument, message: "Rule ID must be unique. Found same ID for more than one rule"),
        Refusal(name: "long id", rules: "<Rule><ID>\(String(repeating: "i", count: 256))</ID><Status>Enabled</Status>\(expire)</Rule>",
                code: .invalidArgument, message: "ID length should not exceed allowed limit of 255"),
        Refusal(name: "too many rules",
                rules: (0...1000).map { "<Rule><ID>r\($0)</ID><Status>Enabled</Status>\(expire)</Rule>" }.joined(),
                code: .invalidArgument, message: "at most 1000 rules"),
        Refusal(name: "transition",
                rules: "<Rule><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>",
                code: .notImplemented, message: "one storage class per location"),
        Refusal(name: "noncurrent transition",
                rules: "<Rule><Status>Enabled</Status>\(expire)<NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition></Rule>",
                code: .notImplemented, message: "placement, not lifecycle"),
    ]

    @Test(arguments: refusals)
    func refused(_ refusal: Refusal) {
        #expect {
            _ = try Self.parse(refusal.rules)
        } throws: { error in
            guard let error = error as? S3Error else { return false }
            return error.code == refusal.code && error.message.contains(refusal.message)
        }
    }

    @Test func aThousandRulesAreAccepted() throws {
        let rules = (0..<1000).map { "<Rule><ID>r\($0)</ID><Status>Enabled</Status>\(Self.expire)</Rule>" }.joined()
        #expect(try Self.parse(rules).rules.count == 1000)
    }

    @Test func aBodyThatIsNotALifecycleConfigurationIsMalformed() {
        #expect(throws: S3Error.self) { _ = try LifecycleConfiguration.parse(Array("<Other/>".utf8), makeID: { "x" }) }
        #expect(throws: S3Error.self) { _ = try LifecycleConfiguration.parse(Array("<LifecycleConfiguration>".utf8), makeID: { "x" }) }
    }
}
