import Testing
import SouverainS3
@testable import SouverainServer

struct BucketListingTests {
    let buckets: [(name: String, region: String)] = [
        ("photos", "eu-west-3"), ("archive", "eu-west-3"), ("logs-b", "eu-west-3"), ("logs-a", "eu-west-3"), ("other", "us-east-1"),
    ]

    @Test func withoutMaxBucketsEveryBucketComesInNameOrderAndNoToken() throws {
        let (page, next) = try BucketListing([:]).page(of: buckets)
        #expect(page.map(\.name) == ["archive", "logs-a", "logs-b", "other", "photos"])
        #expect(next == nil)
    }

    @Test func pagesFollowTheContinuationTokenToTheEnd() throws {
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            var query = ["max-buckets": "2"]
            if let token { query["continuation-token"] = token }
            let (page, next) = try BucketListing(query).page(of: buckets)
            seen += page.map(\.name)
            token = next
            pages += 1
        } while token != nil
        #expect(seen == ["archive", "logs-a", "logs-b", "other", "photos"])
        #expect(pages == 3)
    }

    @Test func prefixAndRegionFilter() throws {
        #expect(try BucketListing(["prefix": "logs-"]).page(of: buckets).page.map(\.name) == ["logs-a", "logs-b"])
        #expect(try BucketListing(["bucket-region": "us-east-1"]).page(of: buckets).page.map(\.name) == ["other"])
        let exact = try BucketListing(["prefix": "logs-", "max-buckets": "2"]).page(of: buckets)
        #expect(exact.page.count == 2)
        #expect(exact.next == nil)
    }

    @Test(arguments: ["0", "10001", "-1", "x", ""])
    func aBadMaxBucketsIsInvalidArgument(_ value: String) {
        #expect(throws: S3Error.self) { try BucketListing(["max-buckets": value]) }
    }

    @Test func aTokenThatIsNotOursIsInvalidArgument() {
        #expect(throws: S3Error.self) { try BucketListing(["continuation-token": "***"]) }
    }
}
