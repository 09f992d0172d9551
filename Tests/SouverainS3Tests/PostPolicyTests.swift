import Foundation
import SouverainS3
import Testing

@Suite struct PostPolicyTests {
    static func encoded(_ json: String) -> String { Data(json.utf8).base64EncodedString() }

    static let policy = encoded("""
        { "expiration": "2030-01-01T12:00:00.000Z",
          "conditions": [ {"bucket": "photos"}, ["starts-with", "$key", "user/eric/"], {"acl": "public-read"},
                          ["starts-with", "$Content-Type", "image/"], ["eq", "$x-amz-meta-uuid", "14365123651274"],
                          ["starts-with", "$x-amz-meta-tag", ""], ["content-length-range", 10, 1048576],
                          {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"success_action_status": 201} ] }
        """)

    static let fields = [
        "bucket": "photos", "key": "user/eric/cat.jpg", "acl": "public-read", "content-type": "image/jpeg",
        "x-amz-meta-uuid": "14365123651274", "x-amz-meta-tag": "anything", "x-amz-algorithm": "AWS4-HMAC-SHA256",
        "success_action_status": "201", "policy": "…", "x-amz-signature": "…", "file": "", "x-ignore-me": "1",
    ]
    static let before = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func parsesEveryKindOfCondition() throws {
        let policy = try PostPolicy(base64: Self.policy)
        #expect(policy.expiration == Date(timeIntervalSince1970: 1_893_499_200))
        #expect(policy.conditions == [
            .equals(field: "bucket", value: "photos"), .startsWith(field: "key", prefix: "user/eric/"),
            .equals(field: "acl", value: "public-read"), .startsWith(field: "content-type", prefix: "image/"),
            .equals(field: "x-amz-meta-uuid", value: "14365123651274"), .startsWith(field: "x-amz-meta-tag", prefix: ""),
            .contentLengthRange(minimum: 10, maximum: 1_048_576), .equals(field: "x-amz-algorithm", value: "AWS4-HMAC-SHA256"),
            .equals(field: "success_action_status", value: "201"),
        ])
        #expect(policy.sizeRange == 10...1_048_576)
        try policy.check(fields: Self.fields, now: Self.before)
    }

    /// Each refusal is AccessDenied naming what failed, as AWS words it.
    @Test func aFormThatBreaksThePolicyIsDeniedNamingTheCondition() throws {
        let policy = try PostPolicy(base64: Self.policy)
        func refusal(_ change: (inout [String: String]) -> Void, now: Date = Self.before) -> String? {
            var fields = Self.fields
            change(&fields)
            do {
                try policy.check(fields: fields, now: now)
                return nil
            } catch {
                #expect(error.code == .accessDenied)
                return error.message
            }
        }
        #expect(refusal({ $0["key"] = "user/bob/cat.jpg" })
            == "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"user/eric/\"]")
        #expect(refusal({ $0["bucket"] = "other" }) == "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"photos\"]")
        #expect(refusal({ $0["acl"] = nil }) == "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$acl\", \"public-read\"]")
        #expect(refusal({ $0["content-type"] = "image/png, text/html" })?.contains("$content-type") == true)
        #expect(refusal({ $0["x-amz-meta-tag"] = nil })?.contains("$x-amz-meta-tag") == true)
        #expect(refusal({ $0["x-amz-meta-other"] = "1"; $0["cache-control"] = "no-cache" })
            == "Invalid according to Policy: Extra input fields: cache-control, x-amz-meta-other")
        #expect(refusal({ _ in }, now: Date(timeIntervalSince1970: 1_893_499_200)) == "Invalid according to Policy: Policy expired.")
        #expect(refusal({ $0["content-type"] = "image/png, image/gif" }) == nil)
    }

    @Test(arguments: [
        ("not base64!", "Invalid Policy: Invalid Base64 Encoding."),
        (encoded("[1]"), "Invalid Policy: Invalid JSON."),
        (encoded("{\"conditions\": []}"), "Invalid Policy: Policy missing expiration."),
        (encoded("{\"expiration\": \"tomorrow\", \"conditions\": []}"), "Invalid Policy: Invalid 'expiration' value: 'tomorrow'."),
        (encoded("{\"expiration\": \"2030-01-01T00:00:00Z\"}"), "Invalid Policy: Policy missing conditions."),
        (encoded("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [], \"x\": 1}"), "Invalid Policy: Unexpected field 'x'."),
        (encoded("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [{\"a\": \"1\", \"b\": \"2\"}]}"), "Simple-Conditions"),
        (encoded("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"eq\", \"key\", \"x\"]]}"), "Invalid 'eq' Condition"),
        (encoded("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"matches\", \"$key\", \"x\"]]}"), "unknown operator 'matches'"),
        (encoded("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", 10, 1]]}"), "content-length-range"),
        (encoded("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", true, 1]]}"), "content-length-range"),
        (encoded("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [7]}"), "conditions are objects or arrays"),
    ])
    func malformedPoliciesAreInvalidPolicyDocuments(_ text: String, _ message: String) {
        do {
            _ = try PostPolicy(base64: text)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidPolicyDocument && error.code.status == 400)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }
}

@Suite struct MultipartFormTests {
    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    static func body(_ fields: [(String, String)], file: String, filename: String = "cat.jpg") -> [UInt8] {
        var text = ""
        for (name, value) in fields {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\n"
        text += "Content-Type: image/jpeg\r\n\r\n\(file)\r\n--\(boundary)\r\n"
        text += "Content-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--\(boundary)--\r\n"
        return Array(text.utf8)
    }

    @Test func theBoundaryComesFromTheContentType() {
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartForm.boundary(contentType: "Multipart/Form-Data;boundary=\"a b\"") == "a b")
        #expect(MultipartForm.boundary(contentType: "application/x-www-form-urlencoded") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data") == nil)
    }

    /// Fed in every split of two pieces, the fields and the file come out the same: a boundary
    /// cut across chunks is still found, and file bytes that resemble it are kept.
    @Test func fieldsThenTheFileStreamedAcrossAnySplit() throws {
        let file = "\r\n--not-the-boundary \r\n--\(Self.boundary.dropLast()) bytes\r"
        let body = Self.body([("key", "user/${filename}"), ("x-amz-meta-tag", "é")], file: file)
        for split in stride(from: 1, to: body.count, by: 7) {
            var head: MultipartForm.Head?
            var consumed = 0
            for end in [split, body.count] where head == nil {
                head = try MultipartForm.head(Array(body[..<end]), boundary: Self.boundary)
                consumed = end
            }
            let form = try #require(head)
            #expect(form.fields.map(\.name) == ["key", "x-amz-meta-tag"])
            #expect(form.fields.map(\.value) == ["user/${filename}", "é"])
            #expect(form.fileName == "cat.jpg" && form.fileContentType == "image/jpeg")
            var scanner = MultipartForm.FileScanner(boundary: Self.boundary)
            var out = scanner.feed(form.fileBytes)
            var position = consumed
            while !scanner.finished, position < body.count {
                let next = min(body.count, position + 5)
                out += scanner.feed(Array(body[position..<next]))
                position = next
            }
            #expect(scanner.finished)
            #expect(String(decoding: out, as: UTF8.self) == file)
        }
    }

    @Test func aFormWithoutAFileOrNotAFormIsRefused() throws {
        let noFile = Array("--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--b--\r\n".utf8)
        #expect(throws: S3Error.self) { try MultipartForm.head(noFile, boundary: "b") }
        do { _ = try MultipartForm.head(noFile, boundary: "b") } catch { #expect(error.code == .invalidArgument) }
        let garbage = Array("--b\r\nno colon here\r\n\r\nvalue\r\n--b--".utf8)
        do { _ = try MultipartForm.head(garbage, boundary: "b"); Issue.record("accepted") } catch {
            #expect(error.code == .malformedPOSTRequest)
        }
        #expect(try MultipartForm.head(Array("--b\r\nContent-Disposition: form-data; name=\"key\"\r\n".utf8), boundary: "b") == nil)
        let huge = [UInt8](repeating: 0x41, count: MultipartForm.maximumFieldBytes + 1)
        #expect(throws: S3Error.self) { try MultipartForm.head(huge, boundary: "b") }
    }
}
