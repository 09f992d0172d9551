import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SouverainS3
import SouverainSigV4

extension S3Client {
    /// Sends `request`, retrying as the policy allows, and returns the first 2xx response, whose
    /// body the caller must read or drop. Throws `S3ClientError`.
    func execute(_ request: S3Request) async throws -> HTTPClientResponse {
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            var failure: S3ClientError
            do {
                let prepared = prepare(request, date: Date())
                let deadline = configuration.requestTimeout.map { NIODeadline.now() + .nanoseconds($0.nanoseconds) }
                let response = try await httpClient.execute(prepared, deadline: deadline ?? .distantFuture)
                if (200..<300).contains(Int(response.status.code)) { return response }
                failure = await Self.responseError(response, request: request)
            } catch {
                failure = Self.transportError(error, request: request)
            }
            failure.attempts = attempt
            guard failure.isRetryable, attempt < configuration.retry.maximumAttempts, request.payload.canReplay else {
                throw failure
            }
            do {
                try await Task.sleep(for: configuration.retry.delay(beforeRetry: attempt, using: &generator))
            } catch {
                throw S3ClientError(
                    code: .cancelled, message: "Cancelled while waiting to retry after: \(failure.message)",
                    operation: request.operation, resource: request.resource, attempts: attempt, cause: error)
            }
        }
    }

    /// Sends `request` and reads its whole (small, XML) answer, up to `limit` bytes.
    func executeForXML(_ request: S3Request, limit: Int = 16 * 1024 * 1024) async throws -> (ResponseXML, HTTPHeaders) {
        let response = try await execute(request)
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: limit)
        } catch {
            throw Self.transportError(error, request: request)
        }
        let bytes = Array(buffer.readableBytesView)
        guard let xml = ResponseXML.parse(bytes) else {
            throw S3ClientError(
                code: .invalidResponse, message: "The answer is not a well-formed XML document (\(bytes.count) bytes).",
                operation: request.operation, resource: request.resource, status: Int(response.status.code),
                requestID: response.headers.first(name: "x-amz-request-id"))
        }
        // CompleteMultipartUpload may answer 200 with an <Error> document.
        if xml.name == "Error" {
            throw Self.error(from: xml, status: Int(response.status.code), headers: response.headers, request: request)
        }
        return (xml, response.headers)
    }

    /// Signs `request` at `date` and turns it into an HTTP request.
    func prepare(_ request: S3Request, date: Date) -> HTTPClientRequest {
        let host = endpoint.hostHeader(bucket: request.bucket)
        let path = endpoint.path(bucket: request.bucket, key: request.key)
        let query = request.query.map { parameter in
            SigV4Signer.encodeQueryComponent(parameter.name)
                + (parameter.value.map { "=" + SigV4Signer.encodeQueryComponent($0) } ?? "")
        }.joined(separator: "&")
        var headers = request.headers
        headers.append((name: "host", value: host))
        var body: HTTPClientRequest.Body?
        switch request.payload {
        case .empty:
            signer.sign(method: request.method.rawValue, path: path, query: query, headers: &headers,
                        payloadHash: Self.emptyPayloadHash, date: date)
        case .bytes(let buffer):
            signer.sign(method: request.method.rawValue, path: path, query: query, headers: &headers,
                        payloadHash: Hex.sha256(buffer), date: date)
            body = .bytes(buffer)
        case .stream(let stream):
            switch configuration.streamSigning {
            case .unsignedPayload:
                signer.sign(method: request.method.rawValue, path: path, query: query, headers: &headers,
                            payloadHash: "UNSIGNED-PAYLOAD", date: date)
                body = stream.makeBody(nil, 0)
            case .signedChunks:
                let encodings = headers.filter { $0.name.lowercased() == "content-encoding" }.map(\.value)
                headers.removeAll { $0.name.lowercased() == "content-encoding" }
                headers.append((name: "content-encoding", value: (["aws-chunked"] + encodings).joined(separator: ",")))
                headers.append((name: "x-amz-decoded-content-length", value: String(stream.length)))
                let context = signer.signStreaming(
                    method: request.method.rawValue, path: path, query: query, headers: &headers, date: date)
                body = stream.makeBody(context, max(8 * 1024, configuration.signedChunkSize))
            }
        }
        var http = HTTPClientRequest(url: "\(endpoint.scheme)://\(host)\(path)\(query.isEmpty ? "" : "?" + query)")
        http.method = request.method
        http.headers = HTTPHeaders(headers.map { ($0.name, $0.value) })
        http.body = body
        return http
    }

    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The error an answer with a non-2xx status stands for, from its XML `<Error>` body if any.
    static func responseError(_ response: HTTPClientResponse, request: S3Request) async -> S3ClientError {
        var bytes: [UInt8] = []
        if request.method != .HEAD, let buffer = try? await response.body.collect(upTo: 64 * 1024) {
            bytes = Array(buffer.readableBytesView)
        }
        let xml = ResponseXML.parse(bytes).flatMap { $0.name == "Error" ? $0 : nil }
        return error(from: xml, status: Int(response.status.code), headers: response.headers, request: request)
    }

    static func error(from xml: ResponseXML?, status: Int, headers: HTTPHeaders, request: S3Request) -> S3ClientError {
        var code = xml?.string("Code").flatMap { $0.isEmpty ? nil : $0 }
        if code == nil, status == 404, request.method == .HEAD { code = "NotFound" }
        let message = xml?.string("Message").flatMap { $0.isEmpty ? nil : $0 }
            ?? code.flatMap(S3ErrorCode.init(named:))?.defaultMessage
            ?? "The server answered HTTP \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)."
        return S3ClientError(
            code: .s3, message: message, operation: request.operation, resource: request.resource, status: status,
            s3Code: code, requestID: headers.first(name: "x-amz-request-id") ?? xml?.string("RequestId"))
    }

    /// The `S3ClientError` for an error thrown while sending or receiving.
    static func transportError(_ error: any Error, request: S3Request) -> S3ClientError {
        func make(_ code: S3ClientError.Code, _ message: String, cause: any Error) -> S3ClientError {
            S3ClientError(code: code, message: message, operation: request.operation, resource: request.resource,
                          cause: cause)
        }
        switch error {
        case let error as S3ClientError:
            return error
        case let failure as BodyStreamFailure:
            return make(.bodyStream, "The request body's sequence failed.", cause: failure.cause)
        case is CancellationError:
            return make(.cancelled, "The request was cancelled.", cause: error)
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return make(.timeout, "No connection could be made in time; check the endpoint and the connect timeout.",
                            cause: error)
            case .readTimeout, .writeTimeout:
                return make(.timeout, "The server stayed silent longer than the read timeout.", cause: error)
            case .deadlineExceeded:
                return make(.timeout, "The request took longer than the request timeout.", cause: error)
            case .cancelled:
                return make(.cancelled, "The request was cancelled.", cause: error)
            case .bodyLengthMismatch:
                return make(.invalidRequest, "The body's bytes did not add up to the length given.", cause: error)
            case .alreadyShutdown:
                return make(.invalidRequest, "The client was already shut down.", cause: error)
            default:
                return make(.transport, "The connection failed: \(error.shortDescription).", cause: error)
            }
        default:
            return make(.transport, "The connection failed: \(error).", cause: error)
        }
    }
}
