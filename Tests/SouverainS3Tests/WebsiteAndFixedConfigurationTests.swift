import SouverainS3
import Testing

/// The website configuration and the small bucket configurations, read as S3 reads them.
@Suite struct WebsiteAndFixedConfigurationTests {
    private func website(_ inner: String) throws(S3Error) -> WebsiteConfiguration {
        try WebsiteConfiguration.parse(Array("<WebsiteConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(inner)</WebsiteConfiguration>".utf8))
    }

    private func websiteCode(_ inner: String) -> S3ErrorCode? {
        do {
            _ = try website(inner)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func anIndexErrorAndRoutingRulesRoundTrip() throws {
        let configuration = try website("""
            <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
            <ErrorDocument><Key>errors/404 &amp; more.html</Key></ErrorDocument>
            <RoutingRules><RoutingRule>
              <Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>
              <Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith><HttpRedirectCode>301</HttpRedirectCode></Redirect>
            </RoutingRule><RoutingRule>
              <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>
              <Redirect><HostName>example.fr</HostName><Protocol>https</Protocol><ReplaceKeyWith>missing.html</ReplaceKeyWith></Redirect>
            </RoutingRule></RoutingRules>
            """)
        #expect(configuration.indexSuffix == "index.html")
        #expect(configuration.errorKey == "errors/404 & more.html")
        #expect(configuration.routingRules.count == 2)
        #expect(configuration.routingRules[0].keyPrefixEquals == "docs/")
        #expect(configuration.routingRules[1].redirect.hostName == "example.fr")
        // What GetBucketWebsite answers parses back to the same configuration.
        #expect(try WebsiteConfiguration.parse(Array(configuration.xml().utf8)) == configuration)
        #expect(configuration.xml().contains("<Key>errors/404 &amp; more.html</Key>"))
    }

    @Test func redirectingEveryRequestStandsAlone() throws {
        let all = try website("<RedirectAllRequestsTo><HostName>www.example.fr</HostName><Protocol>https</Protocol></RedirectAllRequestsTo>")
        #expect(all.redirectAllRequestsTo?.hostName == "www.example.fr")
        #expect(all.indexSuffix == nil)
        #expect(try WebsiteConfiguration.parse(Array(all.xml().utf8)) == all)
        #expect(websiteCode("<RedirectAllRequestsTo><HostName>a</HostName></RedirectAllRequestsTo><IndexDocument><Suffix>i</Suffix></IndexDocument>") == .invalidArgument)
    }

    @Test(arguments: [
        ("", S3ErrorCode.invalidArgument),  // neither an index nor a redirection
        ("<IndexDocument><Suffix></Suffix></IndexDocument>", .invalidArgument),
        ("<IndexDocument><Suffix>a/index.html</Suffix></IndexDocument>", .invalidArgument),
        ("<IndexDocument><Suffix>i</Suffix></IndexDocument><ErrorDocument><Key></Key></ErrorDocument>", .invalidArgument),
        ("<IndexDocument><Suffix>i</Suffix></IndexDocument><Unknown/>", .malformedXML),
        ("<IndexDocument><Suffix>i</Suffix><Suffix>j</Suffix></IndexDocument>", .malformedXML),
        ("<IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition></RoutingRule></RoutingRules>", .malformedXML),
        ("<IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules><RoutingRule><Redirect><ReplaceKeyWith>a</ReplaceKeyWith><ReplaceKeyPrefixWith>b</ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules>", .malformedXML),
        ("<IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules><RoutingRule><Redirect><HttpRedirectCode>200</HttpRedirectCode></Redirect></RoutingRule></RoutingRules>", .invalidArgument),
        ("<IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules><RoutingRule><Redirect><Protocol>ftp</Protocol></Redirect></RoutingRule></RoutingRules>", .invalidArgument),
        ("<IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition><HttpErrorCodeReturnedEquals>302</HttpErrorCodeReturnedEquals></Condition><Redirect><HostName>h</HostName></Redirect></RoutingRule></RoutingRules>", .invalidArgument),
    ])
    func invalidWebsiteConfigurationsAreRefused(_ inner: String, _ code: S3ErrorCode) {
        #expect(websiteCode(inner) == code)
    }

    @Test func tooManyRoutingRulesAreRefused() {
        let rule = "<RoutingRule><Redirect><HostName>h</HostName></Redirect></RoutingRule>"
        let inner = "<IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules>"
        #expect(websiteCode(inner + String(repeating: rule, count: 50) + "</RoutingRules>") == nil)
        #expect(websiteCode(inner + String(repeating: rule, count: 51) + "</RoutingRules>") == .invalidArgument)
    }

    @Test func loggingIsOffUnlessABodyEnablesIt() throws {
        #expect(try FixedBucketConfigurations.enablesLogging(Array("<BucketLoggingStatus xmlns=\"http://doc.s3.amazonaws.com/2006-03-01\"/>".utf8)) == false)
        #expect(try FixedBucketConfigurations.enablesLogging(Array(
            "<BucketLoggingStatus><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetPrefix>b/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>".utf8)) == true)
        #expect(throws: S3Error.self) { try FixedBucketConfigurations.enablesLogging(Array("<LoggingStatus/>".utf8)) }
        #expect(FixedBucketConfigurations.loggingStatus().contains("<BucketLoggingStatus"))
    }

    @Test func notificationDestinationsAreNamed() throws {
        #expect(try FixedBucketConfigurations.notificationDestinations(Array("<NotificationConfiguration/>".utf8)).isEmpty)
        #expect(try FixedBucketConfigurations.notificationDestinations(Array(
            "<NotificationConfiguration><QueueConfiguration><Queue>arn:q</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>".utf8))
            == ["QueueConfiguration"])
        #expect(throws: S3Error.self) {
            try FixedBucketConfigurations.notificationDestinations(Array("<NotificationConfiguration><Pigeon/></NotificationConfiguration>".utf8))
        }
    }

    @Test func payerAndAccelerationAreReadStrictly() throws {
        #expect(try FixedBucketConfigurations.payer(Array("<RequestPaymentConfiguration><Payer>BucketOwner</Payer></RequestPaymentConfiguration>".utf8)) == .bucketOwner)
        #expect(try FixedBucketConfigurations.payer(Array("<RequestPaymentConfiguration><Payer>Requester</Payer></RequestPaymentConfiguration>".utf8)) == .requester)
        #expect(throws: S3Error.self) { try FixedBucketConfigurations.payer(Array("<RequestPaymentConfiguration><Payer>Nobody</Payer></RequestPaymentConfiguration>".utf8)) }
        #expect(throws: S3Error.self) { try FixedBucketConfigurations.payer(Array("<RequestPaymentConfiguration/>".utf8)) }
        #expect(FixedBucketConfigurations.requestPayment(.bucketOwner).contains("<Payer>BucketOwner</Payer>"))

        #expect(try FixedBucketConfigurations.accelerateStatus(Array("<AccelerateConfiguration><Status>Suspended</Status></AccelerateConfiguration>".utf8)) == .suspended)
        #expect(throws: S3Error.self) { try FixedBucketConfigurations.accelerateStatus(Array("<AccelerateConfiguration><Status>On</Status></AccelerateConfiguration>".utf8)) }
        #expect(!FixedBucketConfigurations.accelerateConfiguration(nil).contains("Status"))
        #expect(FixedBucketConfigurations.accelerateConfiguration(.suspended).contains("<Status>Suspended</Status>"))
    }
}
