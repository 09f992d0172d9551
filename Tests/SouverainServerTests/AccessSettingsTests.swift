import Testing
import SouverainPolicy
@testable import SouverainServer

@Suite struct AccessSettingsTests {
    @Test func theSourceIsThePeerUnlessItIsATrustedProxy() throws {
        let none = AccessSettings()
        #expect(none.sourceAddress(peer: "127.0.0.1", forwardedFor: "192.0.2.7") == "127.0.0.1")
        let proxied = AccessSettings(trustedProxies: [try #require(IPAddressBlock("10.0.0.0/8"))])
        #expect(proxied.sourceAddress(peer: "10.1.1.1", forwardedFor: "192.0.2.7") == "192.0.2.7")
        // The right-most untrusted hop: what the client prepends is not believed.
        #expect(proxied.sourceAddress(peer: "10.1.1.1", forwardedFor: "1.2.3.4, 192.0.2.7, 10.2.2.2") == "192.0.2.7")
        #expect(proxied.sourceAddress(peer: "127.0.0.1", forwardedFor: "192.0.2.7") == "127.0.0.1")
        #expect(proxied.sourceAddress(peer: "10.1.1.1", forwardedFor: "not-an-address") == "10.1.1.1")
        #expect(proxied.sourceAddress(peer: "10.1.1.1", forwardedFor: nil) == "10.1.1.1")
    }

    @Test func publicAccessIsForPublicClassificationsOnly() {
        let settings = AccessSettings()
        #expect(settings.publicAccessRefusal(classification: "public") == nil)
        #expect(settings.publicAccessRefusal(classification: "health")
            == "the health classification forbids public access (organisation setting public-classifications = public)")
        let closed = AccessSettings(publicClassifications: [])
        #expect(closed.publicAccessRefusal(classification: "public")?.contains("public-classifications = none") == true)
    }

    @Test func groupGrantsRoundTrip() {
        var grants = GroupGrants()
        #expect(grants.isEmpty && grants.text.isEmpty)
        grants.allUsersRead = true
        grants.authenticatedWrite = true
        #expect(GroupGrants(text: grants.text) == grants)
        #expect(grants.isPublic)
    }
}
