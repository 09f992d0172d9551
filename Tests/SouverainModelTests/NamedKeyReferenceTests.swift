import Testing
@testable import SouverainModel

private let id = "1234abcd-12ab-34cd-56ef-1234567890ab"

/// How applications name a named key in `x-amz-server-side-encryption-aws-kms-key-id`, as AWS reads it.
@Suite struct NamedKeyReferenceTests {
    @Test(arguments: [
        (id, NamedKeyReference.id(id)),
        ("alias/app-key", .alias("app-key")),
        ("alias/team/app_key-2", .alias("team/app_key-2")),
        ("arn:aws:kms:eu-west-3:111122223333:key/\(id)", .id(id)),
        ("arn:aws:kms:us-east-1:000000000000:alias/app-key", .alias("app-key")),
        ("arn:aws-cn:kms:cn-north-1:111122223333:key/\(id)", .id(id)),
        // A bare name is a key id to AWS ("Invalid keyId app-key"), never an alias.
        ("app-key", .id("app-key")),
        ("  alias/app-key ", .alias("app-key")),
    ])
    func parses(_ text: String, _ expected: NamedKeyReference) {
        #expect(NamedKeyReference(text) == expected)
    }

    @Test(arguments: [
        "", "alias/", "alias/aws/s3", "alias/has space", "alias/é", "arn:aws:s3:::bucket", "arn:aws:kms:eu-west-3:1:key/",
        "arn:aws:kms:eu-west-3:1:grant/x", "arn:aws:kms:eu-west-3", "alias/" + String(repeating: "a", count: 251),
    ])
    func refuses(_ text: String) {
        #expect(NamedKeyReference(text) == nil)
    }

    @Test func anARNRoundTripsToItsKeyID() {
        let arn = NamedKeyReference.arn(keyID: id, region: "eu-west-3")
        #expect(arn == "arn:aws:kms:eu-west-3:000000000000:key/\(id)")
        #expect(NamedKeyReference.keyID(inARN: arn) == id)
        #expect(NamedKeyReference.keyID(inARN: id) == nil)
        #expect(NamedKeyReference.keyID(inARN: "arn:aws:kms:eu-west-3:1:alias/x") == nil)
        #expect(NamedKeyReference.alias("app-key").description == "alias/app-key")
    }
}
