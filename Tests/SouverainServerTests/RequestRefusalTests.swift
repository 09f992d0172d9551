import HTTPTypes
import NIOCore
import SouverainAudit
import SouverainS3
import Testing
@testable import SouverainServer

struct RequestRefusalTests {
    @Test func theSampleKeepsTheFirstLineAndCountsTheHeaderSection() {
        var sample = RequestHeadSample()
        sample.feed(ByteBuffer(string: "PUT /bucket/key?uploadId=1 HTTP/1.1\r\nHost: x\r\nAuthor"))
        sample.feed(ByteBuffer(string: "ization: secret\r\n\r\nbody\r\nmore"))
        #expect(sample.isComplete)
        #expect(sample.lines == 4)
        #expect(sample.bytes == "PUT /bucket/key?uploadId=1 HTTP/1.1\r\nHost: x\r\nAuthorization: secret\r\n\r\n".utf8.count)
        #expect(sample.requestLine.method == "PUT")
        #expect(sample.requestLine.target == "/bucket/key?uploadId=1")
    }

    @Test func unprintableBytesAndLongLinesAreTamed() {
        var sample = RequestHeadSample()
        sample.feed(ByteBuffer(bytes: [0x00, 0x01, 0x20, 0x41] + Array(repeating: 0x61, count: 5000)))
        #expect(sample.requestLine.method == "??")
        #expect(sample.requestLine.target?.count == RequestHeadSample.firstLineLimit - 3)
    }

    @Test func theTargetKeepsNoQueryValue() {
        let target = "/b/k?X-Amz-Credential=AKIA%2F&X-Amz-Signature=deadbeef&uploadId=7"
        #expect(HTTPRefusal.redacted(target) == "/b/k?X-Amz-Credential&X-Amz-Signature&uploadId")
        #expect(HTTPRefusal.redacted("/" + String(repeating: "a", count: 1000)).count == HTTPRefusal.targetLimit + 1)
    }

    @Test(arguments: [
        (["5"], nil),
        (["5497558138880"], nil),  // 5 TiB exactly
        (["5497558138881"], "EntityTooLarge"),
        (["9223372036854775808"], "EntityTooLarge"),
        (["99999999999999999999999"], "EntityTooLarge"),
        (["-1"], "InvalidRequest"),
        (["5", "5"], "InvalidRequest"),
        (["5, 6"], "InvalidRequest"),
        (["abc"], "InvalidRequest"),
        ([""], "InvalidRequest"),
        (["1 2"], "InvalidRequest"),
    ] as [([String], String?)])
    func contentLengthIsCheckedBeforeTheBody(values: [String], refusal: String?) {
        var fields = HTTPFields()
        for value in values { fields.append(HTTPField(name: .contentLength, value: value)) }
        #expect(RequestGuard.contentLengthRefusal(fields)?.0.name == refusal)
    }

    @Test func contentLengthWithTransferEncodingIsRefused() {
        let fields: HTTPFields = [.contentLength: "5", .transferEncoding: "chunked"]
        #expect(RequestGuard.contentLengthRefusal(fields)?.0 == .invalidRequest)
    }

    @Test func refusedAdminCallsAreNamedForTheirAction() {
        #expect(AdminRouter.action(path: "/_souverain/buckets/shred", method: .post) == "ShredBucket")
        #expect(AdminRouter.action(path: "/_souverain/migrate", method: .post) == "Migrate")
        #expect(AdminRouter.action(path: "/_souverain/repair", method: .post) == "Repair")
        #expect(AdminRouter.action(path: "/_souverain/scrub", method: .post) == "Scrub")
        #expect(AdminRouter.action(path: "/_souverain/nothing", method: .get) == "AdminAPI")
    }
}

struct HTTPRefusalRecordTests {
    @Test func theRecordSaysWhatWasReadAndWhyAndNoHeaderValue() {
        let refusal = HTTPRefusal(
            requestID: "0123456789ABCDEF", source: "203.0.113.7", method: "PUT", target: "/b/k?X-Amz-Signature=secret",
            headerBytes: 1200, headerLines: 9, code: .entityTooLarge, reason: "Content-Length 9223372036854775808 exceeds 5 TiB")
        let event = refusal.event
        #expect(event.operation == .refusedRequest)
        #expect(event.status == 400 && event.errorCode == "EntityTooLarge" && event.sourceAddress == "203.0.113.7")
        #expect(event.detail == "Content-Length 9223372036854775808 exceeds 5 TiB; method=PUT target=/b/k?X-Amz-Signature header-bytes=1200 header-lines=9")
        #expect(event.bucket == nil && event.key == nil && event.user == nil)
    }
}
