import Hummingbird
import HTTPTypes
import InMemoryLogging
import Logging
import Testing
@testable import SouverainServer

/// A request's log lines carry what is known about it, attached when the logger is read.
@Suite struct RequestLogTests {
    @Test func aRequestsLogLineHasItsIdentifierOperationBucketAndUser() {
        let handler = InMemoryLogHandler()
        var server = Logger(label: "test") { _ in handler }
        server[metadataKey: "component"] = "s3"
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/b/k"), body: RequestBody(buffer: .init()))
        var call = S3Call(request: request, requestID: "0123456789ABCDEF", path: "/b/k", query: "", logger: server, remoteAddress: "127.0.0.1")
        call.logMetadata["s3.operation"] = "GetObject"
        call.logMetadata["user"] = "alice"
        call.logger.info("request")
        let logged = handler.entries
        #expect(logged.count == 1)
        #expect(logged.first?.metadata["request_id"] == "0123456789ABCDEF")
        #expect(logged.first?.metadata["remote"] == "127.0.0.1")
        #expect(logged.first?.metadata["s3.operation"] == "GetObject")
        #expect(logged.first?.metadata["user"] == "alice")
        #expect(logged.first?.metadata["component"] == "s3")
        // The server's own logger is left as it was.
        #expect(call.serverLogger[metadataKey: "request_id"] == nil)
    }
}
