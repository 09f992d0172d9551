import Testing
import SouverainS3

@Suite struct BucketAccessXMLTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func corsRulesParseAndRoundTrip() throws {
        let configuration = try CORSConfiguration.parse(Self.bytes("""
            <CORSConfiguration><CORSRule><ID>web</ID><AllowedOrigin>https://*.example.org</AllowedOrigin>
            <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader>
            <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>300</MaxAgeSeconds></CORSRule>
            <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule></CORSConfiguration>
            """))
        #expect(configuration.rules.count == 2)
        #expect(configuration.rules[0] == CORSConfiguration.Rule(
            id: "web", allowedOrigins: ["https://*.example.org"], allowedMethods: ["GET", "PUT"], allowedHeaders: ["x-amz-*"],
            exposeHeaders: ["ETag"], maxAgeSeconds: 300))
        #expect(try CORSConfiguration.parse(Self.bytes(configuration.xml())) == configuration)
    }

    @Test func corsMatchingPicksTheFirstRuleThatAllowsEverything() throws {
        let configuration = CORSConfiguration(rules: [
            .init(id: "a", allowedOrigins: ["https://*.example.org"], allowedMethods: ["GET", "PUT"], allowedHeaders: ["content-type", "x-amz-*"]),
            .init(id: "b", allowedOrigins: ["*"], allowedMethods: ["GET"]),
        ])
        #expect(configuration.rule(origin: "https://maps.example.org", method: "PUT", headers: ["content-type", "x-amz-date"])?.id == "a")
        #expect(configuration.rule(origin: "https://maps.example.org", method: "PUT", headers: ["authorization"]) == nil)
        #expect(configuration.rule(origin: "https://example.org", method: "GET", headers: [])?.id == "b")
        #expect(configuration.rule(origin: "http://maps.example.org", method: "PUT", headers: []) == nil)
        #expect(configuration.rule(origin: "https://x.example.org.evil.com", method: "PUT", headers: []) == nil)
        #expect(configuration.rule(origin: "https://a.example.org", method: "DELETE", headers: []) == nil)
    }

    @Test(arguments: [
        "<CORSConfiguration></CORSConfiguration>",
        "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*.*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule></CORSConfiguration>",
        "<CORSConfiguration>" + String(repeating: "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>", count: 101) + "</CORSConfiguration>",
    ])
    func badCorsConfigurationsAreRefused(xml: String) {
        #expect(throws: S3Error.self) { try CORSConfiguration.parse(Self.bytes(xml)) }
    }

    @Test func publicAccessBlockReadsMissingSettingsAsFalse() throws {
        let block = try PublicAccessBlockConfiguration.parse(Self.bytes(
            "<PublicAccessBlockConfiguration><BlockPublicPolicy>true</BlockPublicPolicy></PublicAccessBlockConfiguration>"))
        #expect(block == PublicAccessBlockConfiguration(blockPublicPolicy: true))
        #expect(try PublicAccessBlockConfiguration.parse(Self.bytes(block.xml())) == block)
        #expect(throws: S3Error.self) {
            try PublicAccessBlockConfiguration.parse(Self.bytes("<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>"))
        }
    }

    @Test func ownershipControls() throws {
        #expect(try ObjectOwnership.parse(Self.bytes(ObjectOwnership.objectWriter.xml())) == .objectWriter)
        #expect(!ObjectOwnership.bucketOwnerEnforced.aclsEnabled)
        #expect(throws: S3Error.self) {
            try ObjectOwnership.parse(Self.bytes("<OwnershipControls><Rule><ObjectOwnership>Mine</ObjectOwnership></Rule></OwnershipControls>"))
        }
        #expect(PolicyStatus(isPublic: true).xml().contains("<IsPublic>true</IsPublic>"))
    }
}
